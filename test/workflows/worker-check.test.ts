import { Client } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { upgradeEngineSchema } from '../../src/target/schema.js';
import { createFerryWorker } from '../../src/worker.js';
import { checkWorker } from '../../src/worker-check.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

const taskQueue = `test-worker-check-${Math.random().toString(36).slice(2, 10)}`;
const namespace = inject('temporalNamespace');
let database: TestDatabase;
const workers: { connection: NativeConnection; worker: Worker; running: Promise<void> }[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  await upgradeEngineSchema(database.db);
  // Two workers of one task queue, each on its own connection, as two processes would be.
  for (const identity of ['first-worker', 'second-worker']) {
    const connection = await NativeConnection.connect({ address: inject('temporalAddress') });
    const worker = await createFerryWorker({
      connection,
      namespace,
      taskQueue,
      identity,
      deps: {
        db: database.db,
        resolveConnection: () => {
          throw new Error('no source connection in this test');
        },
      },
    });
    workers.push({ connection, worker, running: worker.run() });
  }
});

afterAll(async () => {
  for (const { worker, running, connection } of workers) {
    worker.shutdown();
    await running;
    await connection.close();
  }
  await database.drop();
});

it("runs a worker's first workflow and its activity on that worker, not on another of its queue", async () => {
  const first = workers[0];
  if (!first) throw new Error('no worker started');
  // Without an eager start each check would land on either worker: four in a row on the first is 1 in 16 by chance.
  for (let attempt = 0; attempt < 4; attempt++) {
    const check = await checkWorker({ connection: first.connection, namespace, taskQueue });
    expect(check.database.schemaSteps).toContain('009-chunk-retries');
    expect(check.eagerlyStarted).toBe(true);
  }
  const client = new Client({ connection: first.connection, namespace });
  const identities = new Set<string>();
  let runs = 0;
  for await (const run of client.workflow.list({
    query: `WorkflowId STARTS_WITH "ferry/worker-check/${taskQueue}/"`,
  })) {
    runs++;
    const history = await client.workflow.getHandle(run.workflowId).fetchHistory();
    for (const event of history.events ?? []) {
      const started = event.workflowTaskStartedEventAttributes ?? event.activityTaskStartedEventAttributes;
      if (started?.identity) identities.add(started.identity);
    }
  }
  expect(runs).toBe(4);
  // The eagerly started first task is recorded under the starting client's identity; every later one, the
  // activities' included, went to the worker that took it.
  expect(identities).toContain('first-worker');
  expect(identities).not.toContain('second-worker');
});
