import {
  ApplicationFailure,
  continueAsNew,
  executeChild,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { type Cursor, cursorOf, FIRST_PAGE, type SyncCounts } from '../migrations/types.js';
import { ferrySearchAttributes, SCHEDULED_START_TIME } from '../search-attributes.js';
import { type BackfillInput, type BackfillReport, backfill } from './backfill.js';
import { syncCurrentDetails } from './details.js';
import { historyIsLong } from './history.js';
import { addCounts, ZERO_COUNTS } from './messages.js';
import { NON_RETRYABLE } from './retry.js';
import { type SyncResult, syncProgressQuery } from './sync-messages.js';

export type { SyncResult } from './sync-messages.js';

const retry = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '30 seconds',
  nonRetryableErrorTypes: NON_RETRYABLE,
};
const { startSync } = proxyActivities<Activities>({ startToCloseTimeout: '1 minute', retry });
const { syncChunk } = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  // A killed worker's chunk is retried elsewhere within seconds, not at the chunk's timeout.
  heartbeatTimeout: '15 seconds',
  retry,
});

/** Every option resolved by the caller (the CLI fills in the migration's defaults): plain data only. */
export interface IncrementalSyncInput {
  migration: string;
  connection: string;
  /** Re-read this much before the watermark, for changes the source stamped late or committed late. */
  lookbackSeconds: number;
  pageSize: number;
  pagesPerChunk: number;
  requestsPerMinute?: number | null;
  maxHistoryEvents: number;
  /** The backfill a migration with no watermark runs first. */
  backfill: BackfillInput;
  /** Carried across continue-as-new. */
  resume?: SyncResume;
}

/** A chunk's next cursor; a result an earlier ferry recorded names the last record key read instead. */
function nextSyncCursorOf(chunk: { next: Cursor | number | null }): Cursor | null {
  return typeof chunk.next === 'number' ? { page: 1, after: String(chunk.next) } : chunk.next;
}

interface SyncResume {
  startedAtMs: number;
  since: string;
  /** Where the listing of changes continues. */
  cursor?: Cursor;
  /** An earlier ferry's checkpoint: the last record key read, or null at the start. */
  after?: number | null;
  commitWatermark: string | null;
  counts: SyncCounts;
  backfilled: BackfillReport['records'] | null;
}

const ZERO: SyncCounts = { ...ZERO_COUNTS, deleted: 0 };

function addSyncCounts(a: SyncCounts, b: SyncCounts): SyncCounts {
  return { ...addCounts(a, b), deleted: a.deleted + b.deleted };
}

/**
 * How far behind its scheduled time this run started: a schedule's backfill of a past interval, or a catch-up
 * after downtime. Such a run re-reads that much further back, measured on Temporal's clock alone so that it
 * never compares ferry's clock with the source's.
 */
function lateness(): number {
  const scheduledAt = workflowInfo().typedSearchAttributes.get(SCHEDULED_START_TIME);
  if (!scheduledAt) return 0;
  return Math.max(0, workflowInfo().startTime.getTime() - scheduledAt.getTime());
}

/**
 * One incremental sync: everything changed since the watermark (less the lookback) plus what the migration
 * always re-reads, written with change detection a chunk at a time; the last chunk moves the watermark in its
 * own transaction. A migration that never synced is backfilled first. Records never pass through here, only
 * counts and a keyset position.
 */
export async function incrementalSync(input: IncrementalSyncInput): Promise<SyncResult> {
  const resume = input.resume;
  const startedAtMs = resume?.startedAtMs ?? Date.now();
  const result: SyncResult = {
    migration: input.migration,
    phase: 'starting',
    since: resume?.since ?? null,
    watermark: resume?.commitWatermark ?? null,
    backfilled: resume?.backfilled ?? null,
    durationMs: 0,
    ...(resume?.counts ?? ZERO),
  };
  const show = () => {
    result.durationMs = Date.now() - startedAtMs;
    setCurrentDetails(syncCurrentDetails(result));
  };
  setHandler(syncProgressQuery, () => ({ ...result, durationMs: Date.now() - startedAtMs }), {
    description: 'Phase, counts so far, the instant changes are read from, and the watermark to commit',
  });

  const source = {
    migration: input.migration,
    connection: input.connection,
    requestsPerMinute: input.requestsPerMinute ?? null,
  };
  let cursor: Cursor | null = resume ? cursorOf(resume) : FIRST_PAGE;
  if (!resume) {
    show();
    const start = await startSync(source);
    result.watermark = start.latestChange;
    let from = start.watermark;
    if (from === null) {
      result.phase = 'backfilling';
      show();
      const report = await executeChild(backfill, {
        workflowId: `${workflowInfo().workflowId}/backfill`,
        args: [input.backfill],
        typedSearchAttributes: ferrySearchAttributes(input.migration, 'backfill'),
        staticSummary: `First backfill of ${input.migration}, before its first incremental sync`,
      });
      if (report.problems.length > 0) {
        throw ApplicationFailure.nonRetryable(
          `The first backfill of ${input.migration} did not end exact (${report.problems.length} partitions); no watermark was set, so the next sync backfills again`,
          'BackfillNotExact',
        );
      }
      result.backfilled = report.records;
      // Whatever changed after the source's latest stamp, while the backfill ran, is read now.
      from = start.latestChange ?? new Date(0).toISOString();
    }
    result.since = new Date(Date.parse(from) - input.lookbackSeconds * 1000 - lateness()).toISOString();
  }

  result.phase = 'syncing';
  show();
  do {
    const chunk = await syncChunk({
      ...source,
      since: result.since as string,
      cursor,
      pageSize: input.pageSize,
      pages: input.pagesPerChunk,
      commitWatermark: result.watermark,
      runId: workflowInfo().workflowId,
    });
    Object.assign(result, addSyncCounts(result, chunk));
    cursor = nextSyncCursorOf(chunk);
    show();
    if (cursor !== null && historyIsLong(input.maxHistoryEvents)) {
      await continueAsNew<typeof incrementalSync>({
        ...input,
        resume: {
          startedAtMs,
          since: result.since as string,
          cursor,
          commitWatermark: result.watermark,
          counts: addSyncCounts(ZERO, result),
          backfilled: result.backfilled,
        },
      });
    }
  } while (cursor !== null);

  result.phase = 'completed';
  show();
  return { ...result };
}
