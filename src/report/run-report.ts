import type { Knex } from 'knex';

/**
 * What a run did and where its time went, from the rows its chunks wrote in their own transactions
 * (ferry_chunk_timings) and its dead letters: never from workflow history. With recommendations derived from
 * those figures, each with the figure behind it.
 */
export type Bottleneck = 'source rate limit' | 'source' | 'database' | 'between chunks (Temporal)';

export interface Recommendation {
  advice: string;
  evidence: string;
}

export interface RunReport {
  runId: string;
  migration: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  durationSeconds: number;
  chunks: number;
  partitions: number;
  records: number;
  written: number;
  deadLettered: number;
  recordsPerSecond: number;
  requests: number;
  apiCallsPerRecord: number;
  rateLimited: number;
  /** Requests sent again after the source failed (a 5xx, a timeout, a malformed page). */
  retries: number;
  /** Of the time chunks ran, summed over partitions: the share each part took (0..1). */
  timeShares: Record<Bottleneck, number>;
  bottleneck: Bottleneck | null;
  workerPeakRssMb: number;
  /** Records per second over the run, in equal slices of its duration. */
  throughput: { at: string; recordsPerSecond: number }[];
  timeline: { partition: string; from: string; to: string; records: number }[];
  deadLettersByReason: { reason: string; count: number }[];
  recommendations: Recommendation[];
}

const SLICES = 30;
const percent = (share: number) => `${Math.round(share * 100)}%`;
const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

interface Totals {
  migration: string | null;
  started_at: Date | null;
  finished_at: Date | null;
  chunks: number;
  partitions: number;
  records: string;
  written: string;
  dead_lettered: string;
  requests: string;
  rate_limited: string;
  retries: string;
  wait_ms: string;
  source_ms: string;
  write_ms: string;
  rss_mb: number | null;
  between_ms: string;
}

export async function runReport(db: Knex, runId: string): Promise<RunReport> {
  const rows = async <T>(sql: string, bindings: Knex.RawBinding[]) =>
    (await db.raw(sql, bindings)).rows as T[];
  const [totals] = await rows<Totals>(
    `with spans as (
       select partition_key, min(started_at) as started_at, max(finished_at) as finished_at,
              sum(wait_ms + source_ms + write_ms) as busy_ms
       from ferry_chunk_timings where run_id = ? group by partition_key)
     select min(migration) as migration, min(started_at) as started_at, max(finished_at) as finished_at,
            count(*)::int as chunks, count(distinct partition_key)::int as partitions,
            coalesce(sum(records), 0) as records, coalesce(sum(written), 0) as written,
            coalesce(sum(dead_lettered), 0) as dead_lettered, coalesce(sum(requests), 0) as requests,
            coalesce(sum(rate_limited), 0) as rate_limited, coalesce(sum(retries), 0) as retries,
            coalesce(sum(wait_ms), 0) as wait_ms,
            coalesce(sum(source_ms), 0) as source_ms, coalesce(sum(write_ms), 0) as write_ms,
            max(rss_mb) as rss_mb,
            -- A partition's span less the time its chunks ran: scheduling and workflow tasks between them.
            (select coalesce(sum(greatest(0, extract(epoch from finished_at - started_at) * 1000 - busy_ms)), 0)
             from spans) as between_ms
     from ferry_chunk_timings where run_id = ?`,
    [runId, runId],
  );
  const t = totals as Totals;
  const durationMs = t.started_at && t.finished_at ? t.finished_at.getTime() - t.started_at.getTime() : 0;
  const parts: Record<Bottleneck, number> = {
    'source rate limit': Number(t.wait_ms),
    source: Number(t.source_ms),
    database: Number(t.write_ms),
    'between chunks (Temporal)': Number(t.between_ms),
  };
  const spent = Object.values(parts).reduce((sum, ms) => sum + ms, 0);
  const timeShares = Object.fromEntries(
    Object.entries(parts).map(([part, ms]) => [part, spent > 0 ? Math.round((ms / spent) * 1000) / 1000 : 0]),
  ) as Record<Bottleneck, number>;
  const bottleneck =
    spent > 0 ? ((Object.entries(parts).sort((a, b) => b[1] - a[1])[0]?.[0] as Bottleneck) ?? null) : null;

  const throughput = await rows<{ slice: number; records: string }>(
    `select least(width_bucket(extract(epoch from finished_at), ?, ?, ?), ?) as slice, sum(records) as records
     from ferry_chunk_timings where run_id = ? group by 1 order by 1`,
    [
      (t.started_at?.getTime() ?? 0) / 1000,
      (t.finished_at?.getTime() ?? 1) / 1000 + 0.001,
      SLICES,
      SLICES,
      runId,
    ],
  );
  const sliceMs = durationMs / SLICES;
  const bySlice = new Map(throughput.map((row) => [Number(row.slice), Number(row.records)]));
  const timeline = await rows<{ partition: string; from: Date; to: Date; records: string }>(
    `select partition_key as partition, min(started_at) as from, max(finished_at) as to, sum(records) as records
     from ferry_chunk_timings where run_id = ? group by 1 order by 2, 1`,
    [runId],
  );
  const reasons = await rows<{ reason: string; count: number }>(
    // One reason per kind: the line number or value in a message does not make another reason.
    `select regexp_replace(regexp_replace(error_message, '^line [0-9]+: ', ''), '[0-9]+', 'N', 'g') as reason,
            count(*)::int as count
     from ferry_dead_letters where run_id = ? group by 1 order by 2 desc, 1 limit 10`,
    [runId],
  );
  const records = Number(t.records);
  const requests = Number(t.requests);
  const report: Omit<RunReport, 'recommendations'> = {
    runId,
    migration: t.migration,
    startedAt: t.started_at?.toISOString() ?? null,
    finishedAt: t.finished_at?.toISOString() ?? null,
    durationSeconds: Math.round(durationMs / 100) / 10,
    chunks: t.chunks,
    partitions: t.partitions,
    records,
    written: Number(t.written),
    deadLettered: Number(t.dead_lettered),
    recordsPerSecond: durationMs > 0 ? Math.round((records * 1000 * 10) / durationMs) / 10 : 0,
    requests,
    apiCallsPerRecord: records > 0 ? Math.round((requests / records) * 1000) / 1000 : 0,
    rateLimited: Number(t.rate_limited),
    retries: Number(t.retries),
    timeShares,
    bottleneck,
    workerPeakRssMb: t.rss_mb ?? 0,
    throughput: Array.from({ length: durationMs > 0 ? SLICES : 0 }, (_, index) => ({
      at: new Date((t.started_at?.getTime() ?? 0) + (index + 1) * sliceMs).toISOString(),
      recordsPerSecond: Math.round(((bySlice.get(index + 1) ?? 0) * 1000 * 10) / sliceMs) / 10,
    })),
    timeline: timeline.map((row) => ({
      partition: row.partition,
      from: row.from.toISOString(),
      to: row.to.toISOString(),
      records: Number(row.records),
    })),
    deadLettersByReason: reasons,
  };
  return { ...report, recommendations: recommend(report, parts) };
}

