import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { StepCounts } from '../matching/partition.js';
import type { MatchPartitionInput } from './match-messages.js';
import { MATCH_ACTIVITY_OPTIONS } from './retry.js';

const { matchPartition: matchRules } = proxyActivities<Activities>(MATCH_ACTIVITY_OPTIONS);

/**
 * One partition of a match run: every rule over its customers, each rule one transaction recorded as done. A
 * child workflow of its own, so the Web UI shows each partition, and a retried or resumed one takes only the
 * rules it had not committed.
 */
export async function matchPartition(input: MatchPartitionInput): Promise<Record<string, StepCounts>> {
  return matchRules(input);
}
