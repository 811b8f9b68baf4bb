import { defineQuery } from '@temporalio/workflow';
import type { SyncCounts } from '../migrations/types.js';
import type { RecordCounts } from './messages.js';

export type SyncPhase = 'starting' | 'backfilling' | 'syncing' | 'completed';

export interface SyncResult extends SyncCounts {
  migration: string;
  phase: SyncPhase;
  /** Changes stamped at or after this were read (the watermark less the lookback); null before it is known. */
  since: string | null;
  /** The watermark this sync commits: the source's latest change stamp when it began. */
  watermark: string | null;
  /** What the first backfill copied, when this sync had to run one. */
  backfilled: RecordCounts | null;
  durationMs: number;
}

export const syncProgressQuery = defineQuery<SyncResult>('syncProgress');
