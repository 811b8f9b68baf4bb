import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { startBackfill } from '../../src/client/backfill.js';
import { checksum, expectedLines, targetLines } from '../../src/migrations/woocommerce-orders/fingerprint.js';
import { startWooEmulator, type WooEmulator } from '../../src/sandbox/emulators/woocommerce/server.js';
import { progressQuery } from '../../src/workflows/messages.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { FERRY_BIN } from '../helpers/run-cli.js';
import { listAllOrders } from '../helpers/woo-http.js';

let emulator: WooEmulator;
let database: TestDatabase;
let connection: Connection;
let client: Client;
const taskQueue = `crash-${Date.now()}`;
const workers: ChildProcess[] = [];

/** A real `ferry worker` process, configured only through its environment, as in production. */
function spawnWorker(): ChildProcess {
  const child = spawn(process.execPath, [FERRY_BIN, 'worker'], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      DATABASE_URL: database.url,
      FERRY_TASK_QUEUE: taskQueue,
      FERRY_HOME: '/nonexistent-ferry-home',
      FERRY_CONN_WOOCOMMERCE_URL: emulator.siteUrl,
      FERRY_CONN_WOOCOMMERCE_KEY: emulator.consumerKey,
      FERRY_CONN_WOOCOMMERCE_SECRET: emulator.consumerSecret,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  workers.push(child);
  return child;
}

beforeAll(async () => {
  emulator = await startWooEmulator({ orders: 8000, seed: 33, faults: { latencyMs: 15 } });
  database = await createTestDatabase();
  connection = await Connection.connect({ address: inject('temporalAddress') });
  client = new Client({ connection, namespace: inject('temporalNamespace') });
});
afterAll(async () => {
  for (const worker of workers) worker.kill('SIGKILL');
  await connection.close();
  await emulator.close();
  await database.drop();
});

it('a worker killed with SIGKILL mid-backfill: a new worker finishes the run, exact and without duplicates', async () => {
  const first = spawnWorker();
  const handle = await startBackfill(client, taskQueue, {
    migration: 'woocommerce-orders',
    id: `test/crash-${Date.now()}`,
    partitionDays: 200,
    concurrency: 3,
    pagesPerChunk: 1,
  });
  // Kill it when a good part, not all, has been written.
  for (;;) {
    const progress = await handle.query(progressQuery).catch(() => undefined);
    if (progress && progress.records.fetched >= 2500) break;
    await sleep(200);
  }
  first.kill('SIGKILL');
  await once(first, 'exit');
  const writtenBeforeCrash = Number(
    ((await database.db('orders').count({ n: '*' }).first()) as { n: string }).n,
  );
  expect(writtenBeforeCrash).toBeGreaterThan(0);
  expect(writtenBeforeCrash).toBeLessThan(8000);

  spawnWorker();
  const report = await handle.result();
  expect(report).toMatchObject({ state: 'completed', sourceTotal: 8000, problems: [] });
  expect(report.records.fetched).toBe(8000);
  expect(report.records.inserted + report.records.unchanged + report.records.updated).toBe(8000);

  const expected = expectedLines(await listAllOrders(emulator));
  const actual = await targetLines(database.db);
  expect(actual.length).toBe(expected.length);
  expect(checksum(actual)).toBe(checksum(expected));
});
