import type { Knex } from 'knex';

/** A column and the PostgreSQL type its values are sent as. */
export interface ColumnSpec {
  name: string;
  type: string;
}

export interface UpsertSpec<Row> {
  table: string;
  columns: readonly ColumnSpec[];
  /** The natural key: the conflict target. */
  key: readonly string[];
  rows: readonly Row[];
  /** The column whose values are returned for the rows written: the first key column unless told. */
  returning?: string;
}

/**
 * The `returning` column (the first key column unless told) of the rows written, as text whatever the column's
 * type: records are told apart by text keys.
 */
export interface UpsertResult {
  /** Of rows that did not exist. */
  inserted: string[];
  /** Of rows that existed and differed in at least one column. */
  updated: string[];
}

export const quote = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;

/** Column values as one PostgreSQL array per column, for unnest(). */
export function columnArrays<Row>(columns: readonly ColumnSpec[], rows: readonly Row[]): unknown[][] {
  return columns.map((column) =>
    rows.map((row) => {
      const value = (row as Record<string, unknown>)[column.name] ?? null;
      // A jsonb array or object goes as its JSON text, as COPY sends it: node-postgres would read a JS array
      // inside the parameter array as another dimension of it.
      return column.type === 'jsonb' && typeof value === 'object' && value !== null
        ? JSON.stringify(value)
        : value;
    }),
  );
}

/** `unnest($1::bigint[], $2::text[], ...)`: the rows as a relation, one bind parameter per column. */
export function unnestSql(columns: readonly ColumnSpec[]): string {
  return `unnest(${columns.map((column) => `?::${column.type}[]`).join(', ')})`;
}

/**
 * What a conflicting row gets: the values that differ, or nothing when every column is part of the key (a row of
 * a link table is equal to its conflict by definition).
 */
export function onConflictUpdate(quotedTable: string, compared: readonly string[]): string {
  if (compared.length === 0) return 'do nothing';
  return `do update
      set ${compared.map((name) => `${name} = excluded.${name}`).join(', ')}
      where (${compared.map((name) => `${quotedTable}.${name}`).join(', ')})
        is distinct from (${compared.map((name) => `excluded.${name}`).join(', ')})`;
}

/**
 * One statement per table and chunk: insert the rows, update only those whose values differ, leave equal
 * rows untouched (no new tuple, no trigger, no WAL). `xmax = 0` tells an inserted tuple from an updated one.
 * Its bind parameters are `columnArrays(columns, rows)`.
 */
export function upsertSql(
  table: string,
  columns: readonly ColumnSpec[],
  key: readonly string[],
  returning: string = key[0] as string,
): string {
  const names = columns.map((column) => quote(column.name));
  const quotedTable = quote(table);
  const compared = columns.filter((column) => !key.includes(column.name)).map((column) => quote(column.name));
  return `
    insert into ${quotedTable} (${names.join(', ')})
    select * from ${unnestSql(columns)}
    on conflict (${key.map(quote).join(', ')}) ${onConflictUpdate(quotedTable, compared)}
    returning ${quote(returning)}::text as key, (xmax = 0) as inserted`;
}

export async function upsertRows<Row>(
  db: Knex | Knex.Transaction,
  spec: UpsertSpec<Row>,
): Promise<UpsertResult> {
  if (spec.rows.length === 0) return { inserted: [], updated: [] };
  const result = await db.raw<{ rows: { key: string; inserted: boolean }[] }>(
    upsertSql(spec.table, spec.columns, spec.key, spec.returning),
    columnArrays(spec.columns, spec.rows) as Knex.RawBinding[],
  );
  const inserted: string[] = [];
  const updated: string[] = [];
  for (const row of result.rows) (row.inserted ? inserted : updated).push(row.key);
  return { inserted, updated };
}
