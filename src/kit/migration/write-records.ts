import type { Knex } from 'knex';
import type { ChunkContext, ChunkCounts, RejectedRecord } from '../../migrations/types.js';
import { writeChunkTransaction } from '../../target/chunk-transaction.js';
import type { RecordRows } from '../records/record-rows.js';
import type { Targets } from '../target/routes.js';
import { writeDimensions, writeTargets } from '../target/write.js';

/** Pages of a chunk: those read (their failed-page letters, if any, are resolved) and those that stayed malformed. */
export interface ChunkPages {
  good: readonly string[];
  failed: readonly RejectedRecord[];
}

/** One transaction: a chunk's rows and its dead letters land whole or not at all. */
export async function writeRecordRows(
  db: Knex,
  migration: string,
  targets: Targets,
  context: ChunkContext,
  rows: RecordRows,
  pages: ChunkPages = { good: [], failed: [] },
  finish?: (trx: Knex.Transaction) => Promise<void>,
): Promise<ChunkCounts & { deleted: number }> {
  const keys = rows.keys;
  const keysByTarget = rows.keysByTarget();
  const built = rows.build();
  // A dry run writes nothing that outlives it: its dimensions stay in its rolled-back transaction.
  const dimensionIds = context.dryRun ? undefined : await writeDimensions(db, targets, built);
  let deleted = 0;
  let rowsByTable: Record<string, number> = {};
  const counts = await writeChunkTransaction(db, {
    migration,
    context,
    writtenKeys: [...keys, ...pages.good],
    rejected: rows.rejected,
    failedPages: pages.failed,
    recordTables: [...keysByTarget].map(([target, keys]) => ({
      table: target.record.name,
      key: target.sourceKey,
      keys,
    })),
    write: async (trx) => {
      const {
        deleted: removed,
        rowsByTable: byTable,
        ...written
      } = await writeTargets(trx, targets, built, keysByTarget, { dimensionIds });
      deleted = removed;
      rowsByTable = byTable;
      await finish?.(trx);
      return written;
    },
  });
  return { ...counts, fetched: rows.recordCount, deleted, rowsByTable };
}
