import type { Knex } from 'knex';
import type {
  ChunkContext,
  ChunkCounts,
  DryRunDifference,
  RejectedRecord,
  WriteCounts,
} from '../migrations/types.js';
import { fileDeadLetters, resolveDeadLetters } from './dead-letters.js';

export interface RecordTableKeys {
  table: string;
  key: string;
  keys: readonly (string | number)[];
}

export interface ChunkWrite<C extends WriteCounts> {
  migration: string;
  context: ChunkContext;
  /** Keys of the records being written: their open dead letters, if any, are resolved. */
  writtenKeys: readonly string[];
  rejected: readonly RejectedRecord[];
  /** Pages that stayed malformed: filed like records, keyed by their address, to be fetched again. */
  failedPages?: readonly RejectedRecord[];
  /** Writes the rows; records it finds it cannot write (`refused`) are dead-lettered with the others. */
  write(trx: Knex.Transaction): Promise<C & { refused?: readonly RejectedRecord[] }>;
  /**
   * The tables that hold one row per record, each with its column of the source key and the keys of the records
   * it takes: compared before and after a dry run's write for its sample.
   */
  recordTables?: readonly RecordTableKeys[];
}

/** Differences a dry run samples per chunk: enough to show what would change, bounded for workflow history. */
const DIFFERENCES_PER_CHUNK = 3;

/**
 * Rows by key, as jsonb so that dates and numerics compare as PostgreSQL renders them. The key column is compared
 * uncast, so its primary-key index serves the lookup.
 */
async function rowsByKey(
  trx: Knex.Transaction,
  recordTables: readonly RecordTableKeys[],
): Promise<Map<string, Record<string, string | null>>> {
  const byKey = new Map<string, Record<string, string | null>>();
  for (const recordTable of recordTables) {
    if (recordTable.keys.length === 0) continue;
    const { rows } = await trx.raw<{ rows: { key: string; row: Record<string, string | null> }[] }>(
      'select t.??::text as key, to_jsonb(t) as row from ?? t where t.?? = any(?)',
      [recordTable.key, recordTable.table, recordTable.key, recordTable.keys.map(String)],
    );
    for (const row of rows) byKey.set(row.key, row.row);
  }
  return byKey;
}

/**
 * Which records a dry run would insert, and which fields of the record's own row it would change (an empty list:
 * only its child rows, such as an order's lines). Record keys and column names only: values stay in the database.
 */
function sampleDifferences(
  before: Map<string, Record<string, unknown>>,
  after: Map<string, Record<string, unknown>>,
  limit: number,
): DryRunDifference[] {
  const differences: DryRunDifference[] = [];
  for (const [key, row] of after) {
    if (differences.length >= limit) break;
    const old = before.get(key);
    if (!old) {
      differences.push({ key, change: 'insert', fields: [] });
      continue;
    }
    const fields = Object.keys(row).filter(
      (field) => JSON.stringify(row[field]) !== JSON.stringify(old[field]),
    );
    if (fields.length > 0) differences.push({ key, change: 'update', fields });
  }
  return differences;
}

/**
 * One chunk in one transaction: its rows, its dead letters, and whatever the caller's `write` adds (a sync's
 * watermark), so that none lands without the others. A dry run does all of it and rolls back, so its counts are
 * what a real run would report.
 */
export async function writeChunkTransaction<C extends WriteCounts>(
  db: Knex,
  chunk: ChunkWrite<C>,
): Promise<C & Pick<ChunkCounts, 'deadLettered' | 'failedPages' | 'differences'>> {
  const trx = await db.transaction();
  const sampled = chunk.context.dryRun ? chunk.recordTables : undefined;
  try {
    const before = sampled ? await rowsByKey(trx, sampled) : undefined;
    const writing = performance.now();
    const { refused = [], ...counts } = await chunk.write(trx);
    const writeMs = performance.now() - writing;
    const refusedKeys = new Set(refused.map((record) => record.sourceKey));
    const rejected = [...chunk.rejected, ...refused];
    const differences =
      sampled && before
        ? sampleDifferences(
            before,
            await rowsByKey(trx, sampled),
            chunk.context.differencesLimit ?? DIFFERENCES_PER_CHUNK,
          )
        : undefined;
    await resolveDeadLetters(
      trx,
      chunk.migration,
      chunk.writtenKeys.filter((key) => !refusedKeys.has(key)),
    );
    await fileDeadLetters(trx, chunk.migration, chunk.context.deadLetters, 'InvalidRecordError', rejected);
    await fileDeadLetters(
      trx,
      chunk.migration,
      chunk.context.deadLetters,
      'MalformedPageError',
      chunk.failedPages ?? [],
    );
    const written = (counts as WriteCounts).inserted + (counts as WriteCounts).updated;
    await chunk.context.timer?.record(trx, {
      records: written + (counts as WriteCounts).unchanged + rejected.length,
      written,
      deadLettered: rejected.length,
      writeMs,
    });
    if (chunk.context.dryRun) await trx.rollback();
    else await trx.commit();
    return {
      ...(counts as unknown as C),
      deadLettered: rejected.length,
      failedPages: chunk.failedPages?.length ?? 0,
      ...(differences ? { differences } : {}),
    };
  } catch (error) {
    if (!trx.isCompleted()) await trx.rollback();
    throw error;
  }
}
