import { columns as c, defineTarget, type RowOf, table } from '../../kit/index.js';

export const salesOrders = table('sales_orders', {
  columns: {
    doc_entry: c.bigint().comment('SAP DocEntry'),
    doc_num: c.bigint(),
    card_code: c.text(),
    card_name: c.text(),
    doc_date: c.date(),
    doc_due_date: c.date(),
    doc_total: c.decimal(19, 2),
    currency: c.text(),
    status: c.text().comment('open | closed'),
    comments: c.text().nullable(),
    source_updated_at: c.timestamptz().comment("SAP's UpdateDate and UpdateTime, in the SAP server's clock"),
  },
  key: ['doc_entry'],
  indexes: [['doc_date'], ['source_updated_at']],
});

export const salesOrderLines = table('sales_order_lines', {
  columns: {
    doc_entry: c.bigint().references('sales_orders.doc_entry', { cascade: true }),
    line_num: c.integer(),
    item_code: c.text(),
    item_description: c.text(),
    quantity: c.decimal(19, 6),
    price: c.decimal(19, 6),
    line_total: c.decimal(19, 2),
    status: c.text().comment('open | closed'),
    manufacturer: c.text().nullable().comment("the item's manufacturer; null when the item has none"),
  },
  key: ['doc_entry', 'line_num'],
});

export const target = defineTarget({
  record: salesOrders,
  children: [{ table: salesOrderLines, parentColumn: 'doc_entry' }],
});

export type SalesOrderRow = RowOf<typeof salesOrders>;
export type SalesOrderLineRow = RowOf<typeof salesOrderLines>;
