import { z } from 'zod';
import { type Column, columns as c } from '../target/columns.js';
import { type Table, table } from '../target/table.js';

/**
 * A CSV load as data (YAML, JSON, or a workflow's input): the file, the table it fills, and each column's type
 * and header. Data rather than a `Table` of column objects, so that it travels through Temporal and a user
 * declares a load without writing code; `csvTable` makes the kit's table of it.
 */
const identifier = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a table or column name (letters, digits, _)');

const TYPE = /^(text|bigint|integer|date|timestamptz|boolean|decimal\((\d{1,2}),\s*(\d{1,2})\))$/;
const columnType = z
  .string()
  .regex(TYPE, 'one of text, bigint, integer, date, timestamptz, boolean, decimal(precision, scale)');

export const csvColumnSchema = z.union([
  columnType,
  z.strictObject({
    type: columnType,
    /** The header of the CSV column the value is read from; the column's own name unless given. */
    from: z.string().min(1).optional(),
    /** An empty field is null; a column is NOT NULL unless declared nullable, and refuses a line without it. */
    nullable: z.boolean().default(false),
  }),
]);

export const csvTableSchema = z
  .strictObject({
    /** The table the file fills; created if it is not there. */
    table: identifier,
    columns: z.record(identifier, csvColumnSchema).refine((columns) => Object.keys(columns).length > 0, {
      message: 'at least one column',
    }),
    /** The columns a line is known by: a line with a key loaded before updates that row. */
    key: z.array(identifier).min(1),
  })
  .superRefine((declaration, context) => {
    for (const key of declaration.key) {
      if (!(key in declaration.columns))
        context.addIssue({
          code: 'custom',
          path: ['key'],
          message: `key column ${key} is not a declared column`,
        });
    }
  });
export type CsvTableDeclaration = z.input<typeof csvTableSchema>;

export const csvLoadSchema = z.strictObject({
  /** The CSV file (RFC 4180, a header line first), as the worker sees it. */
  file: z.string().min(1),
  target: csvTableSchema,
  /** Lines per chunk: each chunk is one transaction and one checkpoint. */
  chunkLines: z.int().min(1).max(1_000_000).default(50_000),
});
export type CsvLoadDeclaration = z.input<typeof csvLoadSchema>;

function columnOf(type: string): Column<unknown> {
  const decimal = type.match(TYPE);
  if (decimal?.[2] && decimal[3]) return c.decimal(Number(decimal[2]), Number(decimal[3]));
  switch (type) {
    case 'bigint':
      return c.bigint();
    case 'integer':
      return c.integer();
    case 'date':
      return c.date();
    case 'timestamptz':
      return c.timestamptz();
    case 'boolean':
      return c.boolean();
    default:
      return c.text();
  }
}

/** The kit's table for a declared CSV load: each column read from its header, checked by its type. */
export function csvTable(declaration: CsvTableDeclaration): Table {
  const parsed = csvTableSchema.parse(declaration);
  const columns: Record<string, Column<unknown>> = {};
  for (const [name, spec] of Object.entries(parsed.columns)) {
    const { type, from, nullable } = typeof spec === 'string' ? { type: spec, nullable: false } : spec;
    const declared = columnOf(type).from(from ?? name);
    columns[name] = nullable ? declared.nullable() : declared;
  }
  return table(parsed.table, { columns, key: parsed.key });
}
