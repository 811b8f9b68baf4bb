import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startBackfill } from '../../src/client/backfill.js';
import type { WooEmulator } from '../../src/sandbox/emulators/woocommerce/server.js';
import { checksum, expectedLines, targetLines } from '../../src/sandbox/woocommerce-fingerprint.js';
import { progressQuery } from '../../src/workflows/messages.js';
import type { TestDatabase } from '../helpers/database.js';
import { type BackfillFixture, startBackfillFixture } from '../helpers/fixture.js';
import { control, listAllOrders } from '../helpers/woo-http.js';
import type { TestWorker } from '../helpers/worker.js';

let emulator: WooEmulator;
let database: TestDatabase;
let worker: TestWorker;

let fixture: BackfillFixture;

beforeAll(async () => {
  fixture = await startBackfillFixture({ orders: 6000, seed: 55, faults: { latencyMs: 10 } });
  ({ emulator, database, worker } = fixture);
});
afterAll(() => fixture.stop());

it('orders created, modified and trashed during the backfill are all reflected by the end', async () => {
  const handle = await startBackfill(worker.client, worker.taskQueue, {
    migration: 'woocommerce-orders',
    id: `test/live-${Date.now()}`,
    partitionDays: 200,
    concurrency: 3,
    pageSize: 50,
    pagesPerChunk: 1,
  });
  for (;;) {
    const progress = await handle.query(progressQuery);
    if (progress.records.fetched >= 1500) break;
    await sleep(100);
  }
  // Changes spread over windows already copied, being copied and not yet started.
  await control(emulator, 'POST', '/orders', { count: 30 });
  for (let id = 7; id <= 6000; id += 300) await control(emulator, 'POST', `/orders/${id}/modify`);
  for (let id = 150; id <= 6000; id += 600) await control(emulator, 'POST', `/orders/${id}/trash`);

  const report = await handle.result();
  expect(report.state).toBe('completed');
  expect(report.problems).toEqual([]);

  const live = await listAllOrders(emulator);
  const trashed = await listAllOrders(emulator, { status: 'trash' });
  expect(live.length).toBe(6000 + 30 - 10);
  expect(trashed.length).toBe(10);
  const expected = expectedLines([...live, ...trashed]);
  const actual = await targetLines(database.db);
  expect(actual.length).toBe(expected.length);
  expect(checksum(actual)).toBe(checksum(expected));
});
