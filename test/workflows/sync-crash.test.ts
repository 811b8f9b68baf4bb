import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { resolveSync } from '../../src/client/sync.js';
import { type SapEmulator, startSapEmulator } from '../../src/sandbox/emulators/sap/server.js';
import type { incrementalSync } from '../../src/workflows/incremental-sync.js';
import { syncProgressQuery } from '../../src/workflows/sync-messages.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { expectedSalesOrders, sapControl, targetSalesOrders } from '../helpers/sap.js';
import { WorkerProcesses } from '../helpers/worker-process.js';

const SEED = 41;
let sap: SapEmulator;
let database: TestDatabase;
let connection: Connection;
let client: Client;
const taskQueue = `sync-crash-${Date.now()}`;

const workers = new WorkerProcesses({
  databaseUrl: () => database.url,
  taskQueue,
  connections: () => ({ sap: sap.connection }),
});

beforeAll(async () => {
  sap = await startSapEmulator({ orders: 1000, seed: SEED });
  database = await createTestDatabase();
  connection = await Connection.connect({ address: inject('temporalAddress') });
  client = new Client({ connection, namespace: inject('temporalNamespace') });
});
afterAll(async () => {
  workers.killAll();
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
  const first = workers.spawn();
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

  workers.spawn();
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
