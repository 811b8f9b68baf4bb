import { setTimeout as sleep } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveSync, type SyncOptions } from '../../src/client/sync.js';
import { type SapEmulator, startSapEmulator } from '../../src/sandbox/emulators/sap/server.js';
import type { incrementalSync, SyncResult } from '../../src/workflows/incremental-sync.js';
import { syncProgressQuery } from '../../src/workflows/sync-messages.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { expectedSalesOrders, rowVersions, sapControl, targetSalesOrders } from '../helpers/sap.js';
import { startTestWorker, type TestWorker } from '../helpers/worker.js';

const SEED = 11;
let sap: SapEmulator;
let database: TestDatabase;
let worker: TestWorker;
let runs = 0;

beforeAll(async () => {
  sap = await startSapEmulator({ orders: 600, seed: SEED });
  database = await createTestDatabase();
  worker = await startTestWorker(database.db, { sap: sap.connection });
});
afterAll(async () => {
  await worker?.stop();
  await sap?.close();
  await database?.drop();
});

function startSync(options: Partial<SyncOptions> = {}): Promise<WorkflowHandle<typeof incrementalSync>> {
  return worker.client.workflow.start<typeof incrementalSync>('incrementalSync', {
    taskQueue: worker.taskQueue,
    workflowId: `test/sync-${Date.now()}-${++runs}`,
    args: [resolveSync({ migration: 'sap-orders', backfill: { partitionDays: 365 }, ...options })],
  });
}

const sync = async (options: Partial<SyncOptions> = {}): Promise<SyncResult> =>
  (await startSync(options)).result();

const watermark = async (): Promise<string> => {
  const row = await database.db('ferry_watermarks').where({ migration: 'sap-orders' }).first();
  return (row.watermark as Date).toISOString();
};

async function expectTargetExact(): Promise<void> {
  const expected = expectedSalesOrders(sap, SEED);
  const actual = await targetSalesOrders(database.db);
  expect(actual.orders).toEqual(expected.orders);
  expect(actual.lines).toEqual(expected.lines);
}

describe('incrementalSync (sap-orders, real Temporal and PostgreSQL, SAP emulator)', () => {
  it('backfills first when the migration has no watermark, then marks the source latest change', async () => {
    const result = await sync();
    // The backfill's catch-up reads again what changed while it ran, so fetched may exceed 600.
    expect(result.backfilled?.inserted).toBe(600);
    await expectTargetExact();
    const latest = [...sap.store.all()]
      .map((o) => `${o.UpdateDate}T${o.UpdateTime}.000Z`)
      .sort()
      .at(-1);
    expect(await watermark()).toBe(latest);
    expect(result).toMatchObject({
      phase: 'completed',
      watermark: latest,
      inserted: 0,
      updated: 0,
      deleted: 0,
    });
  });

  it('a sync with no source changes writes no row', async () => {
    const before = await rowVersions(database.db);
    const logins = sap.stats.logins;
    const result = await sync();
    expect(result).toMatchObject({ inserted: 0, updated: 0, deleted: 0, backfilled: null });
    // The worker's session from the last sync serves this one: no new login, no new session left open at SAP.
    expect(sap.stats.logins).toBe(logins);
    expect(result.fetched).toBeGreaterThan(0); // the open orders, read every time
    expect(result.unchanged).toBe(result.fetched);
    expect(await rowVersions(database.db)).toEqual(before);
  });

  it('new orders, an edited header, an edited line, a removed line and a closed order are exact after the next sync; nothing else is written', async () => {
    const before = await rowVersions(database.db);
    const { docEntries: created } = await sapControl<{ docEntries: number[] }>(sap, 'POST', '/orders', {
      count: 3,
    });
    const withLines = sap.store.all().filter((o) => o.DocumentLines.length >= 2);
    const [header, line, removed, closed] = [10, 20, 30, 40].map((n) => withLines[n]?.DocEntry as number);
    await sapControl(sap, 'POST', `/orders/${header}/edit-header`);
    await sapControl(sap, 'POST', `/orders/${line}/edit-line`);
    await sapControl(sap, 'POST', `/orders/${removed}/remove-line`);
    await sapControl(sap, 'POST', `/orders/${closed}/close`);

    const result = await sync();
    expect(result).toMatchObject({ inserted: 3, updated: 4, deleted: 1 });
    expect(result.unchanged).toBe(result.fetched - 7);
    await expectTargetExact();

    const after = await rowVersions(database.db);
    const touched = new Set([header, line, removed, closed, ...created]);
    for (const [key, xmin] of before) {
      const docEntry = Number(key.slice(1).split('/')[0]);
      if (!touched.has(docEntry)) expect(after.get(key), key).toBe(xmin);
    }
  });

  it('an order stamped exactly at the watermark is read, with no lookback at all', async () => {
    const mark = await watermark();
    const target = sap.store.all()[5]?.DocEntry as number;
    await sapControl(sap, 'POST', `/orders/${target}/edit-header`, { at: mark });
    const result = await sync({ lookback: '0s' });
    expect(result.since).toBe(mark);
    expect(result.updated).toBe(1);
    await expectTargetExact();
  });

  it('an order changed while a sync runs is picked up by the next sync', async () => {
    // Slow the sync down (10 orders a page, 5 pages a second) so there is a "while".
    const handle = await startSync({
      pageSize: 10,
      pagesPerChunk: 1,
      requestsPerMinute: 300,
      lookback: '0s',
    });
    for (;;) {
      const progress = await handle.query(syncProgressQuery).catch(() => undefined);
      if (progress && progress.fetched >= 20) break;
      await sleep(50);
    }
    // An early order: the running sync has read past it and will not see the change.
    const early = sap.store.all()[0]?.DocEntry as number;
    await sapControl(sap, 'POST', `/orders/${early}/edit-line`);
    const during = await handle.result();
    expect(during.fetched).toBeGreaterThan(20);
    const stale = await targetSalesOrders(database.db);
    expect(stale.lines).not.toEqual(expectedSalesOrders(sap, SEED).lines);

    const next = await sync({ lookback: '0s' });
    expect(next.updated).toBe(1);
    await expectTargetExact();
  });

  it('a session that expires in the middle of a sync is logged in again', async () => {
    const changed = sap.store.all().slice(100, 250);
    for (const order of changed) await sapControl(sap, 'POST', `/orders/${order.DocEntry}/edit-header`);
    const handle = await startSync({ pageSize: 20, pagesPerChunk: 1, requestsPerMinute: 1200 });
    for (;;) {
      const progress = await handle.query(syncProgressQuery).catch(() => undefined);
      if (progress && progress.fetched >= 40) break;
      await sleep(50);
    }
    const { expired } = await sapControl<{ expired: number }>(sap, 'POST', '/sessions/expire');
    expect(expired).toBeGreaterThan(0);
    const loginsAtExpiry = sap.stats.logins;
    const result = await handle.result();
    expect(result.updated).toBe(150);
    expect(sap.stats.logins - loginsAtExpiry).toBeGreaterThanOrEqual(1);
    await expectTargetExact();
  });
});
