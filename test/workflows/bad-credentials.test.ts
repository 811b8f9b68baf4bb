import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { resolveBackfill } from '../../src/client/backfill.js';
import { resolveSync } from '../../src/client/sync.js';
import { type SapEmulator, startSapEmulator } from '../../src/sandbox/emulators/sap/server.js';
import { startWooEmulator, type WooEmulator } from '../../src/sandbox/emulators/woocommerce/server.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { startTestWorker, type TestWorker } from '../helpers/worker.js';

let database: TestDatabase;
let woo: WooEmulator;
let sap: SapEmulator;
let worker: TestWorker;

beforeAll(async () => {
  database = await createTestDatabase();
  woo = await startWooEmulator({ orders: 500 });
  sap = await startSapEmulator({ orders: 100 });
  worker = await startTestWorker(database.db, {
    'shop-eu': { ...woo.connection, consumerSecret: 'cs_wrong' },
    'erp-nl': { ...sap.connection, password: 'wrong' },
  });
});
afterAll(async () => {
  await worker?.stop();
  await woo?.close();
  await sap?.close();
  await database?.drop();
});

/** The innermost failure message of a failed run. */
async function failureOf(run: Promise<unknown>): Promise<string> {
  const error = await run.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(WorkflowFailedError);
  let cause = (error as Error).cause as Error | undefined;
  while ((cause?.cause as Error | undefined)?.message) cause = cause?.cause as Error;
  return cause?.message ?? '';
}

it('wrong credentials fail a backfill and a sync at once, naming the connection, with no retry storm', async () => {
  const { input } = resolveBackfill({ migration: 'woocommerce-orders', connection: 'shop-eu' });
  const wooRequests = woo.stats.requests;
  const backfill = worker.client.workflow.execute('backfill', {
    taskQueue: worker.taskQueue,
    workflowId: `test/bad-credentials-woo-${Date.now()}`,
    args: [input],
  });
  expect(await failureOf(backfill)).toMatch(/^WooCommerce connection "shop-eu" was refused \(401/);
  expect(woo.stats.requests - wooRequests).toBe(1); // refused once, never retried

  const sapRequests = sap.stats.requests;
  const sync = worker.client.workflow.execute('incrementalSync', {
    taskQueue: worker.taskQueue,
    workflowId: `test/bad-credentials-sap-${Date.now()}`,
    args: [resolveSync({ migration: 'sap-orders', connection: 'erp-nl' })],
  });
  expect(await failureOf(sync)).toBe(
    'SAP connection "erp-nl" was refused (401: Login failed); check its company database, user and password',
  );
  expect(sap.stats.requests - sapRequests).toBe(1);
});
