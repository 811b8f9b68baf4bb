import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { TimeWindow } from '../migrations/types.js';

export interface RecordCounts {
  fetched: number;
  inserted: number;
  updated: number;
  unchanged: number;
}

export const ZERO_COUNTS: RecordCounts = { fetched: 0, inserted: 0, updated: 0, unchanged: 0 };

export function addCounts(a: RecordCounts, b: RecordCounts): RecordCounts {
  return {
    fetched: a.fetched + b.fetched,
    inserted: a.inserted + b.inserted,
    updated: a.updated + b.updated,
    unchanged: a.unchanged + b.unchanged,
  };
}

export type PartitionOutcome = 'exact' | 'mismatch' | 'failed' | 'cancelled';

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
  partitions: { total: number; done: number; running: number; failed: number; mismatched: number };
  /** Exact for finished partitions; running ones lag by at most one chunk. */
  records: RecordCounts;
  sourceTotal: number;
  startedAt: string;
  elapsedMs: number;
  recordsPerSecond: number;
  etaSeconds: number | null;
  /** Partitions that did not end exact. */
  problems: PartitionReport[];
  maxHistoryEvents: number;
  continuedAsNew: number;
}

/** Children report after every chunk; signals go to the parent's workflow id, so they reach its latest run. */
export const partitionProgressSignal = defineSignal<[PartitionProgressUpdate]>('partitionProgress');
export const partitionDoneSignal = defineSignal<[PartitionDone]>('partitionDone');
export const progressQuery = defineQuery<BackfillProgress>('progress');
