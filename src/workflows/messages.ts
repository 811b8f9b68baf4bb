import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { SampleResult } from '../activities/verify.js';
import type { Cursor, DryRunDifference, TimeWindow } from '../migrations/types.js';
import type { RunControl } from './control.js';

export interface RecordCounts {
  fetched: number;
  inserted: number;
  updated: number;
  unchanged: number;
  /** Records refused by the transform, filed in ferry_dead_letters: fetched = written + deadLettered. */
  deadLettered: number;
  /** Pages that stayed malformed, filed in ferry_dead_letters to be fetched again. */
  failedPages: number;
}

export const ZERO_COUNTS: RecordCounts = {
  fetched: 0,
  inserted: 0,
  updated: 0,
  unchanged: 0,
  deadLettered: 0,
  failedPages: 0,
};

/** Histories recorded before dead letters existed carry counts without them: those count as 0. */
export function addCounts(a: RecordCounts, b: RecordCounts): RecordCounts {
  return {
    fetched: a.fetched + b.fetched,
    inserted: a.inserted + b.inserted,
    updated: a.updated + b.updated,
    unchanged: a.unchanged + b.unchanged,
    deadLettered: (a.deadLettered ?? 0) + (b.deadLettered ?? 0),
    failedPages: (a.failedPages ?? 0) + (b.failedPages ?? 0),
  };
}

/**
 * 'yielded': the partition gave its slot back (a pause, a lower concurrency) and resumes from `resume`.
 * 'dry-run': copied in transactions that were rolled back, so there were no target counts to check.
 */
export type PartitionOutcome = 'exact' | 'mismatch' | 'failed' | 'cancelled' | 'yielded' | 'dry-run';

/** A partition's checkpoint: where it resumes after continuing as new or after yielding its slot. */
export interface PartitionCheckpoint {
  /**
   * Where the window's listing continues (the listing of its changes, in catch-up mode), or null when the pass
   * is complete. A checkpoint of an earlier ferry lacks it (see `page`).
   */
  cursor?: Cursor | null;
  /** An earlier ferry's checkpoint outside catch-up mode: the next page, or null when the pass was complete. */
  page?: number | null;
  counts: RecordCounts;
  passes: number;
  maxHistoryEvents: number;
  /** A dry run's sample of what would change. */
  sample?: DryRunDifference[];
  /** The pages of the next chunk, when the partition adapts its chunk size. */
  pagesPerChunk?: number;
}

/** How many dry-run differences a partition and a backfill keep: a sample, bounded for workflow history. */
export const SAMPLE_SIZE = 10;

export interface PartitionReport {
  index: number;
  window: TimeWindow;
  counts: RecordCounts;
  outcome: PartitionOutcome;
  /** The source's and the target's counts for the window at the final check. */
  sourceCount?: number;
  targetCount?: number;
  /** Passes over the window: 1 unless the check found a difference and it was copied again. */
  passes: number;
  /** Largest history of any run of this partition. */
  maxHistoryEvents: number;
  error?: string;
  /** The failure cannot be fixed by retrying (refused credentials, invalid configuration). */
  fatal?: boolean;
  /** Where a yielded partition resumes. */
  resume?: PartitionCheckpoint;
  sample?: DryRunDifference[];
}

export interface PartitionProgressUpdate {
  childId: string;
  counts: RecordCounts;
}

export interface PartitionDone {
  childId: string;
  report: PartitionReport;
}

export type RunState = 'running' | 'completed' | 'failed' | 'cancelled';

export interface BackfillProgress {
  state: RunState;
  migration: string;
  range: { from: string | null; to: string | null };
  /** `parked`: partitions that yielded their slot and wait to resume from their checkpoint. */
  partitions: {
    total: number;
    done: number;
    running: number;
    parked: number;
    failed: number;
    mismatched: number;
  };
  /** Paused, concurrency and rate limit as the operator last set them. */
  control: RunControl;
  /** Exact for finished partitions; running ones lag by at most one chunk. */
  records: RecordCounts;
  sourceTotal: number;
  startedAt: string;
  elapsedMs: number;
  /** Time spent paused; the rate and ETA count only the time the run was allowed to work. */
  pausedMs: number;
  recordsPerSecond: number;
  etaSeconds: number | null;
  /** Partitions that did not end exact. */
  problems: PartitionReport[];
  maxHistoryEvents: number;
  continuedAsNew: number;
  /** Nothing was written: the counts say what a real run would do, and `sample` shows some of it. */
  dryRun?: boolean;
  sample?: DryRunDifference[];
  /** The run's final check: a random sample of the target compared field by field with the source. */
  verification?: SampleResult;
}

/** Children report after every chunk; signals go to the parent's workflow id, so they reach its latest run. */
export const partitionProgressSignal = defineSignal<[PartitionProgressUpdate]>('partitionProgress');
export const partitionDoneSignal = defineSignal<[PartitionDone]>('partitionDone');
export const progressQuery = defineQuery<BackfillProgress>('progress');

/** Parent to partition: this partition's share of the run's rate limit (null: none). */
export const partitionRateSignal = defineSignal<[requestsPerMinute: number | null]>('partitionRate');
/** Parent to partition: give the slot back after the current chunk (pause, lower concurrency). */
export const partitionYieldSignal = defineSignal('partitionYield');
