import { columns as c, defineMigration, defineTarget, table, woocommerce } from 'ferry';

/** WooCommerce sends GMT times without their zone. */
const gmt = (value: string) => `${value}Z`;

const customers = table('woo_customers', {
  columns: {
    id: c.bigint(),
    email: c.text(),
    first_name: c.text(),
    last_name: c.text(),
    city: c.text().from('billing.city'),
    country: c.text().from('billing.country'),
    registered_at: c.timestamptz().from('date_created_gmt', gmt),
    modified_at: c.timestamptz().from('date_modified_gmt', gmt),
  },
  key: ['id'],
});

export const woocommerceCustomers = defineMigration({
  name: 'woocommerce-customers',
  description: 'WooCommerce customers into woo_customers',
  connection: 'woocommerce',
  api: woocommerce.api,
  target: defineTarget({ record: customers }),
  created: 'registered_at',
  // WooCommerce cannot filter customers by date: a backfill reads them all, in id order.
  list: { ...woocommerce.collection('customers'), params: { orderby: 'id', order: 'asc' } },
  byKeys: { batch: 100, params: (keys) => ({ include: keys.join(',') }) },
});
