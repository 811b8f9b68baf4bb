import { executeChild, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { SampleResult } from '../activities/verify.js';
import type { TimeWindow } from '../migrations/types.js';
import { ferrySearchAttributes } from '../search-attributes.js';
import { backfill } from './backfill.js';
import { CHUNK_ACTIVITY_OPTIONS } from './retry.js';
import { windowAt, windowCount } from './windows.js';

const { countWindow, planBackfill, verifySample } = proxyActivities<Activities>(CHUNK_ACTIVITY_OPTIONS);

export interface VerifyInput {
  migration: string;
  connection: string;
  /** The backfill verified, when one was named. */
  runId?: string;
  /** The range and windows to count; without them, the source's whole range in the migration's windows. */
  from?: string;
  to?: string;
  partitionDays: number;
  sample: number;
  repair: boolean;
  pageSize: number;
  pagesPerChunk: number;
}

export interface WindowCheck {
  index: number;
  window: TimeWindow;
  sourceCount: number;
  targetCount: number;
  deadLettered: number;
}

export interface VerifyReport {
  migration: string;
  range: { from: string | null; to: string };
  partitions: number;
  /** Windows whose counts differ (source ≠ target + dead letters), as first counted. */
  differing: WindowCheck[];
  sample: SampleResult;
  /** With repair: the differing windows counted again after they were copied again. */
  afterRepair?: WindowCheck[];
  /** Nothing differs (after repair, when repairing). */
  ok: boolean;
}

const differs = (check: WindowCheck) => check.sourceCount !== check.targetCount + check.deadLettered;

/**
 * `ferry verify`: counts every window at the source and in the target, and compares a random sample of records
 * field by field. With repair, the windows that differ are copied again by a backfill of each (the same
 * partition code that copied them first), and the sampled records that differ are written again.
 */
export async function verify(input: VerifyInput): Promise<VerifyReport> {
  const source = { migration: input.migration, connection: input.connection };
  const plan = await planBackfill({ ...source, from: input.from, to: input.to });
  const windows = plan.from ? windowCount(plan.from, plan.to, input.partitionDays) : 0;
  const count = async (index: number): Promise<WindowCheck> => {
    const window = windowAt(plan.from as string, plan.to, input.partitionDays, index);
    return { index, window, ...(await countWindow({ ...source, window })) };
  };
  const checks = await Promise.all(Array.from({ length: windows }, (_, index) => count(index)));
  const differing = checks.filter(differs);
  const sample = await verifySample({ ...source, sample: input.sample, repair: input.repair });

  let afterRepair: WindowCheck[] | undefined;
  if (input.repair && differing.length > 0) {
    afterRepair = [];
    for (const check of differing) {
      await executeChild(backfill, {
        workflowId: `${workflowInfo().workflowId}/repair-p${String(check.index).padStart(4, '0')}`,
        typedSearchAttributes: ferrySearchAttributes(input.migration, 'backfill'),
        args: [
          {
            ...source,
            from: check.window.from,
            to: check.window.to,
            // One partition: the whole window.
            partitionDays: input.partitionDays,
            concurrency: 1,
            pageSize: input.pageSize,
            pagesPerChunk: input.pagesPerChunk,
            maxPasses: 3,
            maxHistoryEvents: 5_000,
            catchUp: false,
            catchUpLookbackSeconds: 0,
          },
        ],
      });
      afterRepair.push(await count(check.index));
    }
  }
  const stillDiffering = afterRepair ? afterRepair.filter(differs) : differing;
  const sampleOk = (input.repair || sample.differences.length === 0) && sample.notAtSource.length === 0;
  return {
    migration: input.migration,
    range: { from: plan.from, to: plan.to },
    partitions: windows,
    differing,
    sample,
    ...(afterRepair ? { afterRepair } : {}),
    ok: stillDiffering.length === 0 && sampleOk,
  };
}
