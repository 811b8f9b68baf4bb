import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { WooOrder } from '../connectors/woocommerce/order-shape.js';

/**
 * Canonical lines for comparing a target with its source, derived separately from the transform and writer:
 * from the source JSON on one side and from SQL on the other.
 */
export function sourceLines(order: WooOrder): string[] {
  const b = order.billing;
  const lines = [
    [
      'order',
      order.id,
      order.number,
      order.status,
      order.currency,
      order.date_created_gmt,
      order.date_modified_gmt,
      order.date_paid_gmt ?? '',
      order.date_completed_gmt ?? '',
      order.total,
      order.total_tax,
      order.shipping_total,
      (b.email ?? '').toLowerCase(),
      order.customer_id === 0 ? '' : order.customer_id,
      order.payment_method,
    ].join('|'),
  ];
  for (const line of order.line_items) {
    lines.push(
      [
        'item',
        line.id,
        order.id,
        line.product_id,
        line.sku,
        line.name,
        line.quantity,
        line.price.toFixed(4),
        line.total,
        line.total_tax,
        line.bundled_by === '' ? '' : line.bundled_by,
      ].join('|'),
    );
  }
  return lines;
}

/** Customers as the source implies them: one per email, with the billing details of its orders. */
export function sourceCustomerLine(order: WooOrder): [email: string, line: string] {
  const b = order.billing;
  const email = (b.email ?? '').toLowerCase();
  return [
    email,
    [
      'customer',
      email,
      b.first_name,
      b.last_name,
      b.company,
      b.phone ?? '',
      b.city,
      b.postcode,
      b.country,
    ].join('|'),
  ];
}

const iso = (value: Date | null) => (value ? value.toISOString().slice(0, 19) : '');

export async function targetLines(db: Knex): Promise<string[]> {
  const lines: string[] = [];
  const orders = await db('orders as o')
    .join('customers as c', 'c.id', 'o.customer_id')
    .select('o.*', 'c.email');
  for (const o of orders) {
    lines.push(
      [
        'order',
        o.id,
        o.number,
        o.status,
        o.currency,
        iso(o.date_created),
        iso(o.date_modified),
        iso(o.date_paid),
        iso(o.date_completed),
        o.total,
        o.total_tax,
        o.shipping_total,
        o.email,
        o.woo_customer_id ?? '',
        o.payment_method,
      ].join('|'),
    );
  }
  for (const i of await db('order_items').select('*')) {
    lines.push(
      [
        'item',
        i.id,
        i.order_id,
        i.product_id,
        i.sku,
        i.name,
        i.quantity,
        i.price,
        i.total,
        i.total_tax,
        i.bundled_by ?? '',
      ].join('|'),
    );
  }
  for (const c of await db('customers').select('*')) {
    lines.push(
      [
        'customer',
        c.email,
        c.first_name,
        c.last_name,
        c.company,
        c.phone ?? '',
        c.city,
        c.postcode,
        c.country,
      ].join('|'),
    );
  }
  return lines.sort();
}

/** Source lines of a set of orders, customers included, sorted like targetLines. */
export function expectedLines(orders: Iterable<WooOrder>): string[] {
  const lines: string[] = [];
  const customers = new Map<string, string>();
  for (const order of orders) {
    lines.push(...sourceLines(order));
    const [email, line] = sourceCustomerLine(order);
    customers.set(email, line);
  }
  lines.push(...customers.values());
  return lines.sort();
}

export function checksum(lines: readonly string[]): string {
  const hash = createHash('sha256');
  for (const line of lines) hash.update(line).update('\n');
  return hash.digest('hex');
}
