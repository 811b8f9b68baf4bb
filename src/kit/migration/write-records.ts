import type { Knex } from 'knex';
import type { ChunkContext, ChunkCounts, RejectedRecord } from '../../migrations/types.js';
import { writeChunkTransaction } from '../../target/chunk-transaction.js';
import type { RecordRows } from '../records/record-rows.js';
import type { Target } from '../target/target.js';
import { writeTarget } from '../target/write.js';

/** Pages of a chunk: those read (their failed-page letters, if any, are resolved) and those that stayed malformed. */
export interface ChunkPages {
  good: readonly string[];
  failed: readonly RejectedRecord[];
}

/** One transaction: a chunk's rows and its dead letters land whole or not at all. */
export async function writeRecordRows(
  db: Knex,
  migration: string,
  target: Target,
  context: ChunkContext,
  rows: RecordRows,
  pages: ChunkPages = { good: [], failed: [] },
  finish?: (trx: Knex.Transaction) => Promise<void>,
): Promise<ChunkCounts & { deleted: number }> {
  const keys = rows.keys;
  let deleted = 0;
  const counts = await writeChunkTransaction(db, {
    migration,
    context,
    writtenKeys: [...keys, ...pages.good],
    rejected: rows.rejected,
    failedPages: pages.failed,
    recordTable: { table: target.record.name, key: target.record.key[0] as string, keys },
    write: async (trx) => {
      const { deleted: removed, ...written } = await writeTarget(trx, target, rows.build());
      deleted = removed;
      await finish?.(trx);
      return written;
    },
  });
  return { ...counts, fetched: rows.recordCount, deleted };
}
