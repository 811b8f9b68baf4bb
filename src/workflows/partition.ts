import {
  ApplicationFailure,
  CancellationScope,
  ContinueAsNew,
  continueAsNew,
  getExternalWorkflowHandle,
  isCancellation,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import {
  type ChangesResult,
  type ChunkResult,
  type Cursor,
  type DryRunDifference,
  FIRST_PAGE,
  type TimeWindow,
} from '../migrations/types.js';
import { chunkPagesBound } from './chunk-bound.js';
import { CHUNK_READ_LIMIT_MS, nextChunkPages } from './chunk-size.js';
import { partitionCurrentDetails } from './details.js';
import { historyIsLong } from './history.js';
import {
  addCounts,
  type PartitionCheckpoint,
  type PartitionReport,
  partitionDoneSignal,
  partitionProgressSignal,
  partitionRateSignal,
  partitionYieldSignal,
  SAMPLE_SIZE,
  ZERO_COUNTS,
} from './messages.js';
import { CHUNK_ACTIVITY_OPTIONS, NON_RETRYABLE } from './retry.js';

const { copyChanges, copyChunk, countWindow, reconcileWindow } =
  proxyActivities<Activities>(CHUNK_ACTIVITY_OPTIONS);

export interface PartitionInput {
  /** The backfill that started this partition; it receives progress and the final report by signal. */
  parentId: string;
  /**
   * The backfill's first run id (the same across its continue-as-new): lookups are remembered for it, so that a
   * whole backfill asks the source for each key once. Absent in partitions an older ferry started.
   */
  parentRunId?: string;
  index: number;
  migration: string;
  connection: string;
  window: TimeWindow;
  pageSize: number;
  pagesPerChunk: number;
  /**
   * Size each chunk from how long the last one took (see nextChunkPages), starting at pagesPerChunk; absent: every
   * chunk reads pagesPerChunk pages (the operator fixed it, or an older ferry started the partition).
   */
  adaptChunkSize?: boolean;
  /** Copy the window again at most this many times when its counts differ. */
  maxPasses: number;
  /** Continue as new past this many history events even if the server does not suggest it yet. */
  maxHistoryEvents: number;
  /**
   * Catch-up mode: instead of paging the window by creation time, copy what changed in it since this instant
   * (the backfill's start, less a lookback), then bring over trashed orders.
   */
  changesSince?: string;
  /** Fetch and transform, write in transactions that are rolled back: counts only (`ferry start --dry-run`). */
  dryRun?: boolean;
  /** This partition's share of the run's rate limit; the parent signals a new one when the operator sets it. */
  requestsPerMinute?: number | null;
  /** The run's options for its migration (a field migration's plan), passed to every activity. */
  options?: unknown;
  /** Carried across continue-as-new, and from a run of this partition that yielded its slot. */
  state?: PartitionCheckpoint;
}

/** A chunk's next cursor; a result an earlier ferry recorded names the next page instead. */
function nextCursorOf(chunk: ChunkResult | ChangesResult): Cursor | null {
  if ('next' in chunk) return chunk.next;
  const { nextPage } = chunk as { nextPage?: number | null };
  return nextPage === undefined || nextPage === null ? null : { page: nextPage };
}

/**
 * A durable chunk loop over one window. Each chunk is one activity that writes its records and returns only
 * counts and the next cursor: the cursor held here is the checkpoint. At the end the source's and the
 * target's counts are compared; a difference (paging over a live store can skip a record) means another pass.
 */
export async function partition(input: PartitionInput): Promise<PartitionReport> {
  const state: PartitionCheckpoint = input.state ?? { counts: ZERO_COUNTS, passes: 1, maxHistoryEvents: 0 };
  const start: Cursor = input.changesSince ? { page: 1, after: input.changesSince, skipIds: [] } : FIRST_PAGE;
  if (state.cursor === undefined) {
    // A checkpoint of an earlier ferry holds a page number instead (and no cursor yet, in catch-up mode).
    const page = input.changesSince ? undefined : state.page;
    state.cursor = page === null ? null : page === undefined ? start : { page };
  }
  delete state.page;
  const childId = workflowInfo().workflowId;
  const parent = getExternalWorkflowHandle(input.parentId);
  let requestsPerMinute = input.requestsPerMinute ?? null;
  let yieldRequested = false;
  // Shown in the Web UI; held in memory and served by a query, so it costs no history.
  const showDetails = (phase?: string) =>
    setCurrentDetails(
      partitionCurrentDetails({
        phase: phase ?? (yieldRequested ? 'Yielding its slot' : 'Copying'),
        records: state.counts.fetched,
        passes: state.passes,
        position: input.changesSince
          ? 'changes since the backfill started'
          : state.cursor
            ? `next page ${state.cursor.page}`
            : 'every page copied',
        requestsPerMinute,
      }),
    );
  setHandler(
    partitionRateSignal,
    (share) => {
      requestsPerMinute = share;
      showDetails();
    },
    { description: "This partition's share of the run's rate limit, from the backfill" },
  );
  setHandler(
    partitionYieldSignal,
    () => {
      yieldRequested = true;
      showDetails();
    },
    { description: 'Give the slot back after the current chunk (the backfill was paused or slowed down)' },
  );
  // Built per activity, so that a new rate share applies from the next one.
  const target = () => ({
    migration: input.migration,
    connection: input.connection,
    requestsPerMinute,
    window: input.window,
    runId: input.parentId,
    ...(input.parentRunId ? { lookupScope: input.parentRunId } : {}),
    ...(input.dryRun ? { dryRun: true } : {}),
    ...(input.options === undefined ? {} : { options: input.options }),
  });
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

  // The final report must reach the parent however this run ends, even when a cancellation arrives in the same
  // workflow task: cancelling the pending signal would end the run without a report, and the parent would wait.
  const reportDone = (done: PartitionReport) =>
    CancellationScope.nonCancellable(() => parent.signal(partitionDoneSignal, { childId, report: done }));

  // Progress goes to the parent alongside the next chunk rather than before it: waiting for the signal to be
  // delivered would add a server round trip per chunk. Reports stay in order because each waits for the last.
  let progressSent: Promise<void> = Promise.resolve();
  const reportProgress = async () => {
    await progressSent;
    progressSent = parent.signal(partitionProgressSignal, { childId, counts: state.counts });
    progressSent.catch(() => undefined); // awaited by the next report; not an unhandled rejection meanwhile
  };
  /** Between chunks: reports progress, continues as new when history is long; false when yielding the slot. */
  const checkpoint = async (): Promise<boolean> => {
    await reportProgress();
    showDetails();
    const long = historyIsLong(input.maxHistoryEvents);
    // When cancelled, the pending report rejects with the cancellation, which ends the loop before another chunk.
    // A partition that yields or continues as new hands over only once its report has landed.
    if (long || yieldRequested || CancellationScope.current().consideredCancelled) await progressSent;
    // Checked after that wait too: a yield that arrived meanwhile must not be lost to continue-as-new.
    if (yieldRequested) return false;
    if (long) {
      state.maxHistoryEvents = Math.max(state.maxHistoryEvents, workflowInfo().historyLength);
      await continueAsNew<typeof partition>({ ...input, requestsPerMinute, state });
    }
    return true;
  };
  // A chunk in flight is never abandoned: on cancellation it finishes (or fails) whole, its counts are kept,
  // and the next await in the cancelled scope ends the loop.
  const keepSample = (chunk: { differences?: DryRunDifference[] }) => {
    if (chunk.differences?.length) {
      state.sample = [...(state.sample ?? []), ...chunk.differences].slice(0, SAMPLE_SIZE);
    }
  };
  // Both loops return false when the partition yields its slot before the window is done.
  // One loop for both listings: the window's pages by creation time, or its changes in catch-up mode.
  const copyListing = async (): Promise<boolean> => {
    while (state.cursor) {
      const pages = state.pagesPerChunk ?? input.pagesPerChunk;
      const request = {
        ...target(),
        cursor: state.cursor,
        pageSize: input.pageSize,
        pages,
        ...(input.adaptChunkSize ? { readForMs: CHUNK_READ_LIMIT_MS } : {}),
      };
      const chunk = await CancellationScope.nonCancellable(() =>
        input.changesSince ? copyChanges(request) : copyChunk(request),
      );
      if (input.adaptChunkSize && chunk.elapsedMs !== undefined && patched('adaptive-chunk-size'))
        state.pagesPerChunk = nextChunkPages(pages, chunk.elapsedMs, chunkPagesBound(input.pageSize));
      state.counts = addCounts(state.counts, chunk);
      keepSample(chunk);
      state.cursor = nextCursorOf(chunk);
      if (state.cursor !== null && !(await checkpoint())) return false;
    }
    return true;
  };

  let final: PartitionReport;
  try {
    showDetails();
    for (;;) {
      const failedPagesBefore = state.counts.failedPages ?? 0;
      const copied = await copyListing();
      if (!copied) {
        final = report('yielded', { resume: { ...state } });
        break;
      }
      await reportProgress();
      await progressSent;
      if (input.dryRun) {
        // Nothing was written, so there is nothing to count against the source.
        final = report('dry-run', state.sample ? { sample: state.sample } : {});
        break;
      }
      showDetails('Checking counts');
      // Orders trashed while the window was paged are gone from the listing and may have shifted a page past
      // another order: mark them first, so that the counts below expose such a skip.
      await reconcileWindow(target());
      const { sourceCount, targetCount, deadLettered = 0 } = await countWindow(target());
      // Dead-lettered records are at the source and, by design, not in the target: accounted for, not missing.
      if (sourceCount === targetCount + deadLettered) {
        final = report('exact', { sourceCount, targetCount });
        break;
      }
      // A page that stayed malformed through its tries would fail again in another pass: it waits, filed as a
      // dead letter, for `ferry dlq retry`.
      const pagesFailed = (state.counts.failedPages ?? 0) > failedPagesBefore;
      if (state.passes >= input.maxPasses || input.changesSince || pagesFailed) {
        final = report('mismatch', { sourceCount, targetCount });
        break;
      }
      state.passes++;
      state.cursor = FIRST_PAGE;
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
    showDetails(cancelled ? 'Cancelled' : 'Failed');
    await reportDone(failed);
    throw error;
  }
  showDetails(
    final.outcome === 'yielded'
      ? 'Yielded its slot'
      : final.outcome === 'dry-run'
        ? 'Dry run done'
        : `${final.outcome === 'exact' ? 'Exact' : 'Mismatch'}: source ${final.sourceCount}, target ${final.targetCount}`,
  );
  await reportDone(final);
  return final;
}
