import type { Knex } from 'knex';
import type { SourceConnection } from '../../src/connectors/connection.js';
import { unpacedSource } from '../../src/connectors/source.js';
import { fetchPage, RecordRows, woocommerce } from '../../src/kit/index.js';
import { ordersByCreation } from '../../src/migrations/woocommerce-orders/index.js';
import { target } from '../../src/migrations/woocommerce-orders/target.js';

type Row = Record<string, unknown>;

/** The seeds' current implementation fetches 50 orders a page. */
const SEED_PAGE_SIZE = 50;

/**
 * The loop the seeds start from, end to end like ferry's figure: fetch a page, then one order at a time look
 * its customer up, insert what is missing, insert the order and each line, and commit per order.
 */
export async function seedLoop(db: Knex, connection: SourceConnection, count: number): Promise<void> {
  const client = woocommerce.api.open(unpacedSource('woocommerce', connection));
  let done = 0;
  for (let page = 1; done < count; page++) {
    const { records } = await fetchPage(client, ordersByCreation, { cursor: { page }, size: SEED_PAGE_SIZE });
    if (records.length === 0) break;
    const rows = new RecordRows(target).add(records.slice(0, count - done)).build() as Record<string, Row[]>;
    const customers = new Map((rows.customers ?? []).map((customer) => [customer.email, customer]));
    for (const { customer_id: email, ...order } of rows.orders ?? []) {
      await db.transaction(async (trx) => {
        let customer = await trx('customers')
          .where({ email: String(email) })
          .first<{ id: string } | undefined>('id');
        if (!customer)
          [customer] = await trx('customers')
            .insert(customers.get(String(email)))
            .returning('id');
        await trx('orders').insert({ ...order, customer_id: customer?.id });
        for (const item of (rows.order_items ?? []).filter((line) => line.order_id === order.id))
          await trx('order_items').insert(item);
      });
      done++;
    }
  }
}
