import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
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
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { ferrySearchAttributes } from '../search-attributes.js';
import {
  type BackfillState,
  controlOf,
  initialState,
  isPaused,
  pausedMsOf,
  progressOf,
} from './backfill-state.js';
import { chunkPagesBound } from './chunk-bound.js';
import {
  CONCURRENCY_RANGE,
  type ControlAnswer,
  pauseUpdate,
  RATE_RANGE,
  requireWholeNumber,
  resumeUpdate,
  setConcurrencyUpdate,
  setRateLimitUpdate,
} from './control.js';
import { backfillCurrentDetails, optionsDetails, partitionSummary } from './details.js';
import { historyIsLong } from './history.js';
import {
  addCounts,
  type BackfillProgress,
  type PartitionCheckpoint,
  type PartitionDone,
  type PartitionProgressUpdate,
  partitionDoneSignal,
  partitionProgressSignal,
  partitionRateSignal,
  partitionYieldSignal,
  progressQuery,
  type RunState,
  SAMPLE_SIZE,
  ZERO_COUNTS,
} from './messages.js';
import { partition } from './partition.js';
import { CHUNK_ACTIVITY_OPTIONS, NON_RETRYABLE } from './retry.js';
import { partitionIdOf, planWindowAt, planWindowCount } from './windows.js';

const { verifySample } = proxyActivities<Activities>(CHUNK_ACTIVITY_OPTIONS);
const { planBackfill } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: {
    initialInterval: '1 second',
    maximumInterval: '30 seconds',
    nonRetryableErrorTypes: NON_RETRYABLE,
  },
});

/** Records a backfill compares with the source at its end, unless told otherwise. */
export const DEFAULT_VERIFY_SAMPLE = 100;

/** The Web UI's current details are rebuilt at most this often while records flow; state changes show at once. */
const DETAILS_REFRESH_MS = 2_000;

/** Every option resolved by the caller (the CLI fills in the migration's defaults): plain data only. */
export interface BackfillInput {
  migration: string;
  connection: string;
  /** Creation-time range [from, to); from defaults to the source's first record, to to the plan's now. */
  from?: string;
  to?: string;
  partitionDays: number;
  /**
   * `records`: the plan cuts the range into windows of about equal record counts (from the source's counts);
   * absent: windows of partitionDays (runs started before the plan could, and sources read in fixed stretches).
   */
  partitionBy?: 'records';
  concurrency: number;
  /** Requests per minute to the source for the whole run, shared by its partitions; null or absent: none. */
  requestsPerMinute?: number | null;
  pageSize: number;
  pagesPerChunk: number;
  /** Partitions size their chunks by how long the last one took, starting at pagesPerChunk (see partition). */
  adaptChunkSize?: boolean;
  maxPasses: number;
  /** Continue as new past this many history events, in the backfill and in each partition. */
  maxHistoryEvents: number;
  /**
   * After the windows, copy what changed in the range since the backfill started (less the lookback for
   * writers whose clocks or commits lag), so that orders modified, created or trashed meanwhile are current.
   */
  catchUp: boolean;
  catchUpLookbackSeconds: number;
  /**
   * Fetch and transform everything, write it in transactions that are rolled back: the report's counts are what
   * a real run would do, and nothing changes. The caller turns the catch-up off (nothing was copied to catch up).
   */
  dryRun?: boolean;
  /** Records compared field by field with the source once everything is copied (`ferry verify`'s sample). */
  verifySample?: number;
  /** The run's options for its migration (a field migration's plan): plain JSON, passed to every activity. */
  options?: unknown;
  /** Carried across continue-as-new. */
  state?: BackfillState;
}

export type { BackfillState } from './backfill-state.js';
export type BackfillReport = BackfillProgress;

