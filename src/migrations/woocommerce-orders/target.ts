import { columns as c, defineTarget, type RowOf, table } from '../../kit/index.js';

/** Customers by email (guests included), with WooCommerce's customer id when the order has one. */
export const customers = table('customers', {
  columns: {
    id: c.generatedId(),
    email: c.text(),
    first_name: c.text(),
    last_name: c.text(),
    company: c.text(),
    phone: c.text().nullable(),
    city: c.text(),
    postcode: c.text(),
    country: c.text(),
    woo_customer_id: c.bigint().nullable().comment('null for guest checkouts'),
  },
  key: ['email'],
});

export const orders = table('orders', {
  columns: {
    id: c.bigint().comment('WooCommerce order id'),
    number: c.text(),
    status: c.text(),
    currency: c.text(),
    date_created: c.timestamptz(),
    date_modified: c.timestamptz(),
    date_paid: c.timestamptz().nullable(),
    date_completed: c.timestamptz().nullable(),
    total: c.decimal(14, 2),
    total_tax: c.decimal(14, 2),
    shipping_total: c.decimal(14, 2),
    customer_id: c.bigint().references('customers.id'),
    woo_customer_id: c.bigint().nullable(),
    payment_method: c.text(),
  },
  key: ['id'],
  indexes: [['date_created'], ['customer_id']],
});

export const orderItems = table('order_items', {
  columns: {
    id: c.bigint().comment('WooCommerce line item id'),
    order_id: c.bigint().references('orders.id', { cascade: true }),
    product_id: c.bigint(),
    sku: c.text(),
    name: c.text(),
    quantity: c.integer(),
    price: c.decimal(14, 4),
    total: c.decimal(14, 2),
    total_tax: c.decimal(14, 2),
    bundled_by: c
      .bigint()
      .nullable()
      .references('order_items.id', { cascade: true })
      .comment('parent line of a bundle'),
  },
  key: ['id'],
  indexes: [['order_id']],
});

/** An order's row carries its customer's email in customer_id; the writer stores the customer's id there. */
export const target = defineTarget({
  record: orders,
  children: [{ table: orderItems, parentColumn: 'order_id' }],
  dimensions: [{ table: customers, referencedBy: 'customer_id' }],
});

export type CustomerRow = RowOf<typeof customers>;
export type OrderRow = RowOf<typeof orders>;
export type OrderItemRow = RowOf<typeof orderItems>;
