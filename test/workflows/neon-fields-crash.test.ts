import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { startBackfill } from '../../src/client/backfill.js';
import type { FieldPlanDeclaration } from '../../src/kit/fields/plan.js';
import { generateAccount } from '../../src/sandbox/emulators/neon/generator.js';
import { type NeonEmulator, startNeonEmulator } from '../../src/sandbox/emulators/neon/server.js';
import { displayValue } from '../../src/sandbox/emulators/neon/shapes.js';
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
  connections: () => ({
    neon: { kind: 'neon', baseUrl: emulator.apiUrl, orgId: emulator.orgId, apiKey: emulator.apiKey },
  }),
});

/** The mappings that a second application would double if a write were applied twice: MERGE and ADD_OPTION. */
const PLAN: FieldPlanDeclaration = {
  select: { search: [{ field: 'Account ID', operator: 'GREATER_THAN', value: '0' }] },
  mappings: [
    { from: 'V_Notes', to: 'Notes', strategy: 'MERGE' },
    { from: 'V_Interests', to: 'Interests', strategy: 'MERGE' },
    {
      from: 'V_Volunteer',
      to: 'Interests',
      strategy: 'ADD_OPTION',
      option: 'Volunteering',
      when: { field: 'V_Volunteer', operator: 'IN', values: ['Y', 'yes'] },
    },
  ],
};

/** Notes and Interests as the plan makes them, written out by hand from the account as generated. */
function expected(index: number): { notes: string | null; interests: string | null } {
  const account = generateAccount(SEED, index);
  const shown = (field: string) => displayValue(account, field);
  const [notes, legacyNotes] = [shown('85'), shown('78')];
  const interests = new Set(
    [...(shown('81') ?? '').split('|'), ...(shown('73') ?? '').split('|')].filter(Boolean),
  );
  if (['Y', 'yes'].includes(shown('77') ?? '')) interests.add('Volunteering');
  return {
    notes: legacyNotes
      ? notes
        ? notes.includes(legacyNotes)
          ? notes
          : `${notes}; ${legacyNotes}`
        : legacyNotes
      : notes,
    interests: interests.size > 0 ? [...interests].sort().join('|') : null,
  };
}

const actual = (id: number) => ({
  notes: emulator.valueOf(id, '85'),
  interests: emulator.valueOf(id, '81')?.split('|').sort().join('|') ?? null,
});

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
    const want = expected(index);
    const now = actual(index + 1);
    return want.notes !== now.notes || want.interests !== now.interests;
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
