import type { Knex } from 'knex';
import { type ColumnSpec, upsertRows } from '../../target/bulk-upsert.js';
import { recordCounts } from '../../target/record-counts.js';
import type { WriteCounts } from '../types.js';
import type { SalesOrderRows } from './transform.js';

export const SALES_ORDER_COLUMNS: ColumnSpec[] = [
  { name: 'doc_entry', type: 'bigint' },
  { name: 'doc_num', type: 'bigint' },
  { name: 'card_code', type: 'text' },
  { name: 'card_name', type: 'text' },
  { name: 'doc_date', type: 'date' },
  { name: 'doc_due_date', type: 'date' },
  { name: 'doc_total', type: 'numeric' },
  { name: 'currency', type: 'text' },
  { name: 'status', type: 'text' },
  { name: 'comments', type: 'text' },
  { name: 'source_updated_at', type: 'timestamptz' },
];

export const SALES_ORDER_LINE_COLUMNS: ColumnSpec[] = [
  { name: 'doc_entry', type: 'bigint' },
  { name: 'line_num', type: 'integer' },
  { name: 'item_code', type: 'text' },
  { name: 'item_description', type: 'text' },
  { name: 'quantity', type: 'numeric' },
  { name: 'price', type: 'numeric' },
  { name: 'line_total', type: 'numeric' },
  { name: 'status', type: 'text' },
  { name: 'manufacturer', type: 'text' },
];

/** What a sync reports per chunk: records by outcome, and lines deleted because the source removed them. */
export interface SalesOrderCounts extends WriteCounts {
  deleted: number;
}

/** Lines the source no longer has are deleted; returns the DocEntry of each deleted line. */
async function deleteRemovedLines(trx: Knex.Transaction, rows: SalesOrderRows): Promise<string[]> {
  const { rows: deleted } = await trx.raw<{ rows: { doc_entry: string }[] }>(
    `delete from sales_order_lines
     where doc_entry = any(?::bigint[])
       and (doc_entry, line_num) not in (select * from unnest(?::bigint[], ?::integer[]))
     returning doc_entry`,
    [
      rows.orders.map((order) => order.doc_entry),
      rows.lines.map((line) => line.doc_entry),
      rows.lines.map((line) => line.line_num),
    ],
  );
  return deleted.map((row) => row.doc_entry);
}

/**
 * Writes one chunk inside the caller's transaction, touching only rows whose values differ. An order counts
 * as updated when its header or any of its lines changed or was removed.
 */
export async function writeSalesOrders(
  trx: Knex.Transaction,
  rows: SalesOrderRows,
): Promise<SalesOrderCounts> {
  if (rows.orders.length === 0) return { inserted: 0, updated: 0, unchanged: 0, deleted: 0 };
  const orders = await upsertRows(trx, {
    table: 'sales_orders',
    columns: SALES_ORDER_COLUMNS,
    key: ['doc_entry'],
    rows: rows.orders,
  });
  const removedFrom = await deleteRemovedLines(trx, rows);
  // The first key column is the DocEntry, so the changed lines name their orders directly.
  const lines = await upsertRows(trx, {
    table: 'sales_order_lines',
    columns: SALES_ORDER_LINE_COLUMNS,
    key: ['doc_entry', 'line_num'],
    rows: rows.lines,
  });
  const counts = recordCounts(rows.orders.length, orders.inserted, [
    ...orders.updated,
    ...removedFrom,
    ...lines.inserted,
    ...lines.updated,
  ]);
  return { ...counts, deleted: removedFrom.length };
}
