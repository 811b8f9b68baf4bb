import type { Knex } from 'knex';

/**
 * Where a run's chunks' time went, summed over its partitions (ferry_chunk_timings): reading and transforming,
 * writing, waiting on the pace; the rest of the partitions' time is between chunks (Temporal's round trips). In
 * milliseconds, so that bench:compare can set two versions side by side (`ferry report` gives the same as shares).
 * Every chunk of the database counts: each bench run writes into a database of its own.
 */
export async function chunkTimes(db: Knex) {
  const { rows } = await db.raw<{ rows: Record<string, string>[] }>(
    `select count(*) as count, coalesce(sum(records), 0) as records, coalesce(sum(source_ms), 0) as source_ms,
            coalesce(sum(write_ms), 0) as write_ms, coalesce(sum(wait_ms), 0) as wait_ms from ferry_chunk_timings`,
  );
  const row = rows[0] ?? {};
  return {
    count: Number(row.count),
    records: Number(row.records),
    sourceMs: Number(row.source_ms),
    writeMs: Number(row.write_ms),
    waitMs: Number(row.wait_ms),
  };
}
