import {
  ApplicationFailure,
  CancellationScope,
  ContinueAsNew,
  continueAsNew,
  getExternalWorkflowHandle,
  isCancellation,
  proxyActivities,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { TimeWindow } from '../migrations/types.js';
import {
  addCounts,
  type PartitionReport,
  partitionDoneSignal,
  partitionProgressSignal,
  type RecordCounts,
  ZERO_COUNTS,
} from './messages.js';
import { NON_RETRYABLE } from './retry.js';

const { copyChunk, countWindow, reconcileWindow } = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    nonRetryableErrorTypes: NON_RETRYABLE,
  },
});

export interface PartitionInput {
  /** The backfill that started this partition; it receives progress and the final report by signal. */
  parentId: string;
  index: number;
  migration: string;
  connection: string;
  window: TimeWindow;
  pageSize: number;
  pagesPerChunk: number;
  /** Copy the window again at most this many times when its counts differ. */
  maxPasses: number;
  /** Continue as new past this many history events even if the server does not suggest it yet. */
  maxHistoryEvents: number;
  /** Carried across continue-as-new. */
  state?: PartitionState;
}

export interface PartitionState {
  /** The checkpoint: the next page to copy, or null when the pass is complete. */
  page: number | null;
  counts: RecordCounts;
  passes: number;
  maxHistoryEvents: number;
}

function historyIsLong(limit: number): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength >= limit;
}

/**
 * A durable chunk loop over one window. Each chunk is one activity that writes its records and returns only
 * counts and the next page: the page number held here is the checkpoint. At the end the source's and the
 * target's counts are compared; a difference (paging over a live store can skip a record) means another pass.
 */
export async function partition(input: PartitionInput): Promise<PartitionReport> {
  const state: PartitionState = input.state ?? {
    page: 1,
    counts: ZERO_COUNTS,
    passes: 1,
    maxHistoryEvents: 0,
  };
  const childId = workflowInfo().workflowId;
  const parent = getExternalWorkflowHandle(input.parentId);
  const target = { migration: input.migration, connection: input.connection, window: input.window };
  const report = (
    outcome: PartitionReport['outcome'],
    extra: Partial<PartitionReport> = {},
  ): PartitionReport => ({
    index: input.index,
    window: input.window,
    counts: state.counts,
    outcome,
    passes: state.passes,
    maxHistoryEvents: Math.max(state.maxHistoryEvents, workflowInfo().historyLength),
    ...extra,
  });

  let final: PartitionReport;
  try {
    for (;;) {
      while (state.page !== null) {
        const request = { ...target, page: state.page, pageSize: input.pageSize, pages: input.pagesPerChunk };
        // A chunk in flight is never abandoned: on cancellation it finishes (or fails) whole, its counts are
        // kept, and the next await in the cancelled scope ends the loop.
        const chunk = await CancellationScope.nonCancellable(() => copyChunk(request));
        state.counts = addCounts(state.counts, chunk);
        state.page = chunk.nextPage;
        await parent.signal(partitionProgressSignal, { childId, counts: state.counts });
        if (state.page !== null && historyIsLong(input.maxHistoryEvents)) {
          state.maxHistoryEvents = Math.max(state.maxHistoryEvents, workflowInfo().historyLength);
          await continueAsNew<typeof partition>({ ...input, state });
        }
      }
      const { sourceCount, targetCount } = await countWindow(target);
      if (sourceCount === targetCount) {
        final = report('exact', { sourceCount, targetCount });
        break;
      }
      if (state.passes >= input.maxPasses) {
        final = report('mismatch', { sourceCount, targetCount });
        break;
      }
      await reconcileWindow(target);
      state.passes++;
      state.page = 1;
    }
  } catch (error) {
    if (error instanceof ContinueAsNew) throw error; // not a failure: this run hands over to the next
    const cancelled = isCancellation(error);
    const cause = error instanceof Error && 'cause' in error ? (error.cause as Error | undefined) : undefined;
    const failure =
      cause instanceof ApplicationFailure ? cause : error instanceof ApplicationFailure ? error : undefined;
    const failed = report(cancelled ? 'cancelled' : 'failed', {
      error: cancelled ? undefined : (failure ?? (error as Error)).message,
      fatal: failure?.nonRetryable === true || NON_RETRYABLE.includes(failure?.type ?? ''),
    });
    // The parent must hear about it even while this workflow is being cancelled.
    await CancellationScope.nonCancellable(() =>
      parent.signal(partitionDoneSignal, { childId, report: failed }),
    );
    throw error;
  }
  await parent.signal(partitionDoneSignal, { childId, report: final });
  return final;
}
