import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { startBackfill } from '../../src/client/backfill.js';
import { sourceFingerprint, targetFingerprint } from '../../src/sandbox/eboekhouden-fingerprint.js';
import {
  type EboekhoudenEmulator,
  startEboekhoudenEmulator,
} from '../../src/sandbox/emulators/eboekhouden/server.js';
import type { Mutation } from '../../src/sandbox/emulators/eboekhouden/shapes.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { killWhenFetched, WorkerProcesses } from '../helpers/worker-process.js';

const MUTATIONS = 8000;
let emulator: EboekhoudenEmulator;
let database: TestDatabase;
let connection: Connection;
let client: Client;
const taskQueue = `eboekhouden-crash-${Date.now()}`;

const workers = new WorkerProcesses({
  databaseUrl: () => database.url,
  taskQueue,
  connections: () => ({ eboekhouden: emulator.connection }),
});

beforeAll(async () => {
  // Sessions of two seconds: they end many times during the run, between and inside chunks.
  emulator = await startEboekhoudenEmulator({
    mutations: MUTATIONS,
    seed: 41,
    sessionSeconds: 2,
    faults: { latencyMs: 2 },
  });
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

it('a worker killed with SIGKILL mid-run, sessions expiring throughout: the run completes exact', async () => {
  const first = workers.spawn();
  const handle = await startBackfill(client, taskQueue, {
    migration: 'eboekhouden-mutations',
    id: `test/eboekhouden-crash-${Date.now()}`,
    concurrency: 3,
  });
  await killWhenFetched(first, handle, 2000);
  const written = await targetFingerprint(database.db);
  expect(written.mutations).toBeGreaterThan(0);
  expect(written.mutations).toBeLessThan(MUTATIONS);

  workers.spawn();
  const report = await handle.result();
  expect(report).toMatchObject({ state: 'completed', sourceTotal: MUTATIONS, problems: [] });
  expect(report.records.deadLettered).toBe(0);
  const mutations = Array.from(
    { length: MUTATIONS },
    (_, index) => JSON.parse(JSON.stringify(emulator.store.get(index + 1))) as Mutation,
  );
  const source = sourceFingerprint(mutations, emulator);
  expect(await targetFingerprint(database.db)).toEqual({
    lines: source.lines,
    sum: source.sum,
    mutations: MUTATIONS,
  });
  // Sessions did expire under the run, and each was replaced by a login.
  expect(emulator.stats.expiredSessions).toBeGreaterThan(0);
  expect(emulator.stats.logins).toBeGreaterThan(2);
});
