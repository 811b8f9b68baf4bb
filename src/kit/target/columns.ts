import type { Knex } from 'knex';

/** How a column is stored, and how its values travel (the array type unnest() casts them to). */
export interface ColumnSpecification {
  /** PostgreSQL type of the values sent for it: `bigint` for `bigint[]`, `numeric` for a decimal(14,2). */
  readonly sendAs: string;
  /** Adds the column to a table being created. */
  readonly create: (table: Knex.CreateTableBuilder, name: string) => Knex.ColumnBuilder;
  readonly nullable: boolean;
  readonly unique: boolean;
  readonly comment?: string;
  readonly references?: { readonly column: string; readonly onDelete?: 'CASCADE' };
  /** A surrogate key the database generates (bigserial): never written, read back by natural key. */
  readonly generated: boolean;
}

/** The value type of a generated id: rows never carry it. */
export interface Generated {
  readonly generated: true;
}

/** A declared column: its specification, and the type of its values (`T`) for typed rows. */
export class Column<T> {
  /** Never set: carries the value type for RowOf. */
  declare readonly valueType: T;

  constructor(readonly specification: ColumnSpecification) {}

  private with(changes: Partial<ColumnSpecification>): this {
    return new (this.constructor as new (specification: ColumnSpecification) => this)({
      ...this.specification,
      ...changes,
    });
  }

  /** May hold null (columns are NOT NULL unless declared so). */
  nullable(): Column<T | null> {
    return this.with({ nullable: true }) as Column<T | null>;
  }

  unique(): this {
    return this.with({ unique: true });
  }

  /** Documentation kept in the database (COMMENT ON COLUMN). */
  comment(text: string): this {
    return this.with({ comment: text });
  }

  /** A foreign key, `table.column`; `cascade` deletes this row with the one it references. */
  references(column: string, options: { cascade?: boolean } = {}): this {
    return this.with({
      references: { column, ...(options.cascade ? { onDelete: 'CASCADE' as const } : {}) },
    });
  }
}

const column = <T>(
  sendAs: string,
  create: ColumnSpecification['create'],
  extra: Partial<ColumnSpecification> = {},
) => new Column<T>({ sendAs, create, nullable: false, unique: false, generated: false, ...extra });

/** The column types a target declares, each with the JavaScript type its rows carry. */
export const columns = {
  /** 64-bit integer ids; rows carry numbers (ids stay below 2^53) or their decimal text. */
  bigint: () => column<number | string>('bigint', (table, name) => table.bigInteger(name)),
  /** A generated 64-bit id (bigserial): the key of a dimension table, looked up by its natural key. */
  generatedId: () =>
    column<Generated>('bigint', (table, name) => table.bigIncrements(name), { generated: true }),
  integer: () => column<number>('integer', (table, name) => table.integer(name)),
  text: () => column<string>('text', (table, name) => table.text(name)),
  /** An exact decimal: amounts travel as text ('12.50') or numbers, and compare as numeric. */
  decimal: (precision: number, scale: number) =>
    column<string | number>('numeric', (table, name) => table.decimal(name, precision, scale)),
  /** An instant, as an ISO string with its zone. */
  timestamptz: () => column<string>('timestamptz', (table, name) => table.timestamp(name, { useTz: true })),
  /** A calendar date, as 'YYYY-MM-DD'. */
  date: () => column<string>('date', (table, name) => table.date(name)),
  boolean: () => column<boolean>('boolean', (table, name) => table.boolean(name)),
  jsonb: () => column<unknown>('jsonb', (table, name) => table.jsonb(name)),
};
