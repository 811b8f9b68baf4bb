import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { startBackfill } from '../../src/client/backfill.js';
import { startWooEmulator, type WooEmulator } from '../../src/sandbox/emulators/woocommerce/server.js';
import { checksum, expectedLines, targetLines } from '../../src/sandbox/woocommerce-fingerprint.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { listAllOrders } from '../helpers/woo-http.js';
import { WorkerProcesses } from '../helpers/worker-process.js';

const ORDERS = 800;
let emulator: WooEmulator;
let database: TestDatabase;
let connection: Connection;
const taskQueue = `first-load-crash-${Date.now()}`;
const workers = new WorkerProcesses({
  databaseUrl: () => database.url,
  taskQueue,
  connections: () => ({ woocommerce: emulator.connection }),
});

beforeAll(async () => {
  emulator = await startWooEmulator({ orders: ORDERS, seed: 71 });
  database = await createTestDatabase();
  connection = await Connection.connect({ address: inject('temporalAddress') });
});
afterAll(async () => {
  workers.killAll();
  await connection?.close();
  await emulator?.close();
  await database?.drop();
});

/** Orders committed so far; 0 until the plan has made the tables. */
async function ordersWritten(): Promise<number> {
  const { rows } = await database.db.raw(`select to_regclass('orders') is not null as made`);
  if (!rows[0].made) return 0;
  return Number(((await database.db('orders').count({ n: '*' }).first()) as { n: string }).n);
}

it('a worker killed after a COPYed first-load chunk committed, before its result was recorded: the retry finds the rows and the run ends exact', async () => {
  const first = workers.spawn();
  const client = new Client({ connection, namespace: inject('temporalNamespace') });
  // One partition, a page per chunk, a request a second: after its commit a chunk waits out its request's second
  // before it returns (the pace holds across chunks), which leaves a window to kill the worker in.
  const handle = await startBackfill(client, taskQueue, {
    migration: 'woocommerce-orders',
    id: `test/first-load-crash-${Date.now()}`,
    partitionDays: 3660,
    concurrency: 1,
    pagesPerChunk: 1,
    requestsPerMinute: 60,
  });
  let written = 0;
  while (written === 0) {
    await sleep(10);
    written = await ordersWritten();
  }
  first.kill('SIGKILL');
  await once(first, 'exit');
  // Exactly the first chunk committed: its result never reached Temporal.
  expect(written).toBe(100);

  workers.spawn();
  const report = await handle.result();
  expect(report).toMatchObject({ state: 'completed', sourceTotal: ORDERS, problems: [] });
  // The retried chunk found its 100 orders committed (the COPY path's probe) and wrote them the comparing way.
  expect(report.records).toMatchObject({
    fetched: ORDERS,
    inserted: ORDERS - 100,
    unchanged: 100,
    updated: 0,
  });
  const expected = expectedLines(await listAllOrders(emulator));
  const actual = await targetLines(database.db);
  expect(actual.length).toBe(expected.length);
  expect(checksum(actual)).toBe(checksum(expected));
}, 180_000);
