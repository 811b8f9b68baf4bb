import type { Knex } from 'knex';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import {
  type Column,
  columns as c,
  defineTarget,
  prepareTarget,
  table,
  writeTarget,
} from '../../src/kit/index.js';
import type { TargetRows } from '../../src/kit/target/write.js';
import { createDb } from '../../src/target/db.js';
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
    database.db.transaction(async (trx) => {
      const counts = await writeTarget(
        trx,
        target,
        chunk([2], () => 10),
      );
      // The trusted line's COPY failed: the savepoint took the role back with it.
      const { rows: role } = await trx.raw(`select current_setting('session_replication_role') as role`);
      return { ...counts, role: role[0].role };
    }),
  );
  expect(statements).toContain('rollback to savepoint ferry_first_load');
  expect(result.role).toBe('origin');
  expect(result).toMatchObject({ inserted: 1, updated: 0, unchanged: 0 });
  expect(await rows()).toEqual({
    orders: [
      { id: '1', total: '1.00' },
      { id: '2', total: '2.00' },
    ],
    items: [{ id: '10', order_id: '2', sku: 'sku-2' }],
  });
});

/** Index scans of a record table in `trx` so far: a child row's foreign-key check is one each. */
async function probesOf(trx: Knex.Transaction, records: string): Promise<number> {
  const { rows: found } = await trx.raw<{ rows: { scans: string }[] }>(
    `select coalesce(idx_scan, 0) as scans from pg_stat_xact_user_tables where relname = ?`,
    [records],
  );
  return Number(found[0]?.scans ?? 0);
}

/** Orders (an id alone) with one child table of items naming them, `${prefix}_orders` and `${prefix}_items`. */
function ordersWithItems(prefix: string, itemColumns: Record<string, Column<unknown>> = {}) {
  return defineTarget({
    record: table(`${prefix}_orders`, { columns: { id: c.bigint() }, key: ['id'] }),
    children: [
      {
        table: table(`${prefix}_items`, {
          columns: {
            id: c.bigint(),
            order_id: c.bigint().references(`${prefix}_orders.id`, { cascade: true }),
            ...itemColumns,
          },
          key: ['id'],
        }),
        parentColumn: 'order_id',
      },
    ],
  });
}

const ORDERS = Array.from({ length: 200 }, (_, index) => index + 1);

/** A first load of ORDERS (one item each) through `db`: its counts, and how often it probed the orders. */
const firstLoad = (db: Knex) =>
  db.transaction(async (trx) => {
    const counts = await writeTarget(trx, target, chunk(ORDERS));
    const { rows: role } = await trx.raw(`select current_setting('session_replication_role') as role`);
    return { counts, probes: await probesOf(trx, 'fl_orders'), role: role[0].role };
  });

it('COPYs children that can only name the records just COPYed without a foreign-key probe per row', async () => {
  const { counts, probes, role } = await firstLoad(database.db);
  expect(counts).toMatchObject({ inserted: ORDERS.length });
  expect(probes).toBeLessThan(ORDERS.length);
  expect((await rows()).items).toHaveLength(ORDERS.length);
  // The rest of the transaction checks again.
  expect(role).toBe('origin');
});

/** A login role of this test, owning nothing: it may write the tables, and `may` say more. */
async function connectAs(name: string, may: string[] = []): Promise<Knex> {
  await database.db.raw(`create role ${name} login password 'ferry'`);
  await database.db.raw(`grant all on fl_orders, fl_items to ${name}`);
  for (const privilege of may) await database.db.raw(`grant ${privilege} to ${name}`);
  const url = new URL(database.url);
  url.username = name;
  url.password = 'ferry';
  return createDb(url.toString(), 1);
}
const roles: string[] = [];
afterAll(async () => {
  for (const role of roles) {
    await database.db.raw(`drop owned by ${role}`);
    await database.db.raw(`drop role ${role}`);
  }
});

it('keeps the checks for a role that may not skip them, and skips them for one granted SET on the setting', async () => {
  const suffix = Math.random().toString(36).slice(2, 8);
  const [plainRole, grantedRole] = [`fl_plain_${suffix}`, `fl_granted_${suffix}`];
  roles.push(plainRole, grantedRole);
  const plain = await connectAs(plainRole);
  const granted = await connectAs(grantedRole, ['set on parameter session_replication_role']);
  try {
    const checked = await firstLoad(plain);
    expect(checked.counts).toMatchObject({ inserted: ORDERS.length });
    expect(checked.probes).toBeGreaterThanOrEqual(ORDERS.length);
    await database.db.raw('truncate fl_items, fl_orders');
    const trusted = await firstLoad(granted);
    expect(trusted.counts).toMatchObject({ inserted: ORDERS.length });
    expect(trusted.probes).toBeLessThan(ORDERS.length);
    expect((await rows()).items).toHaveLength(ORDERS.length);
  } finally {
    await plain.destroy();
    await granted.destroy();
  }
});

