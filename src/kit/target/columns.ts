import type { Knex } from 'knex';
import type { z } from 'zod';
import { schemaCheck, typeChecks, type ValueCheck } from './value-checks.js';

/**
 * Where a column's value comes from in a source record: field paths (`billing.email`; `$.` starts from the
 * record itself when the table maps a part of it), and a conversion of the values found there.
 */
export interface ColumnSource {
  readonly paths: readonly string[];
  /** A declared lookup that turns the value at the path into the column's value (an item's manufacturer). */
  readonly lookup?: string;
  /** The value is the part's place in its record's list, from 1 (a line number the source does not send). */
  readonly position?: boolean;
  // biome-ignore lint/suspicious/noExplicitAny: a conversion takes whatever the source sends; the column's check judges the result
  readonly convert?: (...values: any[]) => unknown;
}

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
  /** Where the value comes from; the field of the column's own name unless declared. */
  readonly source?: ColumnSource;
  /** What a value must be to be written (and how it is normalised); a record with a value it refuses is dead-lettered. */
  readonly check: ValueCheck;
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

  /**
   * Reads the value from another field than the column's name (`'billing.city'`, `'$.customer_id'` from the
   * record when the table maps a part of it), converted by `convert` if given (`(gmt) => \`${gmt}Z\``); with
   * several paths, `convert` gets their values in order (`['UpdateDate', 'UpdateTime'], (date, time) => …`).
   */
  // biome-ignore lint/suspicious/noExplicitAny: see ColumnSource
  from(paths: string | readonly string[], convert?: (...values: any[]) => unknown): this {
    const list = typeof paths === 'string' ? [paths] : paths;
    return this.with({ source: { paths: list, ...(convert ? { convert } : {}) } });
  }

  /**
   * The value a declared lookup finds for the value at `path` (the column's name unless given): an item code's
   * manufacturer, converted by `convert` if given (`(relation) => relation.code`). Lookups are asked in batches
   * and remembered for the run; a key the source does not know is null, and refuses the record unless the column
   * is nullable.
   */
  // biome-ignore lint/suspicious/noExplicitAny: see ColumnSource
  lookup(name: string, path?: string, convert?: (found: any) => unknown): this {
    return this.with({
      source: { paths: path ? [path] : [], lookup: name, ...(convert ? { convert } : {}) },
    });
  }

  /**
   * The part's place in its record's list, from 1: the line number of a child table whose rows the source sends
   * without one (e-Boekhouden's mutation rows).
   */
  position(): this {
    return this.with({ source: { paths: [], position: true } });
  }

  /** Checks values with this schema instead of the type's own check (`z.int().positive()`, `z.email()`). */
  parse(schema: z.ZodType<T>): this {
    return this.with({ check: schemaCheck(schema) });
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
  check: ValueCheck,
  extra: Partial<ColumnSpecification> = {},
) => new Column<T>({ sendAs, create, check, nullable: false, unique: false, generated: false, ...extra });

/** The column types a target declares, each with the JavaScript type its rows carry. */
export const columns = {
  /** 64-bit integer ids; rows carry numbers (ids stay below 2^53) or their decimal text. */
  bigint: () => column<number | string>('bigint', (table, name) => table.bigInteger(name), typeChecks.bigint),
  /** A generated 64-bit id (bigserial): the key of a dimension table, looked up by its natural key. */
  generatedId: () =>
    column<Generated>('bigint', (table, name) => table.bigIncrements(name), typeChecks.any, {
      generated: true,
    }),
  integer: () => column<number>('integer', (table, name) => table.integer(name), typeChecks.integer),
  text: () => column<string>('text', (table, name) => table.text(name), typeChecks.text),
  /** An exact decimal: amounts travel as text ('12.50') or numbers, and compare as numeric. */
  decimal: (precision: number, scale: number) =>
    column<string | number>(
      'numeric',
      (table, name) => table.decimal(name, precision, scale),
      typeChecks.decimal,
    ),
  /** An instant, as an ISO string with its zone. */
  timestamptz: () =>
    column<string>(
      'timestamptz',
      (table, name) => table.timestamp(name, { useTz: true }),
      typeChecks.timestamptz,
    ),
  /** A calendar date, as 'YYYY-MM-DD'. */
  date: () => column<string>('date', (table, name) => table.date(name), typeChecks.date),
  boolean: () => column<boolean>('boolean', (table, name) => table.boolean(name), typeChecks.boolean),
  jsonb: () => column<unknown>('jsonb', (table, name) => table.jsonb(name), typeChecks.any),
};
