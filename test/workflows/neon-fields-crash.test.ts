import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { startBackfill } from '../../src/client/backfill.js';
import { type NeonEmulator, startNeonEmulator } from '../../src/sandbox/emulators/neon/server.js';
import { accountView, expectedView, vFieldPlan } from '../../src/sandbox/neon-v-fields.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { WorkerProcesses } from '../helpers/worker-process.js';

const ACCOUNTS = 2000;
const SEED = 29;
let emulator: NeonEmulator;
let database: TestDatabase;
let connection: Connection;
let client: Client;
const taskQueue = `neon-crash-${Date.now()}`;

const workers = new WorkerProcesses({
  databaseUrl: () => database.url,
  taskQueue,
  connections: () => ({ neon: emulator.connection }),
});

/** Every kind of mapping; MERGE and ADD_OPTION are the ones a write applied twice would show (text doubled). */
const PLAN = vFieldPlan();
const expected = (index: number) => expectedView(SEED, index);
const actual = (id: number) => accountView((field) => emulator.valueOf(id, field));

beforeAll(async () => {
  // Each request a few milliseconds late: the run lasts long enough to be killed in the middle of its writes.
  emulator = await startNeonEmulator({ accounts: ACCOUNTS, seed: SEED, faults: { latencyMs: 8 } });
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

it('a worker killed with SIGKILL in the middle of its writes: exact, and no account written twice', async () => {
  const changing = Array.from({ length: ACCOUNTS }, (_, index) => index).filter((index) => {
    return JSON.stringify(expected(index)) !== JSON.stringify(actual(index + 1));
  }).length;
  const first = workers.spawn();
  const handle = await startBackfill(client, taskQueue, {
    migration: 'neon-fields',
    id: `test/neon-crash-${Date.now()}`,
    options: { plan: PLAN },
    apply: true,
  });
  // Inside a chunk: 200 accounts a chunk, so 450 writes is the middle of the third.
  while (emulator.endpoints.write.requests < 450) await sleep(20);
  first.kill('SIGKILL');
  await once(first, 'exit');
  const writtenBeforeKill = emulator.endpoints.write.requests;
  expect(writtenBeforeKill).toBeLessThan(changing);

  workers.spawn();
  const report = await handle.result();
  expect(report).toMatchObject({ state: 'completed', problems: [] });
  for (let index = 0; index < ACCOUNTS; index++) {
    expect(actual(index + 1), `account ${index + 1}`).toEqual(expected(index));
  }
  // Every account that changes got exactly one PATCH, the ones in flight at the kill included: a retried chunk
  // found them written (pending in the ledger, already as planned) and sent nothing again.
  expect(emulator.endpoints.write.requests).toBe(changing);
  expect(report.records.updated).toBe(changing);
  expect(report.records.deadLettered).toBe(0);
});
