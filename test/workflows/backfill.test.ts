import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackfill } from '../../src/client/backfill.js';
import { summarize } from '../../src/client/run-status.js';
import { woocommerceOrders } from '../../src/migrations/woocommerce-orders/index.js';
import type { WooEmulator } from '../../src/sandbox/emulators/woocommerce/server.js';
import { checksum, expectedLines, targetLines } from '../../src/sandbox/woocommerce-fingerprint.js';
import type { BackfillProgress } from '../../src/workflows/messages.js';
import type { TestDatabase } from '../helpers/database.js';
import { type BackfillFixture, startBackfillFixture } from '../helpers/fixture.js';
import { listAllOrders, listOrders } from '../helpers/woo-http.js';
import type { TestWorker } from '../helpers/worker.js';

let emulator: WooEmulator;
let database: TestDatabase;
let worker: TestWorker;

let fixture: BackfillFixture;

beforeAll(async () => {
  fixture = await startBackfillFixture({ orders: 20_000, seed: 20 });
  ({ emulator, database, worker } = fixture);
});
afterAll(() => fixture.stop());

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
      deadLettered: 0,
      failedPages: 0,
    });
  });
});

describe('counts that never agree', () => {
  it('re-pass the partition up to maxPasses, then report what still differs', async () => {
    const other = await startBackfillFixture({ orders: 1500, seed: 23 });
    try {
      const db = other.database.db;
      // An order the store does not have (deleted there long ago, say) inside the first window: no pass can fix it.
      const [first] = await listOrders(other.emulator, { per_page: 1, order: 'asc' }).then(
        (page) => page.orders,
      );
      await woocommerceOrders.prepareTarget(db);
      const [customer] = await db('customers')
        .insert({
          email: 'ghost@example.com',
          first_name: 'Ghost',
          last_name: 'Order',
          company: '',
          city: 'Utrecht',
          postcode: '3511',
          country: 'NL',
        })
        .returning<{ id: string }[]>('id');
      await db('orders').insert({
        id: 9_000_001,
        number: '9000001',
        status: 'completed',
        currency: 'EUR',
        date_created: `${first?.date_created_gmt}Z`,
        date_modified: `${first?.date_created_gmt}Z`,
        total: '1.00',
        total_tax: '0.00',
        shipping_total: '0.00',
        customer_id: customer?.id,
        payment_method: 'bacs',
      });

      const handle = await startBackfill(other.worker.client, other.worker.taskQueue, {
        migration: 'woocommerce-orders',
        id: `test/mismatch-${Date.now()}`,
        partitionDays: 365,
        maxPasses: 2,
        catchUp: false,
      });
      const report = await handle.result();
      expect(report.state).toBe('completed');
      expect(report.partitions.mismatched).toBe(1);
      expect(report.problems).toHaveLength(1);
      const [problem] = report.problems;
      expect(problem).toMatchObject({ index: 0, outcome: 'mismatch', passes: 2 });
      expect(problem?.targetCount).toBe((problem?.sourceCount ?? 0) + 1);
      // Every real order is still copied: the second pass finds them all unchanged.
      expect(report.records.inserted).toBe(1500);
      expect(summarize({ workflowId: handle.workflowId, ...report })).toContain(
        `partition 0 ${problem?.window.from}..${problem?.window.to}: mismatch (source ${problem?.sourceCount}, target ${problem?.targetCount})`,
      );
    } finally {
      await other.stop();
    }
  });
});

describe('bounded history', () => {
  it('with continue-as-new forced early, every run of every workflow stays under the bound and the copy is exact', async () => {
    const other = await startBackfillFixture({ orders: 3000, seed: 21 });
    const { emulator: small, database: db, worker: smallWorker } = other;
    try {
      const id = `test/can-${Date.now()}`;
      const bound = 100;
      const handle = await startBackfill(smallWorker.client, smallWorker.taskQueue, {
        migration: 'woocommerce-orders',
        id,
        partitionDays: 400,
        concurrency: 3,
        pageSize: 25,
        pagesPerChunk: 1,
        maxHistoryEvents: bound,
      });
      const report = await handle.result();
      expect(report).toMatchObject({
        state: 'completed',
        records: { fetched: 3000, inserted: 3000 },
        problems: [],
      });
      expect(report.continuedAsNew).toBeGreaterThan(0);

      // Every run, as Temporal's visibility lists them: the backfill's and each partition's continued runs.
      const runs: { workflowId: string; status: string; historyLength: number }[] = [];
      for await (const execution of smallWorker.client.workflow.list({
        query: `WorkflowId STARTS_WITH '${id}'`,
      })) {
        runs.push({
          workflowId: execution.workflowId,
          status: execution.status.name,
          historyLength: execution.historyLength,
        });
      }
      const partitions = new Set(runs.filter((run) => run.workflowId !== id).map((run) => run.workflowId));
      expect(partitions.size).toBe(report.partitions.total);
      // Both levels handed over: the backfill, and partitions in the middle of their chunk loops.
      const continued = runs.filter((run) => run.status === 'CONTINUED_AS_NEW');
      expect(continued.filter((run) => run.workflowId === id).length).toBeGreaterThan(0);
      expect(continued.filter((run) => run.workflowId !== id).length).toBeGreaterThan(0);
      // The check runs after each chunk, which adds a dozen events at most.
      for (const run of runs) expect(run.historyLength, run.workflowId).toBeLessThan(bound + 30);

      const expected = expectedLines(await listAllOrders(small));
      expect(checksum(await targetLines(db.db))).toBe(checksum(expected));
    } finally {
      await other.stop();
    }
  });
});
