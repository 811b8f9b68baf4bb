import type { Knex } from 'knex';
import { type Table, type TargetRows, writtenColumns } from '../../src/kit/index.js';
import { target } from '../../src/migrations/woocommerce-orders/target.js';
import type { ColumnSpec } from '../../src/target/bulk-upsert.js';
import { copyInto } from './copy-rows.js';

const tableNamed = (name: string) => target.tables.find((table) => table.name === name) as Table;
const CUSTOMER_COLUMNS = writtenColumns(tableNamed('customers'));
const ORDER_COLUMNS = writtenColumns(tableNamed('orders'));
const ITEM_COLUMNS = writtenColumns(tableNamed('order_items'));

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
  await db.transaction(async (trx) => {
    // CREATE TABLE AS copies no constraints: staging rows are checked by the merge into the real tables.
    const customerNames = CUSTOMER_COLUMNS.map((c) => c.name).join(', ');
    await trx.raw(
      `create temp table s_customers on commit drop as select ${customerNames} from customers with no data`,
    );
    // The transform's order rows carry the customer's email in customer_id.
    await trx.raw('create temp table s_orders on commit drop as select * from orders with no data');
    await trx.raw('alter table s_orders alter column customer_id type text');
    await trx.raw('create temp table s_items on commit drop as select * from order_items with no data');
    await copyInto(trx, 's_customers', CUSTOMER_COLUMNS, rows.customers ?? []);
    await copyInto(trx, 's_orders', ORDER_COLUMNS, rows.orders ?? []);
    await copyInto(trx, 's_items', ITEM_COLUMNS, rows.order_items ?? []);
    await trx.raw(
      // Sorted, as ferry's writer sorts: writers that upsert shared customers in the same order cannot deadlock.
      `insert into customers (${customerNames}) select ${customerNames} from s_customers order by email
       on conflict (email) do update set ${set(CUSTOMER_COLUMNS, 'email')} where ${distinct('customers', CUSTOMER_COLUMNS, 'email')}`,
    );
    const orderNames = ORDER_COLUMNS.map((c) => c.name);
    await trx.raw(
      `insert into orders (${orderNames.join(', ')})
       select ${orderNames.map((n) => (n === 'customer_id' ? 'c.id' : `o.${n}`)).join(', ')}
       from s_orders o join customers c on c.email = o.customer_id
       on conflict (id) do update set ${set(ORDER_COLUMNS, 'id')} where ${distinct('orders', ORDER_COLUMNS, 'id')}`,
    );
    await trx.raw(
      `delete from order_items i using s_orders o where i.order_id = o.id
       and not exists (select 1 from s_items s where s.id = i.id)`,
    );
    const itemNames = ITEM_COLUMNS.map((c) => c.name).join(', ');
    await trx.raw(
      `insert into order_items (${itemNames}) select ${itemNames} from s_items
       on conflict (id) do update set ${set(ITEM_COLUMNS, 'id')} where ${distinct('order_items', ITEM_COLUMNS, 'id')}`,
    );
  });
}
