import type { Knex } from 'knex';

/**
 * The cluster's WAL counters (pg_stat_wal), zeroed before a run and read after it: `walBuffersFull` counts the
 * times a session found the WAL buffers full and had to write WAL itself before it could go on.
 */
export async function resetWalStats(db: Knex): Promise<void> {
  await db.raw(`select pg_stat_reset_shared('wal')`);
}

export async function walStats(db: Knex): Promise<{ walBuffersFull: number; walMb: number }> {
  const { rows } = await db.raw<{ rows: { full: string; bytes: string }[] }>(
    'select wal_buffers_full as full, wal_bytes as bytes from pg_stat_wal',
  );
  return {
    walBuffersFull: Number(rows[0]?.full ?? 0),
    walMb: Math.round(Number(rows[0]?.bytes ?? 0) / 2 ** 20),
  };
}
