import { workflowInfo } from '@temporalio/workflow';
import type { Plan } from '../activities/backfill.js';
import type { SampleResult } from '../activities/verify.js';
import type { DryRunDifference } from '../migrations/types.js';
import type { RunControl } from './control.js';
import {
  addCounts,
  type BackfillProgress,
  type PartitionCheckpoint,
  type PartitionReport,
  type RecordCounts,
  type RunState,
  ZERO_COUNTS,
} from './messages.js';

export interface RunningPartition {
  index: number;
  counts: RecordCounts;
  /** The share of the rate limit this partition was last given. */
  requestsPerMinute: number | null;
  /** Asked to give its slot back; it does so after its current chunk. */
  yielding: boolean;
}

/** A partition that yielded its slot, waiting to resume from its checkpoint. */
export interface ParkedPartition {
  index: number;
  resume: PartitionCheckpoint;
}

/** Everything the backfill carries across continue-as-new. */
export interface BackfillState {
  plan: Plan | null;
  totalPartitions: number;
  nextIndex: number;
  /** Children started and not yet reported done, by workflow id. */
  running: Record<string, RunningPartition>;
  parked: ParkedPartition[];
  /** Concurrency and rate limit as the operator last set them; paused is derived from pausedAtMs. */
  control: Omit<RunControl, 'paused'>;
  finished: RecordCounts;
  partitionsDone: number;
  problems: PartitionReport[];
  fatalError: string | null;
  startedAtMs: number;
  /** Paused time before the current pause; pausedAtMs marks when the current one began (null: not paused). */
  pausedMs: number;
  pausedAtMs: number | null;
  maxHistoryEvents: number;
  continuedAsNew: number;
  /** A dry run's sample of differences, from the partitions' reports. */
  sample?: DryRunDifference[];
  /** The final check of a random sample against the source. */
  verification?: SampleResult;
}

export function initialState(control: Omit<RunControl, 'paused'>): BackfillState {
  return {
    plan: null,
    totalPartitions: 0,
    nextIndex: 0,
    running: {},
    parked: [],
    control,
    finished: ZERO_COUNTS,
    partitionsDone: 0,
    problems: [],
    fatalError: null,
    startedAtMs: Date.now(),
    pausedMs: 0,
    pausedAtMs: null,
    maxHistoryEvents: 0,
    continuedAsNew: 0,
  };
}

export function isPaused(state: BackfillState): boolean {
  return state.pausedAtMs !== null;
}

export function controlOf(state: BackfillState): RunControl {
  return { paused: isPaused(state), ...state.control };
}

export function pausedMsOf(state: BackfillState): number {
  return state.pausedMs + (state.pausedAtMs === null ? 0 : Math.max(0, Date.now() - state.pausedAtMs));
}

export function progressOf(
  state: BackfillState,
  input: { migration: string; from?: string; to?: string; dryRun?: boolean },
  runState: RunState,
): BackfillProgress {
  let records = state.finished;
  for (const child of Object.values(state.running)) records = addCounts(records, child.counts);
  for (const parked of state.parked) records = addCounts(records, parked.resume.counts);
  const elapsedMs = Math.max(0, Date.now() - state.startedAtMs);
  const pausedMs = pausedMsOf(state);
  const workingMs = Math.max(0, elapsedMs - pausedMs);
  const recordsPerSecond = workingMs > 0 ? (records.fetched * 1000) / workingMs : 0;
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
      parked: state.parked.length,
      failed: state.problems.filter((problem) => problem.outcome === 'failed').length,
      mismatched: state.problems.filter((problem) => problem.outcome === 'mismatch').length,
    },
    control: controlOf(state),
    records,
    sourceTotal,
    startedAt: new Date(state.startedAtMs).toISOString(),
    elapsedMs,
    pausedMs,
    recordsPerSecond: Math.round(recordsPerSecond * 10) / 10,
    etaSeconds: recordsPerSecond > 0 && !isPaused(state) ? Math.round(remaining / recordsPerSecond) : null,
    problems: state.problems,
    maxHistoryEvents: Math.max(state.maxHistoryEvents, workflowInfo().historyLength),
    continuedAsNew: state.continuedAsNew,
    ...(input.dryRun ? { dryRun: true, sample: state.sample ?? [] } : {}),
    ...(state.verification ? { verification: state.verification } : {}),
  };
}
