import { columns as c, defineTarget, sap, table, z } from '../../kit/index.js';

const status = () =>
  c
    .text()
    .parse(z.enum(['open', 'closed']))
    .comment('open | closed');
const open = (value: unknown) => (value === 'bost_Open' ? 'open' : value === 'bost_Close' ? 'closed' : value);

const salesOrders = table('sales_orders', {
  columns: {
    doc_entry: c.bigint().from('DocEntry').parse(z.int().positive()).comment('SAP DocEntry'),
    doc_num: c.bigint().from('DocNum'),
    card_code: c.text().from('CardCode').parse(z.string().min(1)),
    card_name: c.text().from('CardName'),
    doc_date: c.date().from('DocDate'),
    doc_due_date: c.date().from('DocDueDate'),
    doc_total: c.decimal(19, 2).from('DocTotal'),
    currency: c.text().from('DocCurrency').parse(z.string().min(1)),
    status: status().from('DocumentStatus', open),
    comments: c.text().nullable().from('Comments'),
    source_updated_at: c
      .timestamptz()
      .from(['UpdateDate', 'UpdateTime'], sap.odata.instantOfStamp)
      .comment("SAP's UpdateDate and UpdateTime, in the SAP server's clock"),
  },
  key: ['doc_entry'],
  indexes: [['doc_date'], ['source_updated_at']],
});

const salesOrderLines = table('sales_order_lines', {
  columns: {
    doc_entry: c.bigint().references('sales_orders.doc_entry', { cascade: true }),
    line_num: c.integer().from('LineNum').parse(z.int().min(0)),
    item_code: c.text().from('ItemCode').parse(z.string().min(1)),
    item_description: c.text().from('ItemDescription'),
    quantity: c.decimal(19, 6).from('Quantity'),
    price: c.decimal(19, 6).from('Price'),
    line_total: c.decimal(19, 2).from('LineTotal'),
    status: status().from('LineStatus', open),
    manufacturer: c
      .text()
      .nullable()
      .lookup('manufacturer', 'ItemCode')
      .comment("the item's manufacturer; null when the item has none"),
  },
  key: ['doc_entry', 'line_num'],
});

/** Sales orders and their lines, each line with its item's manufacturer. */
export const target = defineTarget({
  record: salesOrders,
  children: [{ table: salesOrderLines, parentColumn: 'doc_entry', from: 'DocumentLines' }],
});