it('keeps the checks, and the triggers, of a child table with a trigger of its own', async () => {
  await database.db.raw(`create table fl_item_log (item_id bigint)`);
  await database.db.raw(
    `create function fl_log_item() returns trigger language plpgsql as
     $$ begin insert into fl_item_log values (new.id); return new; end $$`,
  );
  await database.db.raw(
    `create trigger fl_items_logged after insert on fl_items for each row execute function fl_log_item()`,
  );
  try {
    const { probes } = await firstLoad(database.db);
    expect(probes).toBeGreaterThanOrEqual(ORDERS.length);
    expect(Number((await database.db('fl_item_log').count({ n: '*' }))[0]?.n)).toBe(ORDERS.length);
  } finally {
    await database.db.raw('drop trigger fl_items_logged on fl_items');
    await database.db.raw('drop table fl_item_log');
    await database.db.raw('drop function fl_log_item');
  }
});

it('keeps the checks of a child table with a foreign key to another table: a row naming nothing there fails', async () => {
  await database.db.raw(`create table fl_skus (sku text primary key)`);
  await database.db.raw(
    `alter table fl_items add constraint fl_items_sku foreign key (sku) references fl_skus`,
  );
  try {
    await expect(firstLoad(database.db)).rejects.toThrow(/fl_items_sku/);
    expect((await rows()).orders).toEqual([]);
  } finally {
    await database.db.raw('alter table fl_items drop constraint fl_items_sku');
    await database.db.raw('drop table fl_skus');
  }
});

it('keeps the checks when a child row names a record the chunk does not have: the foreign key refuses it', async () => {
  const orphan = chunk([1, 2]);
  const items = [...(orphan.fl_items ?? []), { id: 30, order_id: 3, sku: 'sku-3' }];
  await expect(
    database.db.transaction((trx) => writeTarget(trx, target, { ...orphan, fl_items: items })),
  ).rejects.toThrow(/foreign key/);
  expect(await rows()).toEqual({ orders: [], items: [] });
});

it('trusts a line naming another line of the same COPY (a bundle), and keeps the check for one naming any other', async () => {
  const bundles = ordersWithItems('fl_bundle', {
    bundled_by: c.bigint().nullable().references('fl_bundle_items.id', { cascade: true }),
  });
  await prepareTarget(database.db, 'first-load-bundles', bundles);
  const load = (bundledBy: number) =>
    database.db.transaction(async (trx) => {
      const counts = await writeTarget(trx, bundles, {
        fl_bundle_orders: ORDERS.map((id) => ({ id })),
        fl_bundle_items: ORDERS.flatMap((id) => [
          { id: id * 10, order_id: id, bundled_by: null },
          { id: id * 10 + 1, order_id: id, bundled_by: id === 1 ? bundledBy : id * 10 },
        ]),
      });
      return { counts, probes: await probesOf(trx, 'fl_bundle_orders') };
    });
  await expect(load(99_999)).rejects.toThrow(/bundled_by/);
  const { counts, probes } = await load(10);
  expect(counts).toMatchObject({ inserted: ORDERS.length });
  expect(probes).toBeLessThan(ORDERS.length);
  expect(await database.db('fl_bundle_items').count({ n: '*' })).toEqual([{ n: String(2 * ORDERS.length) }]);
});

