import type { Knex } from 'knex';
import { incrementalOf } from '../migrations/registry.js';
import { cursorOf, type SyncChunkResult, type SyncRequest } from '../migrations/types.js';
import type { ActivityDeps } from './deps.js';
import type { SourceInput, WithMigration } from './source-scope.js';

export interface SyncStart {
  /** The migration's watermark, or null when it has never synced (a backfill comes first). */
  watermark: string | null;
  /** The source's latest change stamp before this sync reads anything; the watermark it commits. */
  latestChange: string | null;
}

export interface SyncChunkInput extends SyncRequest, SourceInput {
  /** Written with the last chunk, in its transaction; null: the source is empty and there is nothing to mark. */
  commitWatermark: string | null;
  /** The sync's workflow id, kept with the watermark to tell which run moved it. */
  runId: string;
}

type LegacySyncChunkInput = Omit<SyncChunkInput, 'cursor'> & { after: string | number | null };

/**
 * Advances the watermark, never backwards: a sync that started earlier but finished later (a manual one beside
 * the schedule) cannot undo a newer mark.
 */
async function advanceWatermark(trx: Knex.Transaction, migration: string, watermark: string, runId: string) {
  await trx.raw(
    `insert into ferry_watermarks (migration, watermark, run_id, updated_at) values (?, ?, ?, now())
     on conflict (migration) do update set
       watermark = greatest(ferry_watermarks.watermark, excluded.watermark),
       run_id = excluded.run_id,
       updated_at = excluded.updated_at`,
    [migration, watermark, runId],
  );
}

export function createSyncActivities(deps: ActivityDeps, withMigration: WithMigration) {
  return {
    /** Prepares the target tables, reads the watermark and asks the source for its latest change stamp. */
    startSync: (input: SourceInput): Promise<SyncStart> =>
      withMigration(input, async (migration, source) => {
        const incremental = incrementalOf(migration);
        await migration.prepareTarget(deps.db);
        const row = await deps
          .db('ferry_watermarks')
          .where({ migration: migration.name })
          .first<{ watermark: Date } | undefined>('watermark');
        return {
          watermark: row ? row.watermark.toISOString() : null,
          latestChange: await incremental.latestChange(source),
        };
      }),

    /**
     * One chunk of changes in one transaction; the last chunk moves the watermark in that same transaction. A sync
     * of an earlier ferry asks by record key (`after`).
     */
    syncChunk: (input: SyncChunkInput | LegacySyncChunkInput): Promise<SyncChunkResult> =>
      withMigration(input, (migration, source, context) =>
        incrementalOf(migration).syncChunk(
          deps.db,
          source,
          { ...input, cursor: cursorOf(input) },
          async (trx) => {
            if (input.commitWatermark !== null) {
              await advanceWatermark(trx, migration.name, input.commitWatermark, input.runId);
            }
          },
          context,
        ),
      ),
  };
}
