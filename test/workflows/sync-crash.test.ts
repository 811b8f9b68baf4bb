import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { resolveSync } from '../../src/client/sync.js';
import { type SapEmulator, startSapEmulator } from '../../src/sandbox/emulators/sap/server.js';
import type { incrementalSync } from '../../src/workflows/incremental-sync.js';
import { syncProgressQuery } from '../../src/workflows/sync-messages.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { FERRY_BIN } from '../helpers/run-cli.js';
import { expectedSalesOrders, sapControl, targetSalesOrders } from '../helpers/sap.js';

const SEED = 41;
let sap: SapEmulator;
let database: TestDatabase;
let connection: Connection;
let client: Client;
const taskQueue = `sync-crash-${Date.now()}`;
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
      FERRY_CONN_SAP_KIND: 'sap',
      FERRY_CONN_SAP_URL: sap.connection.baseUrl,
      FERRY_CONN_SAP_COMPANY_DB: sap.connection.companyDb,
      FERRY_CONN_SAP_USER: sap.connection.userName,
      FERRY_CONN_SAP_PASSWORD: sap.connection.password,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  workers.push(child);
  return child;
}

beforeAll(async () => {
  sap = await startSapEmulator({ orders: 1000, seed: SEED });
  database = await createTestDatabase();
  connection = await Connection.connect({ address: inject('temporalAddress') });
  client = new Client({ connection, namespace: inject('temporalNamespace') });
});
afterAll(async () => {
  for (const worker of workers) worker.kill('SIGKILL');
  await connection?.close();
  await sap?.close();
  await database?.drop();
});

const startSync = (id: string) =>
  client.workflow.start<typeof incrementalSync>('incrementalSync', {
    taskQueue,
    workflowId: `test/sync-crash-${id}-${Date.now()}`,
    args: [
      resolveSync({
        migration: 'sap-orders',
        pageSize: 20,
        pagesPerChunk: 1,
        backfill: { partitionDays: 400 },
      }),
    ],
  });

const watermarkRow = () => database.db('ferry_watermarks').where({ migration: 'sap-orders' }).first();

it('a worker killed with SIGKILL mid-sync: the watermark does not move past unwritten data, and the sync ends exact', async () => {
  const first = spawnWorker();
  await (await startSync('first')).result();
  const before = await watermarkRow();
  expect(before).toBeDefined();

  const changed = sap.store.all().slice(0, 800);
  for (const order of changed) await sapControl(sap, 'POST', `/orders/${order.DocEntry}/edit-line`);
  await sapControl(sap, 'PUT', '/faults', { latencyMs: 10 });
  const handle = await startSync('killed');
  for (;;) {
    const progress = await handle.query(syncProgressQuery).catch(() => undefined);
    if (progress && progress.fetched >= 200) break;
    await sleep(50);
  }
  first.kill('SIGKILL');
  await once(first, 'exit');

  // Part of the changes is written, and the watermark is where it was: the last chunk never committed.
  const partial = await targetSalesOrders(database.db);
  const expected = expectedSalesOrders(sap, SEED);
  const stale = expected.lines.filter((line) => !partial.lines.includes(line)).length;
  expect(stale).toBeGreaterThan(0);
  expect(await watermarkRow()).toEqual(before);

  spawnWorker();
  const result = await handle.result();
  expect(result.phase).toBe('completed');
  expect(result.updated).toBeGreaterThan(0);
  const after = await targetSalesOrders(database.db);
  expect(after.orders).toEqual(expected.orders);
  expect(after.lines).toEqual(expected.lines);
  const moved = await watermarkRow();
  expect(moved.watermark.getTime()).toBeGreaterThan(before.watermark.getTime());

  // The next sync finds nothing left to write.
  await sapControl(sap, 'PUT', '/faults', { latencyMs: 0 });
  const next = await (await startSync('next')).result();
  expect(next).toMatchObject({ inserted: 0, updated: 0, deleted: 0 });
});
