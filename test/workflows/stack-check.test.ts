import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type SapEmulator, startSapEmulator } from '../../src/sandbox/emulators/sap/server.js';
import { startWooEmulator, type WooEmulator } from '../../src/sandbox/emulators/woocommerce/server.js';
import { upgradeEngineSchema } from '../../src/target/schema.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { startTestWorker, type TestWorker } from '../helpers/worker.js';

let database: TestDatabase;
let emulator: WooEmulator;
let worker: TestWorker;
let sap: SapEmulator;

beforeAll(async () => {
  database = await createTestDatabase();
  await upgradeEngineSchema(database.db);
  emulator = await startWooEmulator({ orders: 1234 });
  sap = await startSapEmulator({ orders: 321 });
  const { connection } = emulator;
  worker = await startTestWorker(database.db, {
    woocommerce: connection,
    'wrong-secret': { ...connection, consumerSecret: 'cs_wrong' },
    sap: sap.connection,
    'sap-wrong': { ...sap.connection, password: 'nope' },
  });
});

afterAll(async () => {
  await worker.stop();
  await emulator.close();
  await sap.close();
  await database.drop();
});

it('round-trips a workflow through the real dev server, PostgreSQL and the emulator', async () => {
  const result = await worker.client.workflow.execute('stackCheck', {
    taskQueue: worker.taskQueue,
    workflowId: `test/stack-check/${Date.now()}`,
    args: [{ connection: 'woocommerce' }],
  });
  expect(result).toEqual({
    database: {
      serverVersion: expect.stringMatching(/^\d+\.\d+/),
      schemaSteps: [
        '001-engine-tables',
        '002-rate-limits',
        '003-dead-letter-resolution',
        '004-api-writes',
        '005-api-calls',
        '006-csv-loads',
        '007-csv-load-checks',
        '008-chunk-timings',
        '009-chunk-retries',
      ],
    },
    source: { connection: 'woocommerce', kind: 'woocommerce', orders: 1234 },
  });
});

it('fails at once, without retries, when the source refuses the credentials, naming the connection', async () => {
  const requestsBefore = emulator.stats.requests;
  const error = await worker.client.workflow
    .execute('stackCheck', {
      taskQueue: worker.taskQueue,
      workflowId: `test/stack-check-refused/${Date.now()}`,
      args: [{ connection: 'wrong-secret' }],
    })
    .catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(WorkflowFailedError);
  const cause = (error as WorkflowFailedError).cause?.cause as Error | undefined;
  expect(cause?.message).toMatch(/WooCommerce connection "wrong-secret" was refused \(401/);
  expect(emulator.stats.requests - requestsBefore).toBe(1);
});

it('checks an SAP connection the same way: a logged-in count of its orders, or a refusal naming it', async () => {
  const check = (connection: string) =>
    worker.client.workflow.execute('stackCheck', {
      taskQueue: worker.taskQueue,
      workflowId: `test/stack-check-sap/${connection}/${Date.now()}`,
      args: [{ connection }],
    });
  expect((await check('sap')).source).toEqual({ connection: 'sap', kind: 'sap', orders: 321 });
  const error = await check('sap-wrong').catch((caught: unknown) => caught);
  const cause = (error as WorkflowFailedError).cause?.cause as Error | undefined;
  expect(cause?.message).toBe(
    'SAP connection "sap-wrong" was refused (401: Login failed); check its company database, user and password',
  );
});
