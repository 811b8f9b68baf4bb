import type { z } from 'zod';
import type { RejectedRecord } from '../../migrations/types.js';
import { routeChooser, routesOf, sourceKeyPath, type Targets } from '../target/routes.js';
import type { Table } from '../target/table.js';
import { keyTakenReason, type Target } from '../target/target.js';
import type { TargetRows } from '../target/write.js';
import { type ColumnPlan, type FoundLookups, pathsOf, planTable, RefusedRecord } from './column-plan.js';
import { topField, valueAt } from './field-path.js';

export type { FoundLookups } from './column-plan.js';

type Row = Record<string, unknown>;

const NO_LOOKUPS: FoundLookups = new Map();

/** `compute` of a table, worked out once per table. */
function perTable<T>(compute: (table: Table) => T): (table: Table) => T {
  const kept = new WeakMap<Table, T>();
  return (table) => {
    if (!kept.has(table)) kept.set(table, compute(table));
    return kept.get(table) as T;
  };
}

/** A table's column plans. */
const plansOf = perTable(planTable);

type LookupPlan = ColumnPlan & { lookup: string };
/** The plans of a table's columns found by a lookup: lookupKeys reads them for every part of every record. */
const lookupPlansOf = perTable((table) =>
  plansOf(table).filter((plan): plan is LookupPlan => plan.lookup !== undefined),
);

