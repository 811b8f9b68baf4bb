import { defineQuery } from '@temporalio/workflow';
import type { InputKind } from '../matching/input-kinds.js';
import type { MatchInputs, StagedCounts } from '../matching/inputs.js';
import type { StepCounts } from '../matching/partition.js';
import type { MatchRules } from '../matching/rules.js';
import type { BucketRange } from '../matching/sql.js';

/** A match run's options, validated by the caller: plain data only. */
export interface MatchInput {
  inputs: MatchInputs;
  rules: MatchRules;
  partitions: number;
  concurrency: number;
}

export type MatchPhase = 'loading' | 'staging' | 'customers' | 'matching' | 'done';

export interface MatchPartitionInput {
  runId: string;
  range: BucketRange;
  rules: MatchRules;
}

/** What an operator sees of a match run: where it is, and what it matched so far, per rule. */
export interface MatchProgress {
  runId: string;
  phase: MatchPhase;
  /** How long each phase took (seconds), those ended so far. */
  phaseSeconds: Partial<Record<MatchPhase, number>>;
  paused: boolean;
  concurrency: number;
  /** The inputs given as CSV files: lines loaded and dead-lettered, per kind. */
  loaded: Partial<Record<InputKind, { loaded: number; refused: number }>>;
  staged: StagedCounts | null;
  /** Payments whose customer was found, and those listed for review because it could not be. */
  customers: StepCounts;
  partitions: { total: number; done: number; running: number };
  rules: Record<string, StepCounts>;
}

/**
 * Partitions matched at once: each holds one of the worker's 10 PostgreSQL connections for as long as it runs,
 * and a few must stay free for staging, CSV chunks and heartbeats' neighbours. The declaration, the CLI and the
 * setConcurrency update share this bound.
 */
export const MATCH_CONCURRENCY_RANGE = { min: 1, max: 8 } as const;

/** Lines per chunk of an input CSV file: a chunk is one transaction, about 50 MB of rows at most. */
export const CSV_INPUT_CHUNK_LINES = 50_000;

export const matchProgressQuery = defineQuery<MatchProgress>('matchProgress');

export const ZERO_STEP: StepCounts = { matched: 0, reviewed: 0, matchedCents: 0 };

export function addStep(a: StepCounts, b: StepCounts): StepCounts {
  return {
    matched: a.matched + b.matched,
    reviewed: a.reviewed + b.reviewed,
    matchedCents: a.matchedCents + b.matchedCents,
  };
}
