import { Context } from '@temporalio/activity';
import type { MetricTags } from '@temporalio/common';
import type { ChunkCounts } from '../migrations/types.js';

/**
 * ferry's own metrics, emitted through the Temporal SDK's meter: they reach whatever exporter the worker's runtime
 * has (`ferry worker --metrics host:port` serves Prometheus' /metrics) beside the SDK's own, with the activity's
 * namespace and task queue, and tagged here with the migration and the source connection (not the run: every
 * scheduled sync would add series the exporter never drops; `ferry report` has the per-run figures).
 */
const isChunkCounts = (value: unknown): value is ChunkCounts =>
  typeof value === 'object' &&
  value !== null &&
  ['fetched', 'inserted', 'updated', 'deadLettered'].every(
    (field) => typeof (value as Record<string, unknown>)[field] === 'number',
  );

function meter() {
  try {
    return Context.current().metricMeter;
  } catch {
    return undefined; // not in an activity (a unit test of a migration)
  }
}

/** How often counts kept in the activity reach the meter: each add crosses into the SDK's meter and its tags. */
const FLUSH_EVERY_MS = 1000;

/** The metrics of one activity that talks to a source. */
export class SourceMetrics {
  private readonly tags: MetricTags;
  /**
   * Requests and their waits, counted here and added to the meter at most once a second and when the activity ends
   * (`flush`): added one by one, they took 5 % of a worker's CPU at 4,000 requests a second.
   */
  private requests = 0;
  private waitedMs = 0;
  private flushedAt = performance.now();

  constructor(tags: { migration: string; connection: string }) {
    this.tags = tags;
  }

  /** A request about to go, after `seconds` waiting for the rate limits. */
  request(seconds: number): void {
    this.requests++;
    this.waitedMs += seconds * 1000;
    if (performance.now() - this.flushedAt >= FLUSH_EVERY_MS) this.flush();
  }

  /** Adds what was counted since the last flush to the meter. */
  flush(): void {
    this.flushedAt = performance.now();
    const current = meter();
    if (current && this.requests > 0)
      current
        .createCounter('ferry_source_requests', 'requests', 'Requests made to the source')
        .add(this.requests, this.tags);
    const waitedMs = Math.round(this.waitedMs);
    if (current && waitedMs > 0)
      current
        .createCounter('ferry_rate_limit_wait_ms', 'ms', 'Time spent waiting on rate limits before requests')
        .add(waitedMs, this.tags);
    this.requests = 0;
    this.waitedMs -= waitedMs;
  }

  rateLimited(): void {
    meter()
      ?.createCounter('ferry_source_rate_limited', 'responses', "The source's 429 answers")
      .add(1, this.tags);
  }

  /** A request about to go again after the source failed (a 5xx, a timeout, a malformed page). */
  retried(): void {
    meter()
      ?.createCounter('ferry_source_retries', 'requests', 'Requests sent again after the source failed')
      .add(1, this.tags);
  }

  /** A chunk's counts and how long it took, if the activity's result is a chunk's. */
  chunk(result: unknown, milliseconds: number): void {
    if (!isChunkCounts(result)) return;
    const current = meter();
    if (!current) return;
    current
      .createCounter('ferry_records_fetched', 'records', 'Records read from the source')
      .add(result.fetched, this.tags);
    current
      .createCounter('ferry_records_written', 'records', 'Rows inserted or changed in the target')
      .add(result.inserted + result.updated, this.tags);
    current
      .createCounter('ferry_records_dead_lettered', 'records', 'Records refused and kept as dead letters')
      .add(result.deadLettered, this.tags);
    const rows = current.createCounter(
      'ferry_rows_written',
      'rows',
      'Rows inserted or changed, by target table',
    );
    for (const [table, count] of Object.entries(result.rowsByTable ?? {}))
      rows.add(count, { ...this.tags, table });
    current
      .createHistogram(
        'ferry_chunk_duration_ms',
        'int',
        'ms',
        'Milliseconds a chunk took: fetch, transform and write',
      )
      .record(Math.round(milliseconds), this.tags);
  }
}
