import type { z } from 'zod';
import type { RejectedRecord } from '../../migrations/types.js';
import type { Column, ColumnSource } from '../target/columns.js';
import type { Table } from '../target/table.js';
import type { Target } from '../target/target.js';
import type { TargetRows } from '../target/write.js';
import { topField, valueAt } from './field-path.js';

type Row = Record<string, unknown>;

/** A value refused by its column: the record is dead-lettered with this reason. */
class RefusedValue extends Error {}

/** What a lookup found for each key it was asked, by lookup name: a key the source does not know has null. */
export type FoundLookups = ReadonlyMap<string, ReadonlyMap<string, unknown>>;

/** Where a column reads from: the field of its own name unless it says otherwise. */
function sourceOf(name: string, column: Column<unknown>): ColumnSource {
  const source = column.specification.source;
  return { ...source, paths: source?.paths.length ? source.paths : [name] };
}

/** One column's value for a part of a record, looked up, converted and checked as its declaration says. */
function columnValue(
  name: string,
  column: Column<unknown>,
  part: unknown,
  record: unknown,
  lookups?: FoundLookups,
): unknown {
  const { paths, convert, lookup } = sourceOf(name, column);
  const where = paths.join('+');
  let value: unknown;
  try {
    let values = paths.map((path) => valueAt(part, record, path));
    if (lookup) {
      const found = lookups?.get(lookup);
      if (!found) throw new Error(`lookup ${lookup} was not run for this record`);
      values = values.map((key) => found.get(String(key)) ?? null);
    }
    value = convert ? convert(...values) : values[0];
  } catch (error) {
    throw new RefusedValue(`${where} ${(error as Error).message}`);
  }
  if (value === undefined || value === null) {
    if (column.specification.nullable) return null;
    throw new RefusedValue(`${where} is required`);
  }
  const parsed = column.specification.parser.safeParse(value);
  if (!parsed.success) throw new RefusedValue(`${where} ${parsed.error.issues[0]?.message ?? 'is invalid'}`);
  return parsed.data;
}

/** A table's row for a part of a record; `given` columns are filled by the caller (keys of other tables). */
function rowOf(table: Table, part: unknown, record: unknown, lookups: FoundLookups, given: Row = {}): Row {
  const row: Row = {};
  for (const [name, column] of Object.entries(table.columns)) {
    if (column.specification.generated) continue;
    row[name] = name in given ? given[name] : columnValue(name, column, part, record, lookups);
  }
  return row;
}

/** Each part of a record a table of the target maps, with the table. */
function* partsOf(target: Target, record: unknown): Generator<[Table, unknown]> {
  yield [target.record, record];
  for (const child of target.children) {
    const parts = child.from ? valueAt(record, record, child.from) : [];
    if (Array.isArray(parts)) for (const part of parts) yield [child.table, part];
  }
  for (const dimension of target.dimensions) {
    yield [dimension.table, dimension.from ? valueAt(record, record, dimension.from) : record];
  }
}

/** The lookups the target's columns name. */
export function lookupsUsed(target: Target): string[] {
  const used = new Set<string>();
  for (const table of target.tables) {
    for (const [name, column] of Object.entries(table.columns)) {
      const { lookup } = sourceOf(name, column);
      if (lookup) used.add(lookup);
    }
  }
  return [...used];
}

/** The keys each declared lookup is asked for by these records: one batch per lookup for a page of records. */
export function lookupKeys(target: Target, records: readonly unknown[]): Map<string, Set<string>> {
  const keys = new Map<string, Set<string>>();
  for (const record of records) {
    for (const [table, part] of partsOf(target, record)) {
      for (const [name, column] of Object.entries(table.columns)) {
        const { lookup, paths } = sourceOf(name, column);
        if (!lookup) continue;
        const set = keys.get(lookup) ?? new Set<string>();
        keys.set(lookup, set);
        for (const path of paths) {
          const key = valueAt(part, record, path);
          if (key !== undefined && key !== null) set.add(String(key));
        }
      }
    }
  }
  return keys;
}

/** A column's value for a record, as its declaration maps it; throws when the column refuses it. */
export function columnValueOf(table: Table, name: string, record: unknown): unknown {
  const column = table.columns[name];
  if (!column) throw new Error(`table ${table.name} has no column ${name}`);
  return columnValue(name, column, record, record, new Map());
}

/** The top-level fields of a record that one column of the record table reads. */
export function fieldsOfColumn(table: Table, name: string): string[] {
  const column = table.columns[name];
  if (!column) throw new Error(`table ${table.name} has no column ${name}`);
  return sourceOf(name, column).paths.map((path) => topField(path, undefined));
}

/** What one record becomes: its own row, its children's rows, and the dimension rows it references. */
interface RecordRowSet {
  record: Row;
  children: Row[][];
  dimensions: Row[];
}

/**
 * The top-level fields of a source record that the target's columns read: what a listing asks the source for
 * when it can choose (WooCommerce's `_fields`, OData's `$select`).
 */
