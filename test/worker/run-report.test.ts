import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startBackfill } from '../../src/client/backfill.js';
import { startWooEmulator, type WooEmulator } from '../../src/sandbox/emulators/woocommerce/server.js';
import { ChunkTimer } from '../../src/target/chunk-timing.js';
import { launchChromium, resolveChromium } from '../helpers/chromium.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { runCli } from '../helpers/run-cli.js';
import { startTestWorker, type TestWorker } from '../helpers/worker.js';

const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url);
const ORDERS = 800;
let emulator: WooEmulator;
let database: TestDatabase;
let worker: TestWorker;

beforeAll(async () => {
  // A few records the migration refuses, so the report has dead letters to sort by reason.
  emulator = await startWooEmulator({ orders: ORDERS, seed: 111, faults: { malformedRecordRate: 0.01 } });
  database = await createTestDatabase();
  worker = await startTestWorker(database.db, { woocommerce: emulator.connection });
}, 60_000);
afterAll(async () => {
  await worker?.stop();
  await emulator?.close();
  await database?.drop();
});

const report = async (runId: string, extra: string[] = []) => {
  const result = await runCli(['report', runId, '--json', ...extra], { DATABASE_URL: database.url });
  expect(result.code, result.stderr).toBe(0);
  return { json: JSON.parse(result.stdout), stderr: result.stderr };
};
const backfill = async (id: string, options: { requestsPerMinute?: number }) => {
  const handle = await startBackfill(worker.client, worker.taskQueue, {
    migration: 'woocommerce-orders',
    id,
    pageSize: 25,
    concurrency: 2,
    ...options,
  });
  return handle.result();
};

it("ferry report of a run the source's limit throttled recommends the limit, with the figures behind it; the HTML opens in Chromium", async () => {
  const id = `test/report-throttled-${Date.now()}`;
  const result = await backfill(id, { requestsPerMinute: 400 });
  const directory = await mkdtemp(join(tmpdir(), 'ferry-run-report-'));
  const file = join(directory, 'report.html');
  const { json, stderr } = await report(id, ['--html', file]);
  expect(stderr).toContain(`wrote ${file}`);
  // What the chunks wrote in their transactions adds up to the run's own report.
  expect(json.records).toBe(result.records.fetched);
  expect(json.deadLettered).toBe(result.records.deadLettered);
  expect(json.written).toBe(result.records.inserted + result.records.updated);
  expect(json.apiCallsPerRecord).toBeGreaterThan(1 / 25);
  expect(json.recordsPerSecond).toBeGreaterThan(0);
  expect(json.bottleneck).toBe('source rate limit');
  expect(json.timeShares['source rate limit']).toBeGreaterThan(0.5);
  const limit = json.recommendations.find((item: { advice: string }) =>
    item.advice.includes('rate limit is what binds'),
  );
  expect(limit?.evidence).toMatch(
    /^\d+% of the chunks' time waited on the rate limit \([\d.]+ s\); \d+ requests in [\d.]+ s$/,
  );
  expect(json.deadLettersByReason.length).toBeGreaterThan(0);

  const browser = await launchChromium(
    await resolveChromium((message) => console.log(`[run report] ${message}`)),
  );
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    await page.goto(pathToFileURL(file).toString());
    expect(await page.title()).toBe(`Run report: ${id}`);
    // The throughput line, the time shares (a bar each) and a span per partition.
    expect(await page.locator('svg polyline').count()).toBe(1);
    expect(await page.locator('svg rect.bar').count()).toBe(4);
    expect(await page.locator('figure').nth(2).locator('rect').count()).toBe(json.timeline.length);
    expect(await page.locator('li').first().textContent()).toContain('rate limit is what binds');
    expect(requested).toEqual([pathToFileURL(file).toString()]);
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: new URL('run-report.png', ARTIFACTS).pathname, fullPage: true });
  } finally {
    await browser.close();
    await rm(directory, { recursive: true, force: true });
  }
}, 180_000);

it('ferry report of an unthrottled run does not recommend a limit; a run with no chunks is named', async () => {
  const id = `test/report-free-${Date.now()}`;
  await backfill(id, {});
  const { json } = await report(id);
  expect(json.timeShares['source rate limit']).toBeLessThan(0.1);
  expect(json.recommendations.map((item: { advice: string }) => item.advice).join('\n')).not.toContain(
    'rate limit',
  );
  const missing = await runCli(['report', 'test/no-such-run'], { DATABASE_URL: database.url });
  expect(missing.code).toBe(1);
  expect(missing.stderr).toContain('No chunk of run test/no-such-run is recorded');
}, 120_000);

it('timings are bounded: one chunk in a hundred prunes the rows older than their 30 days', async () => {
  const expired = { run_id: 'test/old', migration: 'woocommerce-orders', partition_key: 'test/old/p0000' };
  const counts = { records: 1, written: 1, dead_lettered: 0, requests: 1, rate_limited: 0, wait_ms: 0 };
  const old = { ...expired, ...counts, source_ms: 1, write_ms: 1, rss_mb: 1 };
  await database.db('ferry_chunk_timings').insert([
    {
      ...old,
      started_at: new Date(Date.now() - 40 * 86_400_000),
      finished_at: new Date(Date.now() - 40 * 86_400_000),
    },
    {
      ...old,
      run_id: 'test/recent',
      started_at: new Date(Date.now() - 86_400_000),
      finished_at: new Date(Date.now() - 86_400_000),
    },
  ]);
  const record = (timer: ChunkTimer) =>
    database.db.transaction((trx) =>
      timer.record(trx, { records: 1, written: 1, deadLettered: 0, writeMs: 1 }),
    );
  const scope = { runId: 'test/new', migration: 'woocommerce-orders', partitionKey: 'test/new/p0000' };
  // The next id is not a hundredth: nothing is pruned on this chunk's path.
  const { rows } = await database.db.raw("select setval('ferry_chunk_timings_id_seq', 1000) as id");
  expect(rows[0].id).toBe('1000');
  await record(new ChunkTimer(scope));
  expect(
    await database.db('ferry_chunk_timings').where({ run_id: 'test/old' }).count({ n: '*' }).first(),
  ).toEqual({ n: '1' });
  await database.db.raw("select setval('ferry_chunk_timings_id_seq', 1099)");
  await record(new ChunkTimer(scope));
  const left = await database
    .db('ferry_chunk_timings')
    .whereIn('run_id', ['test/old', 'test/recent', 'test/new'])
    .pluck('run_id');
  expect(left.sort()).toEqual(['test/new', 'test/new', 'test/recent']);
});
