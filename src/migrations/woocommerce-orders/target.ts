import { columns as c, defineTarget, table, z } from '../../kit/index.js';

/** WooCommerce sends GMT times without their zone. */
const gmt = (value: unknown) => (typeof value === 'string' ? `${value}Z` : value);
const money = () => c.decimal(14, 2);
const id = () => c.bigint().parse(z.int().positive());

/** Customers by email (guests included), with WooCommerce's customer id when the order has one. */
const customers = table('customers', {
  columns: {
    id: c.generatedId(),
    email: c.text().parse(z.email().toLowerCase()),
    first_name: c.text(),
    last_name: c.text(),
    company: c.text(),
    phone: c.text().nullable(),
    city: c.text(),
    postcode: c.text(),
    country: c.text(),
    woo_customer_id: c
      .bigint()
      .nullable()
      .from('$.customer_id', (customer) => customer || null)
      .comment('null for guest checkouts'),
  },
  key: ['email'],
});

const orders = table('orders', {
  columns: {
    id: id().comment('WooCommerce order id'),
    number: c.text(),
    status: c.text().parse(z.string().min(1)),
    currency: c.text().parse(z.string().length(3)),
    date_created: c.timestamptz().from('date_created_gmt', gmt),
    date_modified: c.timestamptz().from('date_modified_gmt', gmt),
    date_paid: c.timestamptz().nullable().from('date_paid_gmt', gmt),
    date_completed: c.timestamptz().nullable().from('date_completed_gmt', gmt),
    total: money(),
    total_tax: money(),
    shipping_total: money(),
    customer_id: c.bigint().references('customers.id'),
    woo_customer_id: c
      .bigint()
      .nullable()
      .from('customer_id', (customer) => customer || null),
    payment_method: c.text(),
  },
  key: ['id'],
  indexes: [['date_created'], ['customer_id']],
});

const orderItems = table('order_items', {
  columns: {
    id: id().comment('WooCommerce line item id'),
    order_id: c.bigint().references('orders.id', { cascade: true }),
    product_id: c.bigint().parse(z.int().min(0)),
    sku: c.text(),
    name: c.text(),
    quantity: c.integer().parse(z.int().positive()),
    price: c.decimal(14, 4).parse(z.number().min(0)),
    total: money(),
    total_tax: money(),
    bundled_by: c
      .bigint()
      .nullable()
      .from('bundled_by', (parent) => (typeof parent === 'number' ? parent : null))
      .references('order_items.id', { cascade: true })
      .comment('parent line of a bundle'),
  },
  key: ['id'],
  indexes: [['order_id']],
});

/** Orders with their lines (bundle children point at their parent) and their customers, by billing email. */
export const target = defineTarget({
  record: orders,
  children: [{ table: orderItems, parentColumn: 'order_id', from: 'line_items' }],
  dimensions: [{ table: customers, referencedBy: 'customer_id', from: 'billing' }],
});
