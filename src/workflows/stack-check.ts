import { proxyActivities } from '@temporalio/workflow';
import type { Activities, DatabaseCheck, SourceCheck } from '../activities/index.js';

const { checkDatabase, checkSource } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 3, initialInterval: '1 second' },
});

export interface StackCheckInput {
  /**
   * Name of a source connection; its secrets are resolved by the activity, never carried here. Without one only
   * the worker and the target database are checked (a worker's own check when it starts).
   */
  connection?: string;
}

export interface StackCheckResult {
  database: DatabaseCheck;
  source?: SourceCheck;
}

/** Proves the whole path works: worker, target database and source, through a real workflow. */
export async function stackCheck(input: StackCheckInput): Promise<StackCheckResult> {
  const { connection } = input;
  if (connection === undefined) return { database: await checkDatabase() };
  const [database, source] = await Promise.all([checkDatabase(), checkSource(connection)]);
  return { database, source };
}
