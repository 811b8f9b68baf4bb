import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { resolveSync } from '../../src/client/sync.js';
import { type SapEmulator, startSapEmulator } from '../../src/sandbox/emulators/sap/server.js';
import type { incrementalSync } from '../../src/workflows/incremental-sync.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { runCli } from '../helpers/run-cli.js';
import { startTestWorker, type TestWorker } from '../helpers/worker.js';

let sap: SapEmulator;
let database: TestDatabase;
let worker: TestWorker;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  sap = await startSapEmulator({ orders: 200, seed: 3 });
  database = await createTestDatabase();
  worker = await startTestWorker(database.db, { sap: sap.connection });
  env = {
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    FERRY_HOME: '/nonexistent',
  };
});
afterAll(async () => {
  await worker?.stop();
  await sap?.close();
  await database?.drop();
});

const ferry = async (...args: string[]) => {
  const result = await runCli([...args, '--json'], env);
  return { ...result, json: JSON.parse(result.stdout || '{}') };
};

const reserved = async () =>
  Number((await database.db('ferry_rate_limits').where({ connection: 'sap' }).first())?.reserved ?? 0);

async function sync(): Promise<void> {
  await worker.client.workflow.execute<typeof incrementalSync>('incrementalSync', {
    taskQueue: worker.taskQueue,
    workflowId: `test/rate-limit-${Date.now()}`,
    args: [resolveSync({ migration: 'sap-orders', backfill: { partitionDays: 400, concurrency: 3 } })],
  });
}

it("ferry rate-limit sets a connection's shared limit, and every request of every partition takes a slot of it", async () => {
  expect((await ferry('rate-limit', 'sap')).json).toEqual({ connection: 'sap', requestsPerMinute: null });
  const set = await ferry('rate-limit', 'sap', '3000');
  expect(set.code, set.stderr).toBe(0);
  expect(set.json).toEqual({ connection: 'sap', requestsPerMinute: 3000 });

  const requestsBefore = sap.stats.requests;
  await sync(); // a backfill of three partitions at once, then the sync itself
  expect(sap.stats.requests - requestsBefore).toBeGreaterThan(5);
  expect(await reserved()).toBe(sap.stats.requests - requestsBefore);

  expect((await ferry('rate-limit', 'sap', 'off')).json).toEqual({
    connection: 'sap',
    requestsPerMinute: null,
  });
  const reservedBefore = await reserved();
  await sync();
  expect(await reserved()).toBe(reservedBefore);

  const bad = await ferry('rate-limit', 'sap', 'fast');
  expect(bad.code).toBe(1);
  expect(bad.stderr).toContain(
    "Invalid requests per minute 'fast': give a whole number from 1 to 60000, or off",
  );
});