/** A table's row for a part of a record, from these columns' plans. */
function rowOf(
  plans: readonly ColumnPlan[],
  part: unknown,
  record: unknown,
  lookups: FoundLookups,
  position?: number,
): Row {
  const row: Row = {};
  for (const plan of plans) row[plan.name] = plan.value(part, record, lookups, position);
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

/** The lookups the targets' columns name. */
export function lookupsUsed(targets: Targets): string[] {
  const used = new Set<string>();
  for (const { target } of routesOf(targets)) {
    for (const table of target.tables) {
      for (const column of Object.values(table.columns)) {
        const lookup = column.specification.source?.lookup;
        if (lookup) used.add(lookup);
      }
    }
  }
  return [...used];
}

/** The keys each declared lookup is asked for by these records: one batch per lookup for a page of records. */
export function lookupKeys(targets: Targets, records: readonly unknown[]): Map<string, Set<string>> {
  const keys = new Map<string, Set<string>>();
  const choose = routeChooser(targets);
  for (const record of records) {
    const target = choose(record);
    if (!target) continue;
    for (const [table, part] of partsOf(target, record)) {
      for (const plan of lookupPlansOf(table)) {
        const set = keys.get(plan.lookup) ?? new Set<string>();
        keys.set(plan.lookup, set);
        for (const path of plan.paths) {
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
  const plan = plansOf(table).find((candidate) => candidate.name === name);
  if (!plan) throw new Error(`table ${table.name} has no column ${name}`);
  return plan.value(record, record, NO_LOOKUPS);
}

/**
 * The top-level fields of a record that one column of the record tables reads (and the route field, which picks
 * the table): what a listing asks for to read that column alone.
 */
export function fieldsOfColumn(targets: Targets, name: string): string[] {
  const fields = new Set<string>('by' in targets ? [topField(targets.by, undefined)] : []);
  for (const { target } of routesOf(targets)) {
    const column = target.record.columns[name];
    if (!column) throw new Error(`table ${target.record.name} has no column ${name}`);
    for (const path of pathsOf(name, column)) fields.add(topField(path, undefined));
  }
  return [...fields];
}

/** What one record becomes: its own row, its children's rows, and the dimension rows it references. */
interface RecordRowSet {
  record: Row;
  children: Row[][];
  dimensions: Row[];
}

/** The top-level fields of a source record that one target's columns read. */
function fieldsReadBy(target: Target, fields: Set<string>): void {
  const add = (table: Table, partPath: string | undefined) => {
    for (const [name, column] of Object.entries(table.columns)) {
      if (column.specification.generated) continue;
      for (const path of pathsOf(name, column)) fields.add(topField(path, partPath));
    }
  };
  const given = new Set(target.dimensions.map((dimension) => dimension.referencedBy));
  for (const [name, column] of Object.entries(target.record.columns)) {
    if (column.specification.generated || given.has(name)) continue;
    for (const path of pathsOf(name, column)) fields.add(topField(path, undefined));
  }
  for (const child of target.children) {
    if (child.from) fields.add(topField(child.from, undefined));
    // A child's columns read its own part, except those of the record ($.) and the parent key it is given.
    const { [child.parentColumn]: _parent, ...columns } = child.table.columns;
    add({ ...child.table, columns }, child.from);
  }
  for (const dimension of target.dimensions) add(dimension.table, dimension.from);
}

/**
 * The top-level fields of a source record that the targets' columns read: what a listing asks the source for
 * when it can choose (WooCommerce's `_fields`, OData's `$select`).
 */
export function fieldsRead(targets: Targets): string[] {
  const fields = new Set<string>('by' in targets ? [topField(targets.by, undefined)] : []);
  for (const { target } of routesOf(targets)) fieldsReadBy(target, fields);
  return [...fields];
}

/** One target's mapping of records to rows: its column plans, compiled once, and the rows of the records it took. */
class TargetRowSets {
  /** Rows by the source record's key. */
  readonly sets = new Map<string, RecordRowSet>();
  /**
   * The source key that holds each record-table key, for a table keyed by something else (an invoice number, its
   * mutation); none when the record table is keyed by the source key itself, as two records cannot share one.
   */
  private readonly holders: Map<string, string> | undefined;
  private readonly recordKey: string;
  private readonly ownPlans: ColumnPlan[];
  private readonly childPlans: ColumnPlan[][];

  constructor(readonly target: Target) {
    this.recordKey = target.record.key[0] as string;
    this.holders = target.sourceKey === this.recordKey ? undefined : new Map();
    // Columns filled from other tables (dimension references, a child's parent key) are not read from the record.
    const references = new Set(target.dimensions.map((dimension) => dimension.referencedBy));
    this.ownPlans = plansOf(target.record).filter((plan) => !references.has(plan.name));
    this.childPlans = target.children.map((child) =>
      plansOf(child.table).filter((plan) => plan.name !== child.parentColumn),
    );
  }

  rowsOf(record: unknown, lookups: FoundLookups): RecordRowSet {
    const dimensions = this.target.dimensions.map((dimension) =>
      rowOf(
        plansOf(dimension.table),
        dimension.from ? valueAt(record, record, dimension.from) : record,
        record,
        lookups,
      ),
    );
    const own = rowOf(this.ownPlans, record, record, lookups);
    // The record's references to its dimensions carry their natural keys; the writer puts the ids there.
    this.target.dimensions.forEach((dimension, index) => {
      own[dimension.referencedBy] = (dimensions[index] as Row)[dimension.table.key[0] as string];
    });
    const children = this.target.children.map((child, index) => {
      const parts = child.from ? valueAt(record, record, child.from) : [];
      if (!Array.isArray(parts)) throw new RefusedRecord(`${child.from} is not a list`);
      const plans = this.childPlans[index] as ColumnPlan[];
      const parent = own[this.recordKey];
      return parts.map((part, place) => {
        const row = rowOf(plans, part, record, lookups, place + 1);
        row[child.parentColumn] = parent;
        return row;
      });
    });
    return { record: own, children, dimensions };
  }

  /**
   * Takes a record's rows. A record whose record-table key another record of the chunk holds (an invoice number
   * two mutations use) is refused, naming the holder: one row cannot be two records.
   */
  take(sourceKey: string, set: RecordRowSet): void {
    if (this.holders) {
      const key = String(set.record[this.recordKey]);
      const holder = this.holders.get(key);
      if (holder !== undefined && holder !== sourceKey) {
        throw new RefusedRecord(keyTakenReason(this.target, key, holder));
      }
      this.holders.set(key, sourceKey);
    }
    this.sets.set(sourceKey, set);
  }

  /** Forgets a record's rows: it was listed again, and the later listing wins. */
  drop(sourceKey: string): void {
    const set = this.sets.get(sourceKey);
    if (!set) return;
    this.sets.delete(sourceKey);
    this.holders?.delete(String(set.record[this.recordKey]));
  }

  /** The target's rows by table name. */
  build(rows: Record<string, Row[]>): void {
    const sets = [...this.sets.values()];
    this.target.dimensions.forEach((dimension, index) => {
      const naturalKey = dimension.table.key[0] as string;
      const byKey = new Map(
        sets.map((set) => [set.dimensions[index]?.[naturalKey], set.dimensions[index] as Row]),
      );
      rows[dimension.table.name] = [...byKey.values()];
    });
    rows[this.target.record.name] = sets.map((set) => set.record);
    this.target.children.forEach((child, index) => {
      // A loop, not flatMap (slow in V8): this runs over every record of every chunk.
      const all: Row[] = [];
      for (const set of sets) for (const row of set.children[index] as Row[]) all.push(row);
      rows[child.table.name] = all;
    });
  }
}

/**
 * Source records as the targets' rows, mapped by the columns' declarations, each record to its route's target. A
 * record with a value its column refuses, or with no route, is rejected with the reason (dead-lettered) and the
 * rest written. Records are keyed by the source key: one listed twice in a chunk (before and after it moved on a
 * live source) is written once, as listed last, since one upsert cannot touch a row twice.
 */
export class RecordRows {
  private readonly byTarget: Map<Target, TargetRowSets>;
  private readonly rejectedByKey = new Map<string, RejectedRecord>();
  private readonly choose: (record: unknown) => Target | undefined;
  /** The field of a source record that holds its key (`id`, `DocEntry`). */
  readonly keyField: string;
  private readonly readKey: (record: unknown) => unknown;

  /**
   * `schema` checks each record as a whole before its columns are read (a rule across fields, a shape the
   * columns alone do not say); the columns read what it returns.
   */
  constructor(
    private readonly targets: Targets,
    private readonly schema?: z.ZodType,
  ) {
    const routes = routesOf(targets);
    this.byTarget = new Map(routes.map((route) => [route.target, new TargetRowSets(route.target)]));
    this.choose = routeChooser(targets);
    const keyField = sourceKeyPath((routes[0] as (typeof routes)[number]).target);
    this.keyField = keyField;
    this.readKey = (record) => valueAt(record, record, keyField);
  }

  /** Records the columns refused, each with its reason. */
  get rejected(): RejectedRecord[] {
    return [...this.rejectedByKey.values()];
  }

  /** Every distinct record added: those that became rows plus those refused. */
  get recordCount(): number {
    let count = this.rejectedByKey.size;
    for (const rows of this.byTarget.values()) count += rows.sets.size;
    return count;
  }

  /** Source keys of the records that became rows. */
  get keys(): string[] {
    return [...this.byTarget.values()].flatMap((rows) => [...rows.sets.keys()]);
  }

  /** Source keys of the records that became rows, by the target they went to. */
  keysByTarget(): Map<Target, string[]> {
    return new Map([...this.byTarget].map(([target, rows]) => [target, [...rows.sets.keys()]]));
  }

  /** Refuses records with a reason found outside their columns (their own request answered 404). */
  refuse(records: readonly unknown[], reason: string): this {
    for (const record of records) {
      const key = this.forget(record);
      this.rejectedByKey.set(key, { sourceKey: key, payload: record, reason });
    }
    return this;
  }

  /** Forgets what an earlier listing of this record became (the later listing wins); returns its key. */
  private forget(record: unknown): string {
    const key = String(this.readKey(record));
    for (const rows of this.byTarget.values()) rows.drop(key);
    this.rejectedByKey.delete(key);
    return key;
  }

  /** Adds records; `lookups` holds what the declared lookups found for them (see lookupKeys). */
  add(records: readonly unknown[], lookups: FoundLookups = NO_LOOKUPS): this {
    for (const record of records) this.addOne(record, lookups);
    return this;
  }

  private addOne(record: unknown, lookups: FoundLookups): void {
    // Either way the later listing wins: a record broken since it was listed is not written.
    const key = this.forget(record);
    try {
      const checked = this.checked(record);
      const target = this.choose(checked);
      if (!target) {
        const by = (this.targets as { by: string }).by;
        throw new RefusedRecord(`${by} ${String(valueAt(checked, checked, by))} has no route`);
      }
      const rows = this.byTarget.get(target) as TargetRowSets;
      rows.take(key, rows.rowsOf(checked, lookups));
    } catch (error) {
      if (!(error instanceof RefusedRecord)) throw error;
      this.rejectedByKey.set(key, { sourceKey: key, payload: record, reason: error.message });
    }
  }

  private checked(record: unknown): unknown {
    if (!this.schema) return record;
    const parsed = this.schema.safeParse(record);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    throw new RefusedRecord(`${issue?.path.join('.') || 'record'} ${issue?.message ?? 'is invalid'}`);
  }

  /**
   * The rows by table name, for writeTarget: every table of every target, empty when no record went there; a
   * dimension row shared by several records is the last one's.
   */
  build(): TargetRows {
    const rows: Record<string, Row[]> = {};
    for (const target of this.byTarget.values()) target.build(rows);
    return rows;
  }
}
