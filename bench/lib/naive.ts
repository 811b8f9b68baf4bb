import type { Knex } from 'knex';
import type { OrderRows } from '../../src/migrations/woocommerce-orders/transform.js';

/** The seeds' starting point: one order at a time, one INSERT per row, one commit per order. */
export async function insertOneByOne(db: Knex, rows: OrderRows): Promise<void> {
  const customers = new Map(rows.customers.map((customer) => [customer.email, customer]));
  const itemsByOrder = new Map<number, OrderRows['items']>();
  for (const item of rows.items)
    itemsByOrder.set(item.order_id, [...(itemsByOrder.get(item.order_id) ?? []), item]);
  for (const order of rows.orders) {
    await db.transaction(async (trx) => {
      const customer = customers.get(order.customer_email);
      const [saved] = await trx('customers')
        .insert(customer)
        .onConflict('email')
        .merge()
        .returning<{ id: string }[]>('id');
      const { customer_email: _email, ...orderRow } = order;
      await trx('orders')
        .insert({ ...orderRow, customer_id: saved?.id })
        .onConflict('id')
        .merge();
      for (const item of itemsByOrder.get(order.id) ?? []) {
        await trx('order_items').insert(item).onConflict('id').merge();
      }
    });
  }
}
