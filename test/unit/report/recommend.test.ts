import { describe, expect, it } from 'vitest';
import { type Bottleneck, type RunReport, recommend } from '../../../src/report/run-report.js';

const base: Omit<RunReport, 'recommendations'> = {
  runId: 'ferry/woocommerce-orders/x',
  migration: 'woocommerce-orders',
  startedAt: '2026-11-30T10:00:00.000Z',
  finishedAt: '2026-11-30T10:10:00.000Z',
  durationSeconds: 600,
  chunks: 200,
  partitions: 8,
  records: 100_000,
  written: 100_000,
  deadLettered: 0,
  recordsPerSecond: 166.7,
  requests: 1000,
  apiCallsPerRecord: 0.01,
  rateLimited: 0,
  retries: 0,
  timeShares: { 'source rate limit': 0, source: 0, database: 0, 'between chunks (Temporal)': 0 },
  bottleneck: null,
  workerPeakRssMb: 180,
  throughput: [],
  timeline: [],
  deadLettersByReason: [],
};

/** A report whose time divided as `ms` says. */
function shaped(ms: Record<Bottleneck, number>, extra: Partial<RunReport> = {}) {
  const total = Object.values(ms).reduce((sum, value) => sum + value, 0);
  const timeShares = Object.fromEntries(
    Object.entries(ms).map(([part, value]) => [part, value / total]),
  ) as Record<Bottleneck, number>;
  const bottleneck = Object.entries(ms).sort((a, b) => b[1] - a[1])[0]?.[0] as Bottleneck;
  return recommend({ ...base, ...extra, timeShares, bottleneck }, ms);
}

describe('recommendations from a run report', () => {
  it('a database that binds: fewer partitions or more database, with the write share as evidence', () => {
    const advice = shaped({
      'source rate limit': 0,
      source: 100_000,
      database: 400_000,
      'between chunks (Temporal)': 20_000,
    });
    expect(advice).toEqual([
      {
        advice:
          'The database is what binds: run fewer partitions at once (--concurrency), or give the database more room',
        evidence: "77% of the chunks' time was spent writing (400 s over 200 chunks)",
      },
    ]);
  });

  it('429s: pace under the limit; many small partitions: wider windows; dead letters: where to look', () => {
    const advice = shaped(
      { 'source rate limit': 1000, source: 50_000, database: 10_000, 'between chunks (Temporal)': 5000 },
      {
        rateLimited: 40,
        partitions: 400,
        records: 20_000,
        deadLettered: 12,
        deadLettersByReason: [{ reason: 'email is required', count: 9 }],
      },
    );
    expect(advice.map((item) => item.evidence)).toEqual([
      '40 answers were 429 out of 1000 requests',
      "76% of the chunks' time went to the source, 50 ms a request",
      '400 partitions for 20000 records, 50 each',
      '12 of 20000 records; most often: email is required (9)',
    ]);
  });

  it('a source that fails one request in fifty or more: its health, with the retries as evidence', () => {
    const times = {
      'source rate limit': 0,
      source: 30_000,
      database: 30_000,
      'between chunks (Temporal)': 30_000,
    };
    expect(shaped(times, { retries: 19 })).toEqual([]);
    expect(shaped(times, { retries: 20 })).toEqual([
      {
        advice:
          "The source failed requests (5xx, timeouts or malformed pages) and they were sent again: check the source's health, or lower the pace (ferry rate-limit) if it fails under load",
        evidence: '20 retries for 1000 requests',
      },
    ]);
  });

  it('nothing stands out: no advice', () => {
    expect(
      shaped({
        'source rate limit': 10_000,
        source: 30_000,
        database: 30_000,
        'between chunks (Temporal)': 30_000,
      }),
    ).toEqual([]);
  });
});
