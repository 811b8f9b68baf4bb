import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Knex } from 'knex';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { type Table, type TargetRows, writtenColumns } from '../../src/kit/index.js';
import { target } from '../../src/migrations/woocommerce-orders/target.js';
import type { ColumnSpec } from '../../src/target/bulk-upsert.js';
import { copyLine } from '../../src/target/copy-text.js';

const tableNamed = (name: string) => target.tables.find((table) => table.name === name) as Table;
const CUSTOMER_COLUMNS = writtenColumns(tableNamed('customers'));
const ORDER_COLUMNS = writtenColumns(tableNamed('orders'));
const ITEM_COLUMNS = writtenColumns(tableNamed('order_items'));

async function copyInto(
  client: pg.PoolClient,
  table: string,
  columns: readonly ColumnSpec[],
  rows: readonly object[],
) {
  const names = columns.map((column) => column.name);
  const lines = rows.map((row) => copyLine(names.map((name) => (row as Record<string, unknown>)[name])));
  await pipeline(
    Readable.from(lines),
    client.query(copyFrom(`copy ${table} (${names.join(', ')}) from stdin`)),
  );
}

const set = (columns: readonly ColumnSpec[], key: string) =>
  columns
    .filter((c) => c.name !== key)
    .map((c) => `${c.name} = excluded.${c.name}`)
    .join(', ');
const distinct = (table: string, columns: readonly ColumnSpec[], key: string) => {
  const names = columns.filter((c) => c.name !== key).map((c) => c.name);
  return `(${names.map((n) => `${table}.${n}`).join(', ')}) is distinct from (${names.map((n) => `excluded.${n}`).join(', ')})`;
};

/**
 * The database's ceiling for this target: COPY already-transformed rows into staging tables and merge them with
 * the same change detection as ferry's writer. No HTTP, no Temporal, no transform.
 */
export async function copyAndMerge(db: Knex, rows: TargetRows): Promise<void> {
  const client = (await db.client.acquireConnection()) as pg.PoolClient;
  try {
    await client.query('begin');
    // CREATE TABLE AS copies no constraints: staging rows are checked by the merge into the real tables.
    const customerNames = CUSTOMER_COLUMNS.map((c) => c.name).join(', ');
    await client.query(
      `create temp table s_customers on commit drop as select ${customerNames} from customers with no data`,
    );
    // The transform's order rows carry the customer's email in customer_id.
    await client.query('create temp table s_orders on commit drop as select * from orders with no data');
    await client.query('alter table s_orders alter column customer_id type text');
    await client.query('create temp table s_items on commit drop as select * from order_items with no data');
    await copyInto(client, 's_customers', CUSTOMER_COLUMNS, rows.customers ?? []);
    await copyInto(client, 's_orders', ORDER_COLUMNS, rows.orders ?? []);
    await copyInto(client, 's_items', ITEM_COLUMNS, rows.order_items ?? []);
    await client.query(
      `insert into customers (${customerNames}) select ${customerNames} from s_customers
       on conflict (email) do update set ${set(CUSTOMER_COLUMNS, 'email')} where ${distinct('customers', CUSTOMER_COLUMNS, 'email')}`,
    );
    const orderNames = ORDER_COLUMNS.map((c) => c.name);
    await client.query(
      `insert into orders (${orderNames.join(', ')})
       select ${orderNames.map((n) => (n === 'customer_id' ? 'c.id' : `o.${n}`)).join(', ')}
       from s_orders o join customers c on c.email = o.customer_id
       on conflict (id) do update set ${set(ORDER_COLUMNS, 'id')} where ${distinct('orders', ORDER_COLUMNS, 'id')}`,
    );
    await client.query(
      `delete from order_items i using s_orders o where i.order_id = o.id
       and not exists (select 1 from s_items s where s.id = i.id)`,
    );
    const itemNames = ITEM_COLUMNS.map((c) => c.name).join(', ');
    await client.query(
      `insert into order_items (${itemNames}) select ${itemNames} from s_items
       on conflict (id) do update set ${set(ITEM_COLUMNS, 'id')} where ${distinct('order_items', ITEM_COLUMNS, 'id')}`,
    );
    await client.query('commit');
  } catch (error) {
    await client.query('rollback');
    throw error;
  } finally {
    await db.client.releaseConnection(client);
  }
}
