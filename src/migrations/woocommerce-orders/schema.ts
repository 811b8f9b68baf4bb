import type { Knex } from 'knex';

/** Target tables of woocommerce-orders: customers by email, orders by WooCommerce id, lines by line id. */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('customers', (table) => {
    table.bigIncrements('id');
    table.text('email').notNullable().unique();
    table.text('first_name').notNullable();
    table.text('last_name').notNullable();
    table.text('company').notNullable();
    table.text('phone');
    table.text('city').notNullable();
    table.text('postcode').notNullable();
    table.text('country').notNullable();
    table.bigInteger('woo_customer_id').comment('null for guest checkouts');
  });
  await db.schema.createTable('orders', (table) => {
    table.bigInteger('id').primary().comment('WooCommerce order id');
    table.text('number').notNullable();
    table.text('status').notNullable();
    table.text('currency').notNullable();
    table.timestamp('date_created', { useTz: true }).notNullable();
    table.timestamp('date_modified', { useTz: true }).notNullable();
    table.timestamp('date_paid', { useTz: true });
    table.timestamp('date_completed', { useTz: true });
    table.decimal('total', 14, 2).notNullable();
    table.decimal('total_tax', 14, 2).notNullable();
    table.decimal('shipping_total', 14, 2).notNullable();
    table.bigInteger('customer_id').notNullable().references('customers.id');
    table.bigInteger('woo_customer_id');
    table.text('payment_method').notNullable();
    table.index(['date_created']);
    table.index(['customer_id']);
  });
  await db.schema.createTable('order_items', (table) => {
    table.bigInteger('id').primary().comment('WooCommerce line item id');
    table.bigInteger('order_id').notNullable().references('orders.id').onDelete('CASCADE');
    table.bigInteger('product_id').notNullable();
    table.text('sku').notNullable();
    table.text('name').notNullable();
    table.integer('quantity').notNullable();
    table.decimal('price', 14, 4).notNullable();
    table.decimal('total', 14, 2).notNullable();
    table.decimal('total_tax', 14, 2).notNullable();
    table
      .bigInteger('bundled_by')
      .references('order_items.id')
      .onDelete('CASCADE')
      .comment('parent line of a bundle');
    table.index(['order_id']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('order_items');
  await db.schema.dropTable('orders');
  await db.schema.dropTable('customers');
}
