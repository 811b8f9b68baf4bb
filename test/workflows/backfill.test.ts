import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackfill } from '../../src/client/backfill.js';
import { checksum, expectedLines, targetLines } from '../../src/migrations/woocommerce-orders/fingerprint.js';
import { startWooEmulator, type WooEmulator } from '../../src/sandbox/emulators/woocommerce/server.js';
import type { BackfillProgress } from '../../src/workflows/messages.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { listAllOrders } from '../helpers/woo-http.js';
import { startTestWorker, type TestWorker } from '../helpers/worker.js';

let emulator: WooEmulator;
let database: TestDatabase;
let worker: TestWorker;

beforeAll(async () => {
  emulator = await startWooEmulator({ orders: 20_000, seed: 20 });
  database = await createTestDatabase();
  worker = await startTestWorker(database.db, {
    woocommerce: {
      kind: 'woocommerce',
      baseUrl: emulator.siteUrl,
      consumerKey: emulator.consumerKey,
      consumerSecret: emulator.consumerSecret,
    },
  });
});
afterAll(async () => {
  await worker.stop();
  await emulator.close();
  await database.drop();
});

describe('backfill of woocommerce-orders', () => {
  it('copies 20,000 orders exactly, and a second run inserts and updates nothing', async () => {
    const options = { migration: 'woocommerce-orders', partitionDays: 180, concurrency: 4 };
    const first = await startBackfill(worker.client, worker.taskQueue, {
      ...options,
      id: `test/backfill-1/${Date.now()}`,
    });
    const report: BackfillProgress = await first.result();
    expect(report).toMatchObject({
      state: 'completed',
      sourceTotal: 20_000,
      records: { fetched: 20_000, inserted: 20_000, updated: 0, unchanged: 0 },
      problems: [],
    });
    expect(report.partitions.done).toBe(report.partitions.total);
    expect(report.maxHistoryEvents).toBeLessThan(10_000);

    const expected = expectedLines(await listAllOrders(emulator));
    const actual = await targetLines(database.db);
    expect(actual.length).toBe(expected.length);
    expect(checksum(actual)).toBe(checksum(expected));

    const second = await startBackfill(worker.client, worker.taskQueue, {
      ...options,
      id: `test/backfill-2/${Date.now()}`,
    });
    expect((await second.result()).records).toEqual({
      fetched: 20_000,
      inserted: 0,
      updated: 0,
      unchanged: 20_000,
    });
  });
});
