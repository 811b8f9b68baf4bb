import type { Knex } from 'knex';
import { type Table, type TargetRows, writtenColumns } from '../../src/kit/index.js';
import { target } from '../../src/migrations/woocommerce-orders/target.js';
import { copyInto } from './copy-rows.js';

type Row = Record<string, unknown>;
const tableNamed = (name: string) => target.tables.find((table) => table.name === name) as Table;
const CUSTOMER_COLUMNS = [{ name: 'id', type: 'bigint' }, ...writtenColumns(tableNamed('customers'))];
const ORDER_COLUMNS = writtenColumns(tableNamed('orders'));
const ITEM_COLUMNS = writtenColumns(tableNamed('order_items'));

/** Rows ready for COPY: customers numbered once, each order pointing at its customer's number. */
export interface RawCopyLoad {
  customers: Row[];
  batches: { orders: Row[]; items: readonly Row[] }[];
}

/**
 * Numbers the customers of already-transformed batches (first seen, first numbered) and points the orders at
 * them, as a loader that knew the whole source up front would: made before any clock starts.
 */
export function rawCopyLoad(batches: readonly TargetRows[]): RawCopyLoad {
  const ids = new Map<string, number>();
  const customers: Row[] = [];
  const load: RawCopyLoad['batches'] = [];
  for (const batch of batches) {
    for (const customer of batch.customers ?? []) {
      const email = String(customer.email);
      if (ids.has(email)) continue;
      ids.set(email, ids.size + 1);
      customers.push({ ...customer, id: ids.size });
    }
    load.push({
      orders: (batch.orders ?? []).map((order) => ({
        ...order,
        customer_id: ids.get(String(order.customer_id)),
      })),
      items: batch.order_items ?? [],
    });
  }
  return { customers, batches: load };
}

/**
 * The physical limit of a first load: COPY (text format) straight into the empty tables, with their indexes and
 * constraints as ferry's schema has them; no conflict checks, no comparisons, no lookups. Customers first (the
 * orders reference them), then the batches with `writers` transactions at once. The items skip their foreign-key
 * checks as ferry's first load does where its role may (src/kit/target/trusted-children.ts): they name only the
 * orders COPYed just before and each other.
 */
export async function rawCopy(db: Knex, load: RawCopyLoad, writers: number): Promise<void> {
  await db.transaction((trx) => copyInto(trx, 'customers', CUSTOMER_COLUMNS, load.customers));
  let next = 0;
  const writer = async () => {
    for (let batch = load.batches[next++]; batch; batch = load.batches[next++]) {
      const { orders, items } = batch;
      await db.transaction(async (trx) => {
        await copyInto(trx, 'orders', ORDER_COLUMNS, orders);
        await trx.raw(`set local session_replication_role = replica`);
        await copyInto(trx, 'order_items', ITEM_COLUMNS, items);
      });
    }
  };
  await Promise.all(Array.from({ length: writers }, writer));
}
