import { msToNumber } from '@temporalio/common';
import { z } from 'zod';
import { checkedPageSize, getMigration, incrementalOf } from '../migrations/registry.js';
import { RATE_RANGE } from '../workflows/control.js';
import type { IncrementalSyncInput } from '../workflows/incremental-sync.js';
import { type BackfillOptions, resolveBackfill } from './backfill.js';
import { invalidOption } from './options.js';

/** A duration as people write it ('30s', '5m', '1h', '2 days') in milliseconds. */
export const durationMs = z.string().transform((value, context) => {
  try {
    const ms = msToNumber(value as Parameters<typeof msToNumber>[0]);
    if (Number.isFinite(ms) && ms >= 0) return ms;
  } catch {
    // reported below
  }
  context.addIssue({ code: 'custom', message: `'${value}' is not a duration such as 30s, 5m or 1h` });
  return z.NEVER;
});

export const syncOptionsSchema = z.object({
  migration: z.string().min(1),
  connection: z.string().min(1).optional(),
  lookback: durationMs.optional(),
  pageSize: z.number().int().min(1).optional(),
  pagesPerChunk: z.number().int().min(1).max(50).optional(),
  requestsPerMinute: z.number().int().min(RATE_RANGE.min).max(RATE_RANGE.max).optional(),
  maxHistoryEvents: z.number().int().min(100).max(40_000).default(5_000),
});

export type SyncOptions = z.input<typeof syncOptionsSchema> & {
  /** How the first sync backfills, when the migration has no watermark yet. */
  backfill?: Omit<BackfillOptions, 'migration' | 'connection' | 'id'>;
};

/** Resolves the migration's defaults so that the workflow receives complete, plain options. */
export function resolveSync(options: SyncOptions): IncrementalSyncInput {
  const parsed = syncOptionsSchema.safeParse(options);
  if (!parsed.success) throw invalidOption(parsed.error);
  const o = parsed.data;
  const migration = getMigration(o.migration);
  const incremental = incrementalOf(migration);
  const connection = o.connection ?? migration.defaultConnection;
  return {
    migration: migration.name,
    connection,
    lookbackSeconds: Math.round((o.lookback ?? incremental.defaultLookbackSeconds * 1000) / 1000),
    pageSize: checkedPageSize(migration, o.pageSize),
    pagesPerChunk: o.pagesPerChunk ?? migration.defaults.pagesPerChunk,
    requestsPerMinute: o.requestsPerMinute ?? null,
    maxHistoryEvents: o.maxHistoryEvents,
    backfill: resolveBackfill({
      ...options.backfill,
      migration: migration.name,
      connection,
      requestsPerMinute: options.backfill?.requestsPerMinute ?? o.requestsPerMinute,
    }).input,
  };
}
