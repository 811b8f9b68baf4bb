import { once } from 'node:events';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { startBackfill } from '../../src/client/backfill.js';
import { startWooEmulator, type WooEmulator } from '../../src/sandbox/emulators/woocommerce/server.js';
import { freePort } from '../../src/sandbox/ports.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { WorkerProcesses } from '../helpers/worker-process.js';

const taskQueue = `wait-for-temporal-${Date.now()}`;
let emulator: WooEmulator;
let database: TestDatabase;
let connection: Connection;
let forwarder: net.Server | undefined;
const workers = new WorkerProcesses({
  databaseUrl: () => database.url,
  taskQueue,
  connections: () => ({ woocommerce: emulator.connection }),
});

beforeAll(async () => {
  emulator = await startWooEmulator({ orders: 400, seed: 81 });
  database = await createTestDatabase();
  connection = await Connection.connect({ address: inject('temporalAddress') });
});
afterAll(async () => {
  workers.killAll();
  forwarder?.close();
  await connection?.close();
  await emulator?.close();
  await database?.drop();
});

/** Temporal "comes up" on `port`: every connection is passed on to the test's dev server. */
async function bringUpTemporal(port: number): Promise<net.Server> {
  const [host, upstreamPort] = inject('temporalAddress').split(':');
  const server = net.createServer((socket) => {
    const upstream = net.connect(Number(upstreamPort), host);
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

it('a worker started 10 s before Temporal comes up waits, says so, joins once it is up, and completes a run exact', async () => {
  const port = await freePort();
  const worker = workers.spawn({ env: { TEMPORAL_ADDRESS: `127.0.0.1:${port}` } });
  let stderr = '';
  worker.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  await sleep(10_000);
  expect(worker.exitCode).toBeNull();
  expect(stderr).toMatch(
    /ferry worker: Temporal at 127\.0\.0\.1:\d+ is not reachable yet \(attempt \d+: .*\); trying again in \d+ s/,
  );
  forwarder = await bringUpTemporal(port);

  const client = new Client({ connection, namespace: inject('temporalNamespace') });
  const handle = await startBackfill(client, taskQueue, {
    migration: 'woocommerce-orders',
    id: `test/wait-for-temporal-${Date.now()}`,
  });
  const report = await handle.result();
  expect(report.records).toMatchObject({ fetched: 400, inserted: 400 });
  expect(await database.db('orders').count({ n: '*' }).first()).toEqual({ n: '400' });
  expect(stderr).toContain(`polling task queue "${taskQueue}" on 127.0.0.1:${port}`);
}, 120_000);
