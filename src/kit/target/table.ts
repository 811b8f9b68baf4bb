import type { Knex } from 'knex';
import type { ColumnSpec } from '../../target/bulk-upsert.js';
import type { Column, Generated } from './columns.js';

export type Columns = Record<string, Column<unknown>>;

/** A declared table: its columns once, in order, with its key and indexes. */
export interface Table<C extends Columns = Columns> {
  readonly name: string;
  readonly columns: C;
  /** The natural key: the conflict target of the upsert, and the primary key unless the table has a generated id. */
  readonly key: readonly string[];
  readonly indexes: readonly (readonly string[])[];
}

/** A row of a table as a transform builds it: every column but a generated one. */
export type RowOf<T extends Table> = {
  [K in keyof T['columns'] as T['columns'][K]['valueType'] extends Generated
    ? never
    : K]: T['columns'][K]['valueType'];
};

export function table<C extends Columns>(
  name: string,
  declaration: {
    columns: C;
    key: readonly (keyof C & string)[];
    indexes?: readonly (readonly (keyof C & string)[])[];
  },
): Table<C> {
  for (const key of declaration.key) {
    if (!(key in declaration.columns)) throw new Error(`table ${name}: key column ${key} is not declared`);
  }
  return { name, columns: declaration.columns, key: declaration.key, indexes: declaration.indexes ?? [] };
}

/** The columns values are written to: all but the generated id. */
export function writtenColumns(target: Table): ColumnSpec[] {
  return Object.entries(target.columns)
    .filter(([, column]) => !column.specification.generated)
    .map(([name, column]) => ({ name, type: column.specification.sendAs }));
}

/** The PostgreSQL type a column's values are sent as (`bigint`, `text`). */
export function typeOf(table: Table, column: string): string {
  return writtenColumns(table).find((written) => written.name === column)?.type as string;
}

/**
 * CREATE TABLE from the declaration: columns in their order, NOT NULL unless nullable, the key as primary key
 * (a unique constraint when a generated id is the primary key), foreign keys, comments and indexes.
 */
export function createTable(db: Knex, target: Table): Knex.SchemaBuilder {
  const generated = Object.values(target.columns).some((column) => column.specification.generated);
  return db.schema.createTable(target.name, (builder) => {
    for (const [name, column] of Object.entries(target.columns)) {
      const spec = column.specification;
      let built = spec.create(builder, name);
      const primary = !generated && target.key.length === 1 && target.key[0] === name;
      // A one-column primary key is NOT NULL by being one.
      if (!spec.generated && !spec.nullable && !primary) built = built.notNullable();
      if (primary) built = built.primary();
      // A table keyed by a generated id is upserted by its natural key, which must then be unique.
      const naturalKey = generated && target.key.length === 1 && target.key[0] === name;
      if (spec.unique || naturalKey) built = built.unique();
      if (spec.references) {
        const reference = built.references(spec.references.column);
        if (spec.references.onDelete) reference.onDelete(spec.references.onDelete);
      }
      if (spec.comment) built.comment(spec.comment);
    }
    if (target.key.length > 1) {
      if (generated) builder.unique([...target.key]);
      else builder.primary([...target.key]);
    }
    for (const index of target.indexes) builder.index([...index]);
  });
}
