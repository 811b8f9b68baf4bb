import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { startBackfill } from '../../src/client/backfill.js';
import { startWooEmulator, type WooEmulator } from '../../src/sandbox/emulators/woocommerce/server.js';
import { progressQuery } from '../../src/workflows/messages.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { WorkerProcesses } from '../helpers/worker-process.js';

const ORDERS = 1500;
const taskQueue = `graceful-${Date.now()}`;
let emulator: WooEmulator;
let database: TestDatabase;
let connection: Connection;
const workers = new WorkerProcesses({
  databaseUrl: () => database.url,
  taskQueue,
  connections: () => ({ woocommerce: emulator.connection }),
});

beforeAll(async () => {
  // A slow source: each chunk (4 pages) takes a good part of a second, so chunks are always in flight.
  emulator = await startWooEmulator({ orders: ORDERS, seed: 101, faults: { latencyMs: 60 } });
  database = await createTestDatabase();
  connection = await Connection.connect({ address: inject('temporalAddress') });
});
afterAll(async () => {
  workers.killAll();
  await connection?.close();
  await emulator?.close();
  await database?.drop();
});

it('SIGTERM lets the chunks in flight commit: the worker exits cleanly, no attempt fails or times out, the next worker finishes exact', async () => {
  const first = workers.spawn();
  const client = new Client({ connection, namespace: inject('temporalNamespace') });
  const id = `test/graceful-${Date.now()}`;
  const handle = await startBackfill(client, taskQueue, {
    migration: 'woocommerce-orders',
    id,
    pageSize: 25,
    pagesPerChunk: 4,
    concurrency: 2,
  });
  for (;;) {
    const progress = await handle.query(progressQuery).catch(() => undefined);
    if (progress && progress.records.fetched >= 300) break;
    await sleep(100);
  }
  first.kill('SIGTERM');
  const [code] = await once(first, 'exit');
  expect(code).toBe(0);
  const atStop = Number((await database.db('orders').count({ n: '*' }).first())?.n);
  expect(atStop).toBeLessThan(ORDERS);

  workers.spawn();
  const report = await handle.result();
  expect(report.records).toMatchObject({ fetched: ORDERS, inserted: ORDERS });
  expect(await database.db('orders').count({ n: '*' }).first()).toEqual({ n: String(ORDERS) });

  // Every activity of the run and its partitions completed: none was cut off, retried or left to time out.
  const failed: string[] = [];
  for await (const run of client.workflow.list({ query: `WorkflowId STARTS_WITH "${id}"` })) {
    const history = await client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
    for (const event of history.events ?? []) {
      if (event.activityTaskFailedEventAttributes || event.activityTaskTimedOutEventAttributes)
        failed.push(`${run.workflowId}: event ${event.eventId}`);
    }
  }
  expect(failed).toEqual([]);
}, 180_000);