export function fieldsRead(target: Target): string[] {
  const fields = new Set<string>();
  const add = (table: Table, partPath: string | undefined) => {
    for (const [name, column] of Object.entries(table.columns)) {
      if (column.specification.generated) continue;
      for (const path of sourceOf(name, column).paths) fields.add(topField(path, partPath));
    }
  };
  const given = new Set(target.dimensions.map((dimension) => dimension.referencedBy));
  for (const [name, column] of Object.entries(target.record.columns)) {
    if (column.specification.generated || given.has(name)) continue;
    for (const path of sourceOf(name, column).paths) fields.add(topField(path, undefined));
  }
  for (const child of target.children) {
    if (child.from) fields.add(topField(child.from, undefined));
    // A child's columns read its own part, except those of the record ($.) and the parent key it is given.
    const { [child.parentColumn]: _parent, ...columns } = child.table.columns;
    add({ ...child.table, columns }, child.from);
  }
  for (const dimension of target.dimensions) add(dimension.table, dimension.from);
  return [...fields];
}

/**
 * Source records as the target's rows, mapped by the columns' declarations. A record with a value its column
 * refuses is rejected with the reason (dead-lettered) and the rest written. Records are keyed by the record
 * table's key: one listed twice in a chunk (before and after it moved on a live source) is written once, as
 * listed last, since one upsert cannot touch a row twice.
 */
export class RecordRows {
  private readonly sets = new Map<string, RecordRowSet>();
  private readonly rejectedByKey = new Map<string, RejectedRecord>();
  private readonly recordKey: string;
  private readonly keyColumn: Column<unknown>;

  /**
   * `schema` checks each record as a whole before its columns are read (a rule across fields, a shape the
   * columns alone do not say); the columns read what it returns.
   */
  constructor(
    private readonly target: Target,
    private readonly schema?: z.ZodType,
  ) {
    this.recordKey = target.record.key[0] as string;
    this.keyColumn = target.record.columns[this.recordKey] as Column<unknown>;
  }

  /** The field of a source record that holds its key (`id`, `DocEntry`). */
  get keyField(): string {
    return sourceOf(this.recordKey, this.keyColumn).paths[0] as string;
  }

  /** Records the columns refused, each with its reason. */
  get rejected(): RejectedRecord[] {
    return [...this.rejectedByKey.values()];
  }

  /** Every distinct record added: those that became rows plus those refused. */
  get recordCount(): number {
    return this.sets.size + this.rejectedByKey.size;
  }

  /** Keys of the records that became rows. */
  get keys(): string[] {
    return [...this.sets.keys()];
  }

  /** Adds records; `lookups` holds what the declared lookups found for them (see lookupKeys). */
  add(records: readonly unknown[], lookups: FoundLookups = new Map()): this {
    for (const record of records) this.addOne(record, lookups);
    return this;
  }

  private addOne(record: unknown, lookups: FoundLookups): void {
    const key = String(valueAt(record, record, this.keyField));
    // Either way the later listing wins: a record broken since it was listed is not written.
    this.sets.delete(key);
    this.rejectedByKey.delete(key);
    try {
      this.sets.set(key, this.rowsOf(this.checked(record), lookups));
    } catch (error) {
      if (!(error instanceof RefusedValue)) throw error;
      this.rejectedByKey.set(key, { sourceKey: key, payload: record, reason: error.message });
    }
  }

  private checked(record: unknown): unknown {
    if (!this.schema) return record;
    const parsed = this.schema.safeParse(record);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    throw new RefusedValue(`${issue?.path.join('.') || 'record'} ${issue?.message ?? 'is invalid'}`);
  }

  private rowsOf(record: unknown, lookups: FoundLookups): RecordRowSet {
    const dimensions = this.target.dimensions.map((dimension) =>
      rowOf(
        dimension.table,
        dimension.from ? valueAt(record, record, dimension.from) : record,
        record,
        lookups,
      ),
    );
    const references = Object.fromEntries(
      this.target.dimensions.map((dimension, index) => [
        dimension.referencedBy,
        (dimensions[index] as Row)[dimension.table.key[0] as string],
      ]),
    );
    const own = rowOf(this.target.record, record, record, lookups, references);
    const children = this.target.children.map((child) => {
      const parts = child.from ? valueAt(record, record, child.from) : [];
      if (!Array.isArray(parts)) throw new RefusedValue(`${child.from} is not a list`);
      const parent = { [child.parentColumn]: own[this.recordKey] };
      return parts.map((part) => rowOf(child.table, part, record, lookups, parent));
    });
    return { record: own, children, dimensions };
  }

  /** The rows by table name, for writeTarget; a dimension row shared by several records is the last one's. */
  build(): TargetRows {
    const sets = [...this.sets.values()];
    const rows: Record<string, Row[]> = {};
    this.target.dimensions.forEach((dimension, index) => {
      const naturalKey = dimension.table.key[0] as string;
      const byKey = new Map(
        sets.map((set) => [set.dimensions[index]?.[naturalKey], set.dimensions[index] as Row]),
      );
      rows[dimension.table.name] = [...byKey.values()];
    });
    rows[this.target.record.name] = sets.map((set) => set.record);
    this.target.children.forEach((child, index) => {
      rows[child.table.name] = sets.flatMap((set) => set.children[index] as Row[]);
    });
    return rows;
  }
}
