import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { startBackfill } from '../../src/client/backfill.js';
import { startWooEmulator, type WooEmulator } from '../../src/sandbox/emulators/woocommerce/server.js';
import { checksum, expectedLines, targetLines } from '../../src/sandbox/woocommerce-fingerprint.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { listAllOrders } from '../helpers/woo-http.js';
import { killWhenFetched, WorkerProcesses } from '../helpers/worker-process.js';

let emulator: WooEmulator;
let database: TestDatabase;
let connection: Connection;
let client: Client;
const taskQueue = `crash-${Date.now()}`;

const workers = new WorkerProcesses({
  databaseUrl: () => database.url,
  taskQueue,
  connections: () => ({ woocommerce: emulator.connection }),
});

beforeAll(async () => {
  emulator = await startWooEmulator({ orders: 8000, seed: 33, faults: { latencyMs: 15 } });
  database = await createTestDatabase();
  connection = await Connection.connect({ address: inject('temporalAddress') });
  client = new Client({ connection, namespace: inject('temporalNamespace') });
});
afterAll(async () => {
  workers.killAll();
  await connection.close();
  await emulator.close();
  await database.drop();
});

it('a worker killed with SIGKILL mid-backfill: a new worker finishes the run, exact and without duplicates', async () => {
  const first = workers.spawn();
  const handle = await startBackfill(client, taskQueue, {
    migration: 'woocommerce-orders',
    id: `test/crash-${Date.now()}`,
    partitionDays: 200,
    concurrency: 3,
    pagesPerChunk: 1,
  });
  await killWhenFetched(first, handle, 2500);
  const writtenBeforeCrash = Number(
    ((await database.db('orders').count({ n: '*' }).first()) as { n: string }).n,
  );
  expect(writtenBeforeCrash).toBeGreaterThan(0);
  expect(writtenBeforeCrash).toBeLessThan(8000);

  workers.spawn();
  const report = await handle.result();
  expect(report).toMatchObject({ state: 'completed', sourceTotal: 8000, problems: [] });
  expect(report.records.fetched).toBe(8000);
  expect(report.records.inserted + report.records.unchanged + report.records.updated).toBe(8000);

  const expected = expectedLines(await listAllOrders(emulator));
  const actual = await targetLines(database.db);
  expect(actual.length).toBe(expected.length);
  expect(checksum(actual)).toBe(checksum(expected));
});
