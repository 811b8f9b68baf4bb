import {
  ApplicationFailure,
  allHandlersFinished,
  CancellationScope,
  ContinueAsNew,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  isCancellation,
  ParentClosePolicy,
  proxyActivities,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { Plan } from '../activities/backfill.js';
import type { Activities } from '../activities/index.js';
import { FERRY_KIND, FERRY_MIGRATION } from '../search-attributes.js';
import { historyIsLong } from './history.js';
import {
  addCounts,
  type BackfillProgress,
  type PartitionReport,
  partitionDoneSignal,
  partitionProgressSignal,
  progressQuery,
  type RecordCounts,
  type RunState,
  ZERO_COUNTS,
} from './messages.js';
import { partition } from './partition.js';
import { NON_RETRYABLE } from './retry.js';
import { windowAt, windowCount } from './windows.js';

const { planBackfill } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: {
    initialInterval: '1 second',
    maximumInterval: '30 seconds',
    nonRetryableErrorTypes: NON_RETRYABLE,
  },
});

/** Every option resolved by the caller (the CLI fills in the migration's defaults): plain data only. */
export interface BackfillInput {
  migration: string;
  connection: string;
  /** Creation-time range [from, to); from defaults to the source's first record, to to the plan's now. */
  from?: string;
  to?: string;
  partitionDays: number;
  concurrency: number;
  pageSize: number;
  pagesPerChunk: number;
  maxPasses: number;
  /** Continue as new past this many history events, in the backfill and in each partition. */
  maxHistoryEvents: number;
  /**
   * After the windows, copy what changed in the range since the backfill started (less the lookback for
   * writers whose clocks or commits lag), so that orders modified, created or trashed meanwhile are current.
   */
  catchUp: boolean;
  catchUpLookbackSeconds: number;
  /** Carried across continue-as-new. */
  state?: BackfillState;
}

export interface BackfillState {
  plan: Plan | null;
  totalPartitions: number;
  nextIndex: number;
  /** Children started and not yet reported done, by workflow id, with their latest counts. */
  running: Record<string, { index: number; counts: RecordCounts }>;
  finished: RecordCounts;
  partitionsDone: number;
  problems: PartitionReport[];
  fatalError: string | null;
  startedAtMs: number;
  maxHistoryEvents: number;
  continuedAsNew: number;
}

export type BackfillReport = BackfillProgress;

function initialState(): BackfillState {
  return {
    plan: null,
    totalPartitions: 0,
    nextIndex: 0,
    running: {},
    finished: ZERO_COUNTS,
    partitionsDone: 0,
    problems: [],
    fatalError: null,
    startedAtMs: Date.now(),
    maxHistoryEvents: 0,
    continuedAsNew: 0,
  };
}

function progressOf(input: BackfillInput, state: BackfillState, runState: RunState): BackfillProgress {
  let records = state.finished;
  for (const child of Object.values(state.running)) records = addCounts(records, child.counts);
  const elapsedMs = Math.max(0, Date.now() - state.startedAtMs);
  const recordsPerSecond = elapsedMs > 0 ? (records.fetched * 1000) / elapsedMs : 0;
  const sourceTotal = state.plan?.sourceTotal ?? 0;
  const remaining = Math.max(0, sourceTotal - records.fetched);
  return {
    state: runState,
    migration: input.migration,
    range: { from: state.plan?.from ?? input.from ?? null, to: state.plan?.to ?? input.to ?? null },
    partitions: {
      total: state.totalPartitions,
      done: state.partitionsDone,
      running: Object.keys(state.running).length,
      failed: state.problems.filter((problem) => problem.outcome === 'failed').length,
      mismatched: state.problems.filter((problem) => problem.outcome === 'mismatch').length,
    },
    records,
    sourceTotal,
    startedAt: new Date(state.startedAtMs).toISOString(),
    elapsedMs,
    recordsPerSecond: Math.round(recordsPerSecond * 10) / 10,
    etaSeconds: recordsPerSecond > 0 ? Math.round(remaining / recordsPerSecond) : null,
    problems: state.problems,
    maxHistoryEvents: Math.max(state.maxHistoryEvents, workflowInfo().historyLength),
    continuedAsNew: state.continuedAsNew,
  };
}

/**
 * Cuts [from, to) into windows and runs each as a partition child, never more than `concurrency` at once.
 * Children report by signal, so this workflow can continue as new at any time with the running ones in its
 * state; they are started with ABANDON so that continuing as new does not end them.
 */
