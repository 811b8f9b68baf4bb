import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { columns as c, defineTarget, prepareTarget, table, writeTarget } from '../../src/kit/index.js';
import type { TargetRows } from '../../src/kit/target/write.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

// No dimension: two writers of the same records then meet first at the records' unique index.
const orders = table('fl_orders', { columns: { id: c.bigint(), total: c.decimal(12, 2) }, key: ['id'] });
const items = table('fl_items', {
  columns: {
    id: c.bigint(),
    order_id: c.bigint().references('fl_orders.id', { cascade: true }),
    sku: c.text(),
  },
  key: ['id'],
});
const target = defineTarget({ record: orders, children: [{ table: items, parentColumn: 'order_id' }] });

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  await prepareTarget(database.db, 'first-load-test', target);
});
afterAll(() => database.drop());
beforeEach(() => database.db.raw('truncate fl_items, fl_orders'));

const chunk = (orderIds: number[], itemOf = (order: number) => order * 10): TargetRows => ({
  fl_orders: orderIds.map((id) => ({ id, total: `${id}.00` })),
  fl_items: orderIds.map((id) => ({ id: itemOf(id), order_id: id, sku: `sku-${id}` })),
});

/** The statements of `body`'s transactions, to tell the COPY path (its savepoint) from the comparing one. */
async function watched<T>(body: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
  const statements: string[] = [];
  const listen = (query: { sql: string }) => statements.push(query.sql);
  database.db.on('query', listen);
  try {
    return { result: await body(), statements };
  } finally {
    database.db.off('query', listen);
  }
}

const rows = async () => ({
  orders: await database.db('fl_orders').orderBy('id').select('id', 'total'),
  items: await database.db('fl_items').orderBy('id').select('id', 'order_id', 'sku'),
});

it('a chunk that meets its own records in another uncommitted transaction waits, falls back and counts them unchanged', async () => {
  const first = await database.db.transaction();
  const copied = await watched(() => writeTarget(first, target, chunk([1, 2, 3])));
  expect(copied.statements).toContain('release savepoint ferry_first_load');
  // The second writer's probe sees nothing yet (the first has not committed); its COPY waits on the unique index.
  const second = watched(() => database.db.transaction((trx) => writeTarget(trx, target, chunk([1, 2, 3]))));
  await new Promise((resolve) => setTimeout(resolve, 300));
  await first.commit();
  const { result, statements } = await second;
  expect(statements).toContain('rollback to savepoint ferry_first_load');
  expect(result).toMatchObject({ inserted: 0, updated: 0, unchanged: 3 });
  expect((await rows()).orders).toHaveLength(3);
});

it('compares instead when a child table does not need its record (no foreign key): old child rows may wait there', async () => {
  const loose = defineTarget({
    record: table('fl_loose_orders', { columns: { id: c.bigint() }, key: ['id'] }),
    children: [
      {
        table: table('fl_loose_items', { columns: { id: c.bigint(), order_id: c.bigint() }, key: ['id'] }),
        parentColumn: 'order_id',
      },
    ],
  });
  await prepareTarget(database.db, 'first-load-loose', loose);
  // A line under order 5 from before (its order was deleted without it): the chunk's order 5 replaces its lines.
  await database.db('fl_loose_items').insert({ id: 51, order_id: 5 });
  const { result, statements } = await watched(() =>
    database.db.transaction((trx) =>
      writeTarget(trx, loose, { fl_loose_orders: [{ id: 5 }], fl_loose_items: [{ id: 50, order_id: 5 }] }),
    ),
  );
  expect(statements.some((sql) => sql.includes('ferry_first_load'))).toBe(false);
  expect(result).toMatchObject({ inserted: 1 });
  expect(await database.db('fl_loose_items').orderBy('id').pluck('id')).toEqual(['50']);
});

it('falls back when a new record brings a child row another record holds, and moves it as the comparing path does', async () => {
  await database.db.transaction((trx) => writeTarget(trx, target, chunk([1])));
  // Order 2 is new, but its line 10 is order 1's line now.
  const { result, statements } = await watched(() =>
    database.db.transaction((trx) =>
      writeTarget(
        trx,
        target,
        chunk([2], () => 10),
      ),
    ),
  );
  expect(statements).toContain('rollback to savepoint ferry_first_load');
  expect(result).toMatchObject({ inserted: 1, updated: 0, unchanged: 0 });
  expect(await rows()).toEqual({
    orders: [
      { id: '1', total: '1.00' },
      { id: '2', total: '2.00' },
    ],
    items: [{ id: '10', order_id: '2', sku: 'sku-2' }],
  });
});
