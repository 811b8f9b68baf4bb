import type { Knex } from 'knex';

/** Target tables of sap-orders: sales orders by DocEntry, their lines by (DocEntry, LineNum). */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('sales_orders', (table) => {
    table.bigInteger('doc_entry').primary().comment('SAP DocEntry');
    table.bigInteger('doc_num').notNullable();
    table.text('card_code').notNullable();
    table.text('card_name').notNullable();
    table.date('doc_date').notNullable();
    table.date('doc_due_date').notNullable();
    table.decimal('doc_total', 19, 2).notNullable();
    table.text('currency').notNullable();
    table.text('status').notNullable().comment('open | closed');
    table.text('comments');
    table
      .timestamp('source_updated_at', { useTz: true })
      .notNullable()
      .comment("SAP's UpdateDate and UpdateTime, in the SAP server's clock");
    table.index(['doc_date']);
    table.index(['source_updated_at']);
  });
  await db.schema.createTable('sales_order_lines', (table) => {
    table.bigInteger('doc_entry').notNullable().references('sales_orders.doc_entry').onDelete('CASCADE');
    table.integer('line_num').notNullable();
    table.text('item_code').notNullable();
    table.text('item_description').notNullable();
    table.decimal('quantity', 19, 6).notNullable();
    table.decimal('price', 19, 6).notNullable();
    table.decimal('line_total', 19, 2).notNullable();
    table.text('status').notNullable().comment('open | closed');
    table.text('manufacturer').comment("the item's manufacturer; null when the item has none");
    table.primary(['doc_entry', 'line_num']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('sales_order_lines');
  await db.schema.dropTable('sales_orders');
}