/** Advice the figures support, each with the figures behind it; none when nothing stands out. */
export function recommend(
  report: Omit<RunReport, 'recommendations'>,
  parts: Record<Bottleneck, number>,
): Recommendation[] {
  const advice: Recommendation[] = [];
  const share = report.timeShares;
  if (report.bottleneck === 'source rate limit' && share['source rate limit'] >= 0.3) {
    advice.push({
      advice:
        "The source's rate limit is what binds: ask the source's owner for a higher limit (ferry rate-limit <connection> N then uses it), or run when the limit is shared with less traffic (at night)",
      evidence: `${percent(share['source rate limit'])} of the chunks' time waited on the rate limit (${seconds(parts['source rate limit'])}); ${report.requests} requests in ${report.durationSeconds} s`,
    });
  }
  if (report.rateLimited > 0) {
    advice.push({
      advice:
        "The source refused requests with 429: set the connection's limit (ferry rate-limit) a little under what it allows, so requests are paced instead of refused and retried",
      evidence: `${report.rateLimited} answers were 429 out of ${report.requests} requests`,
    });
  }
  // One request in fifty failing is no passing blip: the source is unwell or overloaded by this run.
  if (report.requests > 0 && report.retries / report.requests >= 0.02) {
    advice.push({
      advice:
        "The source failed requests (5xx, timeouts or malformed pages) and they were sent again: check the source's health, or lower the pace (ferry rate-limit) if it fails under load",
      evidence: `${report.retries} retries for ${report.requests} requests`,
    });
  }
  if (report.bottleneck === 'database' && share.database >= 0.4) {
    advice.push({
      advice:
        'The database is what binds: run fewer partitions at once (--concurrency), or give the database more room',
      evidence: `${percent(share.database)} of the chunks' time was spent writing (${seconds(parts.database)} over ${report.chunks} chunks)`,
    });
  }
  if (
    report.bottleneck === 'source' &&
    share.source >= 0.5 &&
    share['source rate limit'] < 0.1 &&
    report.requests > 0
  ) {
    advice.push({
      advice:
        "The source's answers take the time and its limit is not reached: more partitions at once (--concurrency) would overlap them",
      evidence: `${percent(share.source)} of the chunks' time went to the source, ${Math.round(parts.source / report.requests)} ms a request`,
    });
  }
  if (report.bottleneck === 'between chunks (Temporal)' && share['between chunks (Temporal)'] >= 0.4) {
    advice.push({
      advice:
        'Much time passes between chunks: more pages per chunk (--pages-per-chunk) make fewer, larger steps',
      evidence: `${percent(share['between chunks (Temporal)'])} of the partitions' time was between chunks, over ${report.chunks} chunks`,
    });
  }
  if (report.partitions > 20 && report.records / report.partitions < 500) {
    advice.push({
      advice:
        'Many small partitions: wider windows (--partition-days) cost fewer workflows for the same records',
      evidence: `${report.partitions} partitions for ${report.records} records, ${Math.round(report.records / report.partitions)} each`,
    });
  }
  if (report.deadLettered > 0) {
    const [top] = report.deadLettersByReason;
    advice.push({
      advice: `Records were dead-lettered: see ferry dlq list --run ${report.runId}, fix the source or the mapping, then ferry dlq retry`,
      evidence: `${report.deadLettered} of ${report.records} records${top ? `; most often: ${top.reason} (${top.count})` : ''}`,
    });
  }
  return advice;
}
