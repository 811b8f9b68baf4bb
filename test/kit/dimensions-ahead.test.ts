import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { prepareTarget, RecordRows } from '../../src/kit/index.js';
import { writeRecordRows } from '../../src/kit/migration/write-records.js';
import type { ChunkContext } from '../../src/migrations/types.js';
import { target } from '../../src/migrations/woocommerce-orders/target.js';
import { OrderStore } from '../../src/sandbox/emulators/woocommerce/store.js';
import { upgradeEngineSchema } from '../../src/target/schema.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

// 200 orders of 50 customers, each customer's orders spread over the year: two chunks share most customers.
const store = new OrderStore({
  seed: 7,
  baseCount: 200,
  startMs: Date.parse('2024-01-01T00:00:00Z'),
  endMs: Date.parse('2025-01-01T00:00:00Z'),
});
const orders = Array.from({ length: store.size }, (_, index) => store.order(index));
const context = (dryRun = false): ChunkContext => ({
  onPage: () => undefined,
  runScope: 'test-run',
  deadLetters: { runId: 'test', partitionKey: null },
  dryRun,
});
const writeChunk = (records: unknown[], dryRun = false, finish?: () => Promise<void>) =>
  writeRecordRows(
    database.db,
    'woocommerce-orders',
    target,
    context(dryRun),
    new RecordRows(target).add(records),
    undefined,
    finish,
  );

const customerCount = async () =>
  Number(((await database.db('customers').count({ n: '*' }).first()) as { n: string }).n);

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  await upgradeEngineSchema(database.db);
  await prepareTarget(database.db, 'woocommerce-orders', target);
});
afterAll(() => database.drop());
beforeEach(() => database.db.raw('truncate table order_items, orders, customers'));

it("commits a chunk's new customers before its records, so a chunk sharing them does not wait for its commit", async () => {
  const [early, late] = [orders.slice(0, 100), orders.slice(100)];
  const shared = new Set(early.map((order) => order.billing.email));
  expect(late.filter((order) => shared.has(order.billing.email)).length).toBeGreaterThan(50);
  let release = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  let holding = () => {};
  const firstHolds = new Promise<void>((resolve) => {
    holding = resolve;
  });
  // The first chunk keeps its transaction open until the second has committed: had its customers been inserted
  // inside it, the second would wait on them and neither could finish (the test would time out).
  const first = writeChunk(early, false, async () => {
    holding();
    await held;
  });
  await firstHolds;
  expect(await writeChunk(late)).toMatchObject({ inserted: 100 });
  release();
  expect(await first).toMatchObject({ inserted: 100 });
  const stored = await database
    .db('orders')
    .join('customers', 'customers.id', 'orders.customer_id')
    .orderBy('orders.id')
    .select('orders.id', 'customers.email');
  expect(stored).toEqual(
    orders.map((order) => ({ id: String(order.id), email: String(order.billing.email).toLowerCase() })),
  );
  expect(await customerCount()).toBe(
    new Set(orders.map((order) => String(order.billing.email).toLowerCase())).size,
  );
});

it('a dry run leaves no customers behind', async () => {
  expect(await writeChunk(orders, true)).toMatchObject({ inserted: 200 });
  expect(await customerCount()).toBe(0);
});