export async function backfill(input: BackfillInput): Promise<BackfillReport> {
  const state = input.state ?? initialState();
  let runState: RunState = 'running';
  setHandler(progressQuery, () => progressOf(input, state, runState), {
    description: 'Partitions and records so far, rate and ETA',
  });
  setHandler(partitionProgressSignal, ({ childId, counts }) => {
    const child = state.running[childId];
    if (child) child.counts = counts;
  });
  setHandler(partitionDoneSignal, ({ childId, report }) => {
    if (!state.running[childId]) return; // a duplicate report
    delete state.running[childId];
    state.finished = addCounts(state.finished, report.counts);
    state.partitionsDone++;
    state.maxHistoryEvents = Math.max(state.maxHistoryEvents, report.maxHistoryEvents);
    if (report.outcome !== 'exact') state.problems.push(report);
    if (report.fatal && !state.fatalError) state.fatalError = report.error ?? 'a partition failed';
  });

  const runningCount = () => Object.keys(state.running).length;

  try {
    if (!state.plan) {
      state.plan = await planBackfill({
        migration: input.migration,
        connection: input.connection,
        from: input.from,
        to: input.to,
      });
      const windows = state.plan.from ? windowCount(state.plan.from, state.plan.to, input.partitionDays) : 0;
      // One more partition after the windows: the catch-up over what changed while they were copied.
      state.totalPartitions = windows > 0 && input.catchUp ? windows + 1 : windows;
    }
    const plan = state.plan;
    const catchUpIndex = input.catchUp ? state.totalPartitions - 1 : -1;
    while (state.nextIndex < state.totalPartitions || runningCount() > 0) {
      if (state.fatalError) throw ApplicationFailure.nonRetryable(state.fatalError, 'PartitionFailed');
      while (
        !state.fatalError &&
        runningCount() < input.concurrency &&
        state.nextIndex < state.totalPartitions &&
        (state.nextIndex !== catchUpIndex || runningCount() === 0)
      ) {
        const index = state.nextIndex;
        const catchUp = index === catchUpIndex;
        const childId = `${workflowInfo().workflowId}/${catchUp ? 'catch-up' : `p${String(index).padStart(4, '0')}`}`;
        state.running[childId] = { index, counts: ZERO_COUNTS };
        state.nextIndex++;
        await startChild(partition, {
          workflowId: childId,
          parentClosePolicy: ParentClosePolicy.ABANDON,
          typedSearchAttributes: [
            { key: FERRY_MIGRATION, value: input.migration },
            { key: FERRY_KIND, value: 'partition' },
          ],
          args: [
            {
              parentId: workflowInfo().workflowId,
              index,
              migration: input.migration,
              connection: input.connection,
              // Without an explicit end the catch-up reaches up to now, so orders created meanwhile are included.
              window: catchUp
                ? {
                    from: plan.from as string,
                    to: input.to ?? new Date(Date.now() + 24 * 3600 * 1000).toISOString(),
                  }
                : windowAt(plan.from as string, plan.to, input.partitionDays, index),
              changesSince: catchUp
                ? new Date(state.startedAtMs - input.catchUpLookbackSeconds * 1000).toISOString()
                : undefined,
              pageSize: input.pageSize,
              pagesPerChunk: input.pagesPerChunk,
              maxPasses: input.maxPasses,
              maxHistoryEvents: input.maxHistoryEvents,
            },
          ],
        });
      }
      if (historyIsLong(input.maxHistoryEvents)) {
        await condition(allHandlersFinished);
        state.maxHistoryEvents = Math.max(state.maxHistoryEvents, workflowInfo().historyLength);
        state.continuedAsNew++;
        await continueAsNew<typeof backfill>({ ...input, state });
      }
      const slots = runningCount();
      await condition(
        () =>
          runningCount() < slots ||
          (runningCount() === 0 && state.nextIndex >= state.totalPartitions) ||
          state.fatalError !== null ||
          historyIsLong(input.maxHistoryEvents),
      );
    }
    if (state.fatalError) throw ApplicationFailure.nonRetryable(state.fatalError, 'PartitionFailed');
  } catch (error) {
    if (error instanceof ContinueAsNew) throw error; // not a failure: this run hands over to the next
    runState = isCancellation(error) ? 'cancelled' : 'failed';
    await CancellationScope.nonCancellable(async () => {
      // Abandoned children do not end with their parent: cancel them and wait for their last reports.
      const unreachable: string[] = [];
      for (const childId of Object.keys(state.running)) {
        await getExternalWorkflowHandle(childId)
          .cancel()
          .catch(() => unreachable.push(childId));
      }
      // A child whose start was itself cancelled never existed, and one that just finished has its report on
      // the way: give the latter a moment, then stop waiting for either.
      if (unreachable.length > 0) {
        await condition(() => unreachable.every((childId) => !state.running[childId]), '5 seconds');
        for (const childId of unreachable) delete state.running[childId];
      }
      await condition(() => runningCount() === 0, '2 minutes');
    });
    throw error;
  }
  runState = 'completed';
  return progressOf(input, state, runState);
}
