import type { Knex } from 'knex';
import type { ColumnSpec } from '../../src/target/bulk-upsert.js';
import { copyLine, copyLinesInto } from '../../src/target/copy-text.js';

/** COPY (text format) of rows' named columns into a table, inside the transaction. */
export function copyInto(
  trx: Knex.Transaction,
  table: string,
  columns: readonly ColumnSpec[],
  rows: readonly object[],
): Promise<void> {
  const names = columns.map((column) => column.name);
  return copyLinesInto(
    trx,
    table,
    names,
    rows.map((row) => copyLine(names.map((name) => (row as Record<string, unknown>)[name]))),
  );
}
