import type { Knex } from 'knex';
import type { ColumnSpec } from '../../src/target/bulk-upsert.js';
import { copyRowsInto } from '../../src/target/copy-text.js';

/** COPY (text format) of rows' named columns into a table, inside the transaction. */
export function copyInto(
  trx: Knex.Transaction,
  table: string,
  columns: readonly ColumnSpec[],
  rows: readonly object[],
): Promise<void> {
  return copyRowsInto(
    trx,
    table,
    columns.map((column) => column.name),
    rows as readonly Record<string, unknown>[],
  );
}
