import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { startWooEmulator, type WooEmulator } from '../../src/sandbox/emulators/woocommerce/server.js';
import { migrateToLatest } from '../../src/target/migrate.js';
import { createFerryWorker } from '../../src/worker.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

const TASK_QUEUE = 'stack-check-test';
let database: TestDatabase;
let emulator: WooEmulator;
let nativeConnection: NativeConnection;
let connection: Connection;
let client: Client;
let worker: Worker;
let workerRun: Promise<void>;

beforeAll(async () => {
  database = await createTestDatabase();
  await migrateToLatest(database.db);
  emulator = await startWooEmulator({ orders: 1234 });
  const address = inject('temporalAddress');
  nativeConnection = await NativeConnection.connect({ address });
  connection = await Connection.connect({ address });
  client = new Client({ connection, namespace: inject('temporalNamespace') });
  worker = await createFerryWorker({
    connection: nativeConnection,
    namespace: inject('temporalNamespace'),
    taskQueue: TASK_QUEUE,
    deps: {
      db: database.db,
      resolveConnection: (name) => ({
        kind: 'woocommerce',
        baseUrl: emulator.siteUrl,
        consumerKey: emulator.consumerKey,
        consumerSecret: name === 'wrong-secret' ? 'cs_wrong' : emulator.consumerSecret,
      }),
    },
  });
  workerRun = worker.run();
});

afterAll(async () => {
  worker.shutdown();
  await workerRun;
  await nativeConnection.close();
  await connection.close();
  await emulator.close();
  await database.drop();
});

it('round-trips a workflow through the real dev server, PostgreSQL and the emulator', async () => {
  const result = await client.workflow.execute('stackCheck', {
    taskQueue: TASK_QUEUE,
    workflowId: `test/stack-check/${Date.now()}`,
    args: [{ connection: 'woocommerce' }],
  });
  expect(result).toEqual({
    database: { serverVersion: expect.stringMatching(/^\d+\.\d+/), migrations: ['001-engine-tables'] },
    source: { connection: 'woocommerce', kind: 'woocommerce', orders: 1234 },
  });
});

it('fails at once, without retries, when the source refuses the credentials, naming the connection', async () => {
  const requestsBefore = emulator.stats.requests;
  const error = await client.workflow
    .execute('stackCheck', {
      taskQueue: TASK_QUEUE,
      workflowId: `test/stack-check-refused/${Date.now()}`,
      args: [{ connection: 'wrong-secret' }],
    })
    .catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(WorkflowFailedError);
  const cause = (error as WorkflowFailedError).cause?.cause as Error | undefined;
  expect(cause?.message).toMatch(/WooCommerce connection "wrong-secret" was refused \(401/);
  expect(emulator.stats.requests - requestsBefore).toBe(1);
});