/** The backfill's state and its message handlers, in one place (samples-typescript's safe-message-handlers). */
class BackfillRun {
  private readonly state: BackfillState;
  private runState: RunState = 'running';
  private detailsShownAtMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly input: BackfillInput) {
    this.state =
      input.state ??
      initialState({
        concurrency: input.concurrency,
        requestsPerMinute: input.requestsPerMinute ?? null,
      });
    this.listen();
  }

  private progress(): BackfillProgress {
    return progressOf(this.state, this.input, this.runState);
  }

  private runningCount(): number {
    return Object.keys(this.state.running).length;
  }

  private catchUpIndex(): number {
    return this.input.catchUp ? this.state.totalPartitions - 1 : -1;
  }

  private childIdOf(index: number): string {
    return index === this.catchUpIndex()
      ? `${workflowInfo().workflowId}/catch-up`
      : partitionIdOf(workflowInfo().workflowId, index);
  }

  private showDetails(force: boolean): void {
    if (!force && Date.now() - this.detailsShownAtMs < DETAILS_REFRESH_MS) return;
    this.detailsShownAtMs = Date.now();
    setCurrentDetails(backfillCurrentDetails(this.progress()));
  }

  /** The catch-up runs alone, so it gets the whole limit; windows split it by the configured concurrency. */
  private rateShare(index: number): number | null {
    const limit = this.state.control.requestsPerMinute;
    if (limit === null) return null;
    return index === this.catchUpIndex() ? limit : limit / this.state.control.concurrency;
  }

  /** Brings the running partitions in line with the control: asks the excess to yield, re-splits the rate. */
  private async applyControl(): Promise<void> {
    const slots = isPaused(this.state) ? 0 : this.state.control.concurrency;
    // The latest started have done the least, so they are the ones to give their slot back.
    const active = Object.entries(this.state.running)
      .filter(([, child]) => !child.yielding)
      .sort(([, a], [, b]) => b.index - a.index);
    const excess = Math.max(0, active.length - slots);
    const signals: Promise<void>[] = [];
    for (const [childId, child] of active.slice(0, excess)) {
      child.yielding = true;
      signals.push(getExternalWorkflowHandle(childId).signal(partitionYieldSignal));
    }
    for (const [childId, child] of active.slice(excess)) {
      const share = this.rateShare(child.index);
      if (share === child.requestsPerMinute) continue;
      child.requestsPerMinute = share;
      signals.push(getExternalWorkflowHandle(childId).signal(partitionRateSignal, share));
    }
    // A partition that finished meanwhile cannot be signalled; it has nothing left to change.
    await Promise.all(signals.map((signal) => signal.catch(() => undefined)));
    this.showDetails(true);
  }

  private answer(): ControlAnswer {
    return { ...controlOf(this.state), runningPartitions: this.runningCount() };
  }

  /** Every query, update and signal the backfill answers, registered before anything else runs. */
  private listen(): void {
    setHandler(progressQuery, () => this.progress(), {
      description: 'Partitions and records so far, rate, ETA, and whether the run is paused',
    });
    setHandler(pauseUpdate, () => this.pause(), {
      description:
        'Pause: partitions finish their current chunk and stop; answers once nothing is being written',
    });
    setHandler(resumeUpdate, () => this.resume(), {
      description: 'Resume a paused run: parked partitions continue from their checkpoint',
    });
    setHandler(setConcurrencyUpdate, (concurrency) => this.setConcurrency(concurrency), {
      validator: (concurrency) => {
        requireWholeNumber('concurrency', concurrency, CONCURRENCY_RANGE);
      },
      description: `Partitions running at once (${CONCURRENCY_RANGE.min}-${CONCURRENCY_RANGE.max}); a lower number parks the excess after their current chunk`,
    });
    setHandler(setRateLimitUpdate, (requestsPerMinute) => this.setRateLimit(requestsPerMinute), {
      validator: (requestsPerMinute) => {
        if (requestsPerMinute !== null)
          requireWholeNumber('requestsPerMinute', requestsPerMinute, RATE_RANGE);
      },
      description: `Requests per minute to the source for the whole run (${RATE_RANGE.min}-${RATE_RANGE.max}, or null for none); applies from each partition's next chunk`,
    });
    setHandler(partitionProgressSignal, (update) => this.onPartitionProgress(update), {
      description: 'From a partition after each chunk: its counts so far',
    });
    setHandler(partitionDoneSignal, (done) => this.onPartitionDone(done), {
      description: 'From a partition when it ends: its report, or its checkpoint when it yielded its slot',
    });
  }

  private async pause(): Promise<ControlAnswer> {
    if (!isPaused(this.state)) {
      this.state.pausedAtMs = Date.now();
      await this.applyControl();
    }
    // Acknowledged once nothing writes: every partition has committed its chunk and given its slot back.
    await condition(() => this.runningCount() === 0);
    this.showDetails(true);
    return this.answer();
  }

  private resume(): ControlAnswer {
    if (isPaused(this.state)) {
      this.state.pausedMs = pausedMsOf(this.state);
      this.state.pausedAtMs = null;
      this.showDetails(true);
    }
    return this.answer();
  }

  private async setConcurrency(concurrency: number): Promise<ControlAnswer> {
    this.state.control.concurrency = concurrency;
    await this.applyControl();
    return this.answer();
  }

  private async setRateLimit(requestsPerMinute: number | null): Promise<ControlAnswer> {
    this.state.control.requestsPerMinute = requestsPerMinute;
    await this.applyControl();
    return this.answer();
  }

  private onPartitionProgress({ childId, counts }: PartitionProgressUpdate): void {
    const child = this.state.running[childId];
    if (child) child.counts = counts;
    this.showDetails(false);
  }

  private onPartitionDone({ childId, report }: PartitionDone): void {
    const state = this.state;
    if (!state.running[childId]) return; // a duplicate report
    delete state.running[childId];
    if (report.outcome === 'yielded' && report.resume) {
      state.parked.push({ index: report.index, resume: report.resume });
    } else {
      state.finished = addCounts(state.finished, report.counts);
      state.partitionsDone++;
      if (report.outcome !== 'exact' && report.outcome !== 'dry-run') state.problems.push(report);
      if (report.sample) state.sample = [...(state.sample ?? []), ...report.sample].slice(0, SAMPLE_SIZE);
      if (report.fatal && !state.fatalError) state.fatalError = report.error ?? 'a partition failed';
    }
    state.maxHistoryEvents = Math.max(state.maxHistoryEvents, report.maxHistoryEvents);
    this.showDetails(true);
  }

  /** The partition to start next, if a slot is free: parked ones first, the catch-up only once all else is done. */
  private nextPartition(): { index: number; resume?: PartitionCheckpoint } | null {
    const state = this.state;
    if (isPaused(state) || state.fatalError || this.runningCount() >= state.control.concurrency) return null;
    const parked = state.parked[0];
    if (parked) return parked;
    if (state.nextIndex >= state.totalPartitions) return null;
    if (state.nextIndex === this.catchUpIndex() && this.runningCount() > 0) return null;
    return { index: state.nextIndex };
  }

  private allDone(): boolean {
    const state = this.state;
    return state.nextIndex >= state.totalPartitions && state.parked.length === 0 && this.runningCount() === 0;
  }

  /**
   * The pages of a partition's first chunk. Windows of equal work that hold little (a small store's) are read in
   * one chunk: a second chunk per window would cost a round trip for a few pages. Otherwise the configured size,
   * from which the chunks adapt.
   */
  private firstChunkPages(): number {
    const { plan } = this.state;
    const { adaptChunkSize, pagesPerChunk, pageSize } = this.input;
    if (!adaptChunkSize) return pagesPerChunk;
    // Chunks that adapt start within their bound too (pages of 1,000 would start at 10,000 records).
    if (!plan?.cuts) return Math.min(pagesPerChunk, chunkPagesBound(pageSize));
    // Windows hold their share give or take a quarter (see equalWorkCuts).
    const windowPages = Math.ceil((plan.sourceTotal / (plan.cuts.length + 1) / pageSize) * 1.25);
    const pages = windowPages <= 2 * pagesPerChunk ? Math.max(pagesPerChunk, windowPages) : pagesPerChunk;
    return Math.min(pages, chunkPagesBound(pageSize));
  }

  private async startPartition(index: number, resume: PartitionCheckpoint | undefined): Promise<void> {
    const { state, input } = this;
    const plan = state.plan;
    if (!plan?.from) throw new Error('a partition was started without a plan');
    const catchUp = index === this.catchUpIndex();
    const childId = this.childIdOf(index);
    // Without an explicit end the catch-up reaches up to now, so orders created meanwhile are included.
    const window = catchUp
      ? { from: plan.from, to: input.to ?? new Date(Date.now() + 24 * 3600 * 1000).toISOString() }
      : planWindowAt({ ...plan, from: plan.from }, input.partitionDays, index);
    const requestsPerMinute = this.rateShare(index);
    state.running[childId] = {
      index,
      counts: resume?.counts ?? ZERO_COUNTS,
      requestsPerMinute,
      yielding: false,
    };
    const args = {
      parentId: workflowInfo().workflowId,
      parentRunId: workflowInfo().firstExecutionRunId,
      index,
      migration: input.migration,
      connection: input.connection,
      window,
      changesSince: catchUp
        ? new Date(state.startedAtMs - input.catchUpLookbackSeconds * 1000).toISOString()
        : undefined,
      pageSize: input.pageSize,
      pagesPerChunk: this.firstChunkPages(),
      ...(input.adaptChunkSize ? { adaptChunkSize: true } : {}),
      maxPasses: input.maxPasses,
      maxHistoryEvents: input.maxHistoryEvents,
      requestsPerMinute,
      ...(input.dryRun ? { dryRun: true } : {}),
      ...(input.options === undefined ? {} : { options: input.options }),
      state: resume,
    };
    const started = startChild(partition, {
      workflowId: childId,
      parentClosePolicy: ParentClosePolicy.ABANDON,
      typedSearchAttributes: ferrySearchAttributes(input.migration, 'partition'),
      staticSummary: partitionSummary(index, state.totalPartitions, window, catchUp),
      staticDetails: optionsDetails({
        ...args,
        from: window.from,
        to: window.to,
        resumedAtPage: resume?.cursor?.page ?? resume?.page ?? undefined,
      }),
      args: [args],
    });
    try {
      await started;
    } catch (error) {
      // A partition that just yielded may not have closed yet when its slot comes back: try again shortly.
      if (!(resume && error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      delete state.running[childId];
      state.parked.unshift({ index, resume });
      await sleep('1 second');
    }
  }

  async run(): Promise<BackfillReport> {
    const { state, input } = this;
    try {
      this.showDetails(true);
      if (!state.plan) {
        state.plan = await planBackfill({
          migration: input.migration,
          connection: input.connection,
          from: input.from,
          to: input.to,
          requestsPerMinute: state.control.requestsPerMinute,
          ...(input.options === undefined ? {} : { options: input.options }),
          ...(input.partitionBy === 'records'
            ? {
                equalWork: {
                  concurrency: state.control.concurrency,
                  // Chunks that adapt grow to the bound on a fast source: windows are sized for those.
                  recordsPerChunk:
                    input.pageSize *
                    (input.adaptChunkSize ? chunkPagesBound(input.pageSize) : input.pagesPerChunk),
                  pageSize: input.pageSize,
                },
              }
            : {}),
        });
        const windows = state.plan.from
          ? planWindowCount({ ...state.plan, from: state.plan.from }, input.partitionDays)
          : 0;
        // One more partition after the windows: the catch-up over what changed while they were copied.
        state.totalPartitions = windows > 0 && input.catchUp ? windows + 1 : windows;
        this.showDetails(true);
      }
      while (!this.allDone()) {
        if (state.fatalError) throw ApplicationFailure.nonRetryable(state.fatalError, 'PartitionFailed');
        // Partitions that can start now start together: one round trip to the server for all, not one each.
        const together = patched('start-partitions-together');
        const starting: Promise<void>[] = [];
        for (let next = this.nextPartition(); next; next = this.nextPartition()) {
          if (next.resume) state.parked.shift();
          else state.nextIndex++;
          const started = this.startPartition(next.index, next.resume);
          if (together) starting.push(started);
          else await started;
        }
        await Promise.all(starting);
        if (historyIsLong(input.maxHistoryEvents)) {
          await condition(allHandlersFinished);
          state.maxHistoryEvents = Math.max(state.maxHistoryEvents, workflowInfo().historyLength);
          state.continuedAsNew++;
          await continueAsNew<typeof backfill>({ ...input, state });
        }
        await condition(
          () =>
            this.nextPartition() !== null ||
            this.allDone() ||
            state.fatalError !== null ||
            historyIsLong(input.maxHistoryEvents),
        );
      }
      if (state.fatalError) throw ApplicationFailure.nonRetryable(state.fatalError, 'PartitionFailed');
      // The final report says whether a random sample of what was written equals the source, field by field.
      // Runs recorded before this check existed complete without it.
      const sample = input.verifySample ?? DEFAULT_VERIFY_SAMPLE;
      if (patched('final-sample-check') && !input.dryRun && state.plan?.from && sample > 0) {
        this.showDetails(true);
        state.verification ??= await verifySample({
          migration: input.migration,
          connection: input.connection,
          requestsPerMinute: state.control.requestsPerMinute,
          sample,
          repair: false,
          ...(input.options === undefined ? {} : { options: input.options }),
        });
      }
    } catch (error) {
      if (error instanceof ContinueAsNew) throw error; // not a failure: this run hands over to the next
      this.runState = isCancellation(error) ? 'cancelled' : 'failed';
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
        await condition(() => this.runningCount() === 0, '2 minutes');
      });
      this.showDetails(true);
      throw error;
    }
    this.runState = 'completed';
    this.showDetails(true);
    return this.progress();
  }
}

/**
 * Cuts [from, to) into windows and runs each as a partition child, never more than `concurrency` at once.
 * Children report by signal, so this workflow can continue as new at any time with the running ones in its
 * state; they are started with ABANDON so that continuing as new does not end them. Operators steer the run
 * with updates: a pause or a lower concurrency asks partitions to give their slot back after their chunk,
 * and those resume later from their checkpoint; a new rate limit is split among the running partitions.
 */
export async function backfill(input: BackfillInput): Promise<BackfillReport> {
  return new BackfillRun(input).run();
}
