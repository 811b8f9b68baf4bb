import type { Knex } from 'knex';

/** Chunk timings are kept this long; older rows go as new ones come. */
const RETENTION_DAYS = 30;
const PRUNE_EVERY = 100;

/**
 * Where one chunk's time goes, counted while it runs: the activity that talks to the source counts requests,
 * 429s, retries and the time waited on rate limits; the chunk's transaction times its write and records the row in the
 * same transaction as the rows it wrote (so a rolled-back chunk leaves no timing either).
 */
export class ChunkTimer {
  private startedAt = new Date();
  private started = performance.now();
  requests = 0;
  rateLimited = 0;
  retries = 0;
  waitMs = 0;

  constructor(
    readonly scope: { runId: string; migration: string; partitionKey: string },
    /** The wait for the rate limit still to come once the chunk is written (the pacer settling its last slot). */
    private readonly waitStillToCome: () => number = () => 0,
  ) {}

  /** Writes the chunk's row in its transaction: what it wrote, and how its time divided. */
  async record(
    trx: Knex.Transaction,
    counts: { records: number; written: number; deadLettered: number; writeMs: number },
  ): Promise<void> {
    // The chunk's end is after the wait still to come: the next chunk of the partition cannot start before.
    const settling = this.waitStillToCome();
    const elapsed = performance.now() - this.started + settling;
    const waitMs = this.waitMs + settling;
    const [row] = await trx('ferry_chunk_timings')
      .insert({
        run_id: this.scope.runId,
        migration: this.scope.migration,
        partition_key: this.scope.partitionKey,
        started_at: this.startedAt,
        finished_at: new Date(Date.now() + settling),
        records: counts.records,
        written: counts.written,
        dead_lettered: counts.deadLettered,
        requests: this.requests,
        rate_limited: this.rateLimited,
        retries: this.retries,
        wait_ms: Math.round(waitMs),
        // What is neither waiting nor writing: the source answering, and the transform.
        source_ms: Math.max(0, Math.round(elapsed - waitMs - counts.writeMs)),
        write_ms: Math.round(counts.writeMs),
        rss_mb: Math.round(process.memoryUsage.rss() / 2 ** 20),
      })
      .returning('id');
    // An activity that writes several transactions (a retry of dead letters) times each on its own.
    this.startedAt = new Date(Date.now() + settling);
    this.started = performance.now() + settling;
    this.requests = 0;
    this.rateLimited = 0;
    this.retries = 0;
    this.waitMs = 0;
    // Bounded, off the hot path: one chunk in a hundred prunes what expired, a batch at a time by the index on
    // finished_at (a hundred chunks write a hundred rows; this deletes up to a thousand).
    if (Number(row?.id) % PRUNE_EVERY === 0) {
      await trx.raw(
        `delete from ferry_chunk_timings where id in (
           select id from ferry_chunk_timings where finished_at < now() - make_interval(days => ?) limit 1000)`,
        [RETENTION_DAYS],
      );
    }
  }
}
