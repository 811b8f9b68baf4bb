import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { startBackfill } from '../../src/client/backfill.js';
import { runReport } from '../../src/report/run-report.js';
import { startWooEmulator, type WooEmulator } from '../../src/sandbox/emulators/woocommerce/server.js';
import { freePort } from '../../src/sandbox/ports.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { WorkerProcesses } from '../helpers/worker-process.js';

const taskQueue = `metrics-${Date.now()}`;
const MIGRATION = 'woocommerce-orders';
let emulator: WooEmulator;
let database: TestDatabase;
let connection: Connection;
let metricsUrl: string;
const workers = new WorkerProcesses({
  databaseUrl: () => database.url,
  taskQueue,
  connections: () => ({ woocommerce: emulator.connection }),
});

beforeAll(async () => {
  // Some records the migration refuses (dead letters are counted too), and some requests fail (retries are).
  emulator = await startWooEmulator({
    orders: 1200,
    seed: 91,
    // 15% of requests fail: over the run's few dozen requests, one with no failure at all (the test needs some) is
    // well under a 1% chance; at 5% it was about one run in six.
    faults: { malformedRecordRate: 0.02, errorRate: 0.15 },
  });
  database = await createTestDatabase();
  connection = await Connection.connect({ address: inject('temporalAddress') });
  metricsUrl = `http://127.0.0.1:${await freePort()}/metrics`;
});
afterAll(async () => {
  workers.killAll();
  await connection?.close();
  await emulator?.close();
  await database?.drop();
});

/** The sum of a counter's samples for one migration, from Prometheus' text format (the worker ran one run). */
function counter(text: string, name: string, migration: string, label = ''): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) || !line.includes(`migration="${migration}"`)) continue;
    if (!line.includes(label)) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

it("a worker serves Prometheus metrics (ferry's counters show during a backfill and equal its report at the end) and a health endpoint", async () => {
  const healthUrl = `http://127.0.0.1:${await freePort()}/healthz`;
  const worker = workers.spawn({
    args: ['--metrics', new URL(metricsUrl).host, '--health', new URL(healthUrl).host],
  });
  const client = new Client({ connection, namespace: inject('temporalNamespace') });
  const id = `test/metrics-${Date.now()}`;
  const handle = await startBackfill(client, taskQueue, {
    migration: 'woocommerce-orders',
    id,
    pageSize: 50,
    concurrency: 2,
  });
  let seenDuring = 0;
  let finished = false;
  const result = handle.result().finally(() => {
    finished = true;
  });
  while (!finished) {
    const text = await fetch(metricsUrl)
      .then((response) => response.text())
      .catch(() => '');
    if (!finished) seenDuring = Math.max(seenDuring, counter(text, 'ferry_records_fetched_total', MIGRATION));
    await sleep(200);
  }
  const report = await result;
  expect(seenDuring).toBeGreaterThan(0);
  expect(seenDuring).toBeLessThanOrEqual(report.records.fetched);

  const text = await (await fetch(metricsUrl)).text();
  expect(counter(text, 'ferry_records_fetched_total', MIGRATION)).toBe(report.records.fetched);
  expect(counter(text, 'ferry_records_written_total', MIGRATION)).toBe(
    report.records.inserted + report.records.updated,
  );
  // Rows by table: one orders row per record written, and their items beside them.
  expect(counter(text, 'ferry_rows_written_total', MIGRATION, 'table="orders"')).toBe(
    report.records.inserted + report.records.updated,
  );
  expect(counter(text, 'ferry_rows_written_total', MIGRATION, 'table="order_items"')).toBe(
    Number((await database.db('order_items').count({ n: '*' }).first())?.n),
  );
  expect(report.records.deadLettered).toBeGreaterThan(0);
  expect(counter(text, 'ferry_records_dead_lettered_total', MIGRATION)).toBe(report.records.deadLettered);
  expect(counter(text, 'ferry_source_requests_total', MIGRATION)).toBeGreaterThan(1200 / 50);
  // Every 5xx the source sent was retried and counted in the metrics; the run's report has those of its chunks
  // (the planning activity's requests belong to no chunk).
  const failed = Object.entries(emulator.stats.byStatus)
    .filter(([status]) => Number(status) >= 500)
    .reduce((sum, [, count]) => sum + count, 0);
  expect(failed).toBeGreaterThan(0);
  expect(counter(text, 'ferry_source_retries_total', MIGRATION)).toBe(failed);
  const runFigures = await runReport(database.db, id);
  // A duration per chunk activity; the timing rows also count what the window's end check and catch-up wrote.
  const durations = counter(text, 'ferry_chunk_duration_ms_count', MIGRATION);
  expect(durations).toBeGreaterThan(0);
  expect(durations).toBeLessThanOrEqual(runFigures.chunks);
  const chunkRetries = runFigures.retries;
  expect(chunkRetries).toBeGreaterThan(0);
  expect(chunkRetries).toBeLessThanOrEqual(failed);
  // The SDK's own metrics are on the same page, those the Grafana dashboard draws among them.
  expect(text).toMatch(/^temporal_activity_execution_latency/m);
  const dashboard = JSON.parse(await readFile('deploy/grafana/dashboards/ferry.json', 'utf8'));
  const drawn = dashboard.panels.flatMap((panel: { targets: { expr: string }[] }) =>
    panel.targets.flatMap((target) =>
      [...target.expr.matchAll(/\btemporal_[a-z_]+/g)].map((match) => match[0]),
    ),
  );
  expect(drawn.length).toBeGreaterThan(0);
  for (const name of drawn) expect(text, name).toMatch(new RegExp(`^${name}[{ ]`, 'm'));
  // The health endpoint a container's probe asks.
  const healthy = await fetch(healthUrl);
  expect(healthy.status).toBe(200);
  expect(await healthy.json()).toEqual({ ok: true, worker: 'RUNNING', database: 'ok' });
  expect((await fetch(healthUrl.replace('/healthz', '/'))).status).toBe(404);
  worker.kill('SIGTERM');
  await once(worker, 'exit');
}, 180_000);