it('COPYs a child naming another child after it, whichever of them is trusted', async () => {
  const { record, children } = ordersWithItems('fl_n');
  const notes = table('fl_n_notes', {
    columns: {
      id: c.bigint(),
      order_id: c.bigint().references('fl_n_orders.id', { cascade: true }),
      item_id: c.bigint().references('fl_n_items.id', { cascade: true }),
    },
    key: ['id'],
  });
  const nested = defineTarget({
    record,
    children: [{ table: notes, parentColumn: 'order_id' }, ...children],
  });
  // Created by hand: the notes name the items, which the kit would create after them.
  await database.db.raw(`create table fl_n_orders (id bigint primary key)`);
  await database.db.raw(
    `create table fl_n_items (id bigint primary key, order_id bigint not null references fl_n_orders on delete cascade)`,
  );
  await database.db.raw(
    `create table fl_n_notes (id bigint primary key, order_id bigint not null references fl_n_orders on delete cascade,
       item_id bigint not null references fl_n_items on delete cascade)`,
  );
  const counts = await database.db.transaction((trx) =>
    writeTarget(trx, nested, {
      fl_n_orders: [{ id: 1 }],
      fl_n_notes: [{ id: 100, order_id: 1, item_id: 10 }],
      fl_n_items: [{ id: 10, order_id: 1 }],
    }),
  );
  expect(counts).toMatchObject({ inserted: 1 });
  expect(await database.db('fl_n_notes').select('id', 'item_id')).toEqual([{ id: '100', item_id: '10' }]);
});

it('keeps a deferrable unique key of a child table: its check is a trigger that replica would skip', async () => {
  await database.db.raw(
    `alter table fl_items add constraint fl_items_one_sku unique (sku) deferrable initially deferred`,
  );
  try {
    const twice = chunk([1, 2]);
    const items = (twice.fl_items ?? []).map((item) => ({ ...item, sku: 'same' }));
    await expect(
      database.db.transaction((trx) => writeTarget(trx, target, { ...twice, fl_items: items })),
    ).rejects.toThrow(/fl_items_one_sku/);
  } finally {
    await database.db.raw('alter table fl_items drop constraint fl_items_one_sku');
  }
});

it('keeps the checks when a trigger of the record table may change a record before it is stored', async () => {
  await database.db.raw(
    `create function fl_renumber() returns trigger language plpgsql as $$ begin new.id := new.id + 1000; return new; end $$`,
  );
  await database.db.raw(
    `create trigger fl_orders_renumbered before insert on fl_orders for each row execute function fl_renumber()`,
  );
  try {
    await expect(firstLoad(database.db)).rejects.toThrow(/foreign key/);
  } finally {
    await database.db.raw('drop trigger fl_orders_renumbered on fl_orders');
    await database.db.raw('drop function fl_renumber');
  }
});

it('keeps the checks of a key between columns of different types: the same text may store two values', async () => {
  const rounded = defineTarget({
    record: table('fl_r_accounts', { columns: { code: c.decimal(12, 2) }, key: ['code'] }),
    children: [
      {
        table: table('fl_r_entries', {
          columns: { id: c.bigint(), code: c.decimal(14, 4).references('fl_r_accounts.code') },
          key: ['id'],
        }),
        parentColumn: 'code',
      },
    ],
  });
  await prepareTarget(database.db, 'first-load-rounded', rounded);
  // The account stores 1.01, the entry 1.0050: not the same key.
  await expect(
    database.db.transaction((trx) =>
      writeTarget(trx, rounded, {
        fl_r_accounts: [{ code: '1.005' }],
        fl_r_entries: [{ id: 1, code: '1.005' }],
      }),
    ),
  ).rejects.toThrow(/foreign key/);
});

it('keeps the checks, and the triggers, of a partitioned child table: its partitions may have their own', async () => {
  const partitioned = ordersWithItems('fl_p');
  await database.db.raw(`create table fl_p_orders (id bigint primary key)`);
  await database.db.raw(
    `create table fl_p_items (id bigint primary key, order_id bigint not null references fl_p_orders on delete cascade)
     partition by range (id)`,
  );
  await database.db.raw(
    `create table fl_p_items_all partition of fl_p_items for values from (0) to (1000000)`,
  );
  await database.db.raw(`create table fl_p_log (item_id bigint)`);
  await database.db.raw(
    `create function fl_p_log_item() returns trigger language plpgsql as
     $$ begin insert into fl_p_log values (new.id); return new; end $$`,
  );
  await database.db.raw(
    `create trigger fl_p_logged after insert on fl_p_items_all for each row execute function fl_p_log_item()`,
  );
  await database.db.transaction((trx) =>
    writeTarget(trx, partitioned, {
      fl_p_orders: ORDERS.map((id) => ({ id })),
      fl_p_items: ORDERS.map((id) => ({ id: id * 10, order_id: id })),
    }),
  );
  expect(await database.db('fl_p_log').count({ n: '*' })).toEqual([{ n: String(ORDERS.length) }]);
});
