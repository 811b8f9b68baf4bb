import type { Knex } from 'knex';
import { type ColumnSpec, columnArrays, unnestSql, upsertRows } from '../../target/bulk-upsert.js';
import { recordCounts } from '../../target/record-counts.js';
import type { WriteCounts } from '../types.js';
import type { CustomerRow, OrderItemRow, OrderRows } from './transform.js';

export const CUSTOMER_COLUMNS: ColumnSpec[] = [
  { name: 'email', type: 'text' },
  { name: 'first_name', type: 'text' },
  { name: 'last_name', type: 'text' },
  { name: 'company', type: 'text' },
  { name: 'phone', type: 'text' },
  { name: 'city', type: 'text' },
  { name: 'postcode', type: 'text' },
  { name: 'country', type: 'text' },
  { name: 'woo_customer_id', type: 'bigint' },
];

export const ORDER_COLUMNS: ColumnSpec[] = [
  { name: 'id', type: 'bigint' },
  { name: 'number', type: 'text' },
  { name: 'status', type: 'text' },
  { name: 'currency', type: 'text' },
  { name: 'date_created', type: 'timestamptz' },
  { name: 'date_modified', type: 'timestamptz' },
  { name: 'date_paid', type: 'timestamptz' },
  { name: 'date_completed', type: 'timestamptz' },
  { name: 'total', type: 'numeric' },
  { name: 'total_tax', type: 'numeric' },
  { name: 'shipping_total', type: 'numeric' },
  { name: 'customer_id', type: 'bigint' },
  { name: 'woo_customer_id', type: 'bigint' },
  { name: 'payment_method', type: 'text' },
];

export const ITEM_COLUMNS: ColumnSpec[] = [
  { name: 'id', type: 'bigint' },
  { name: 'order_id', type: 'bigint' },
  { name: 'product_id', type: 'bigint' },
  { name: 'sku', type: 'text' },
  { name: 'name', type: 'text' },
  { name: 'quantity', type: 'integer' },
  { name: 'price', type: 'numeric' },
  { name: 'total', type: 'numeric' },
  { name: 'total_tax', type: 'numeric' },
  { name: 'bundled_by', type: 'bigint' },
];

/**
 * Upserts the chunk's customers and returns every email's customers.id in the same round trip: rows the
 * upsert touched come from its RETURNING, rows it left alone from the table.
 */
async function resolveCustomers(
  trx: Knex.Transaction,
  customers: CustomerRow[],
): Promise<Map<string, string>> {
  const names = CUSTOMER_COLUMNS.map((column) => column.name);
  const compared = names.filter((name) => name !== 'email');
  const { rows } = await trx.raw<{ rows: { email: string; id: string }[] }>(
    `with input (${names.join(', ')}) as (select * from ${unnestSql(CUSTOMER_COLUMNS)}),
     upserted as (
       insert into customers (${names.join(', ')}) select * from input
       on conflict (email) do update set ${compared.map((name) => `${name} = excluded.${name}`).join(', ')}
         where (${compared.map((name) => `customers.${name}`).join(', ')})
           is distinct from (${compared.map((name) => `excluded.${name}`).join(', ')})
       returning id, email)
     select input.email, coalesce(upserted.id, customers.id) as id
     from input
     left join upserted on upserted.email = input.email
     left join customers on customers.email = input.email`,
    columnArrays(CUSTOMER_COLUMNS, customers) as Knex.RawBinding[],
  );
  const ids = new Map(rows.map((row) => [row.email, row.id]));
  // A customer another chunk inserted after this statement's snapshot was taken is neither in its RETURNING
  // (the row was equal) nor in its view of the table; a new statement sees the committed row.
  const missing = rows.filter((row) => row.id === null).map((row) => row.email);
  if (missing.length > 0) {
    const found = await trx('customers')
      .whereIn('email', missing)
      .select<{ email: string; id: string }[]>('email', 'id');
    for (const row of found) ids.set(row.email, row.id);
  }
  return ids;
}

/** Lines the source no longer has are deleted; returns the orders that lost lines. */
async function deleteRemovedLines(
  trx: Knex.Transaction,
  orderIds: number[],
  items: OrderItemRow[],
): Promise<number[]> {
  const { rows } = await trx.raw<{ rows: { order_id: string }[] }>(
    // NOT IN over a subquery is hashed; `not (id = any(array))` would scan the chunk's lines for every line.
    'delete from order_items where order_id = any(?::bigint[]) and id not in (select unnest(?::bigint[])) returning order_id',
    [orderIds, items.map((item) => item.id)],
  );
  return rows.map((row) => Number(row.order_id));
}

/**
 * Writes one chunk inside the caller's transaction. An order counts as updated when its row or any of its lines
 * changed, as unchanged when nothing was written for it.
 */
export async function writeOrders(trx: Knex.Transaction, rows: OrderRows): Promise<WriteCounts> {
  if (rows.orders.length === 0) return { inserted: 0, updated: 0, unchanged: 0 };
  const customerIds = await resolveCustomers(trx, rows.customers);
  const orders = rows.orders.map(({ customer_email, ...order }) => ({
    ...order,
    customer_id: customerIds.get(customer_email),
  }));
  const orderResult = await upsertRows(trx, {
    table: 'orders',
    columns: ORDER_COLUMNS,
    key: ['id'],
    rows: orders,
  });
  const orderIds = rows.orders.map((order) => order.id);
  const removedFrom = await deleteRemovedLines(trx, orderIds, rows.items);
  const itemResult = await upsertRows(trx, {
    table: 'order_items',
    columns: ITEM_COLUMNS,
    key: ['id'],
    rows: rows.items,
  });

  const orderOfItem = new Map(rows.items.map((item) => [String(item.id), item.order_id]));
  const itemsChanged = [...itemResult.inserted, ...itemResult.updated].flatMap(
    (key) => orderOfItem.get(key) ?? [],
  );
  return recordCounts(rows.orders.length, orderResult.inserted, [
    ...orderResult.updated,
    ...removedFrom,
    ...itemsChanged,
  ]);
}
