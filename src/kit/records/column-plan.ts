import type { Column } from '../target/columns.js';
import type { Table } from '../target/table.js';
import { ValueRefused } from '../target/value-checks.js';
import { type Reader, readerOf } from './field-path.js';

/** What a lookup found for each key it was asked, by lookup name: a key the source does not know has null. */
export type FoundLookups = ReadonlyMap<string, ReadonlyMap<string, unknown>>;

/** A value refused by its column, with the field it came from: the record is dead-lettered with this reason. */
export class RefusedRecord extends Error {}

/** Where a column reads from: the field of its own name unless it says otherwise. */
export function pathsOf(name: string, column: Column<unknown>): readonly string[] {
  if (column.specification.source?.position) return [];
  const paths = column.specification.source?.paths;
  return paths?.length ? paths : [name];
}

/**
 * One column's way from a part of a record to its value, compiled once: read the paths, look the value up,
 * convert it, check it. It runs for every value of every record, so it does no more than that.
 */
export interface ColumnPlan {
  readonly name: string;
  readonly paths: readonly string[];
  readonly lookup?: string;
  /** `position`: the part's place in its record's list, from 1 (undefined for the record's own row). */
  value(part: unknown, record: unknown, lookups: FoundLookups, position?: number): unknown;
}

/**
 * How a column's paths are read: as field paths (`billing.email` a field of a field), or `flat`, each the name of
 * one field (a CSV header, where `Bedrag excl. BTW` is one name and a dot is part of it).
 */
export interface PlanOptions {
  readonly flat?: boolean;
}

const flatReader =
  (name: string): Reader =>
  (part) =>
    part !== null && typeof part === 'object' ? (part as Record<string, unknown>)[name] : undefined;

export function planColumn(name: string, column: Column<unknown>, options: PlanOptions = {}): ColumnPlan {
  const { source, nullable, check } = column.specification;
  const paths = pathsOf(name, column);
  const byPosition = source?.position === true;
  const readers = paths.map(options.flat ? flatReader : readerOf);
  const [first] = readers as [Reader];
  const where = paths.join('+');
  const lookup = source?.lookup;
  const convert = source?.convert;
  const refused = (message: string) => new RefusedRecord(`${where || name} ${message}`);
  return {
    name,
    paths,
    ...(lookup ? { lookup } : {}),
    value(part, record, lookups, position) {
      let value: unknown;
      try {
        if (byPosition) {
          value = position;
        } else if (readers.length === 1 && !lookup) {
          value = convert ? convert(first(part, record)) : first(part, record);
        } else {
          let values = readers.map((read) => read(part, record));
          if (lookup) {
            const found = lookups.get(lookup);
            if (!found) throw new Error(`lookup ${lookup} was not run for this record`);
            values = values.map((key) => {
              const value = found.get(String(key)) ?? null;
              // A key the source does not know refuses the record by name, unless the column may be empty.
              if (value === null && !nullable && key !== undefined && key !== null) {
                throw new Error(`${String(key)} is not known at the source (lookup ${lookup})`);
              }
              return value;
            });
          }
          // Nothing found is null; a conversion only sees what a lookup found.
          value = lookup && values[0] === null ? null : convert ? convert(...values) : values[0];
        }
      } catch (error) {
        throw refused((error as Error).message);
      }
      if (value === undefined || value === null) {
        if (nullable) return null;
        throw refused('is required');
      }
      try {
        return check(value);
      } catch (error) {
        if (error instanceof ValueRefused) throw refused(error.message);
        throw error;
      }
    },
  };
}

/** A table's columns as plans, in order; generated ids are left out (the database makes them). */
export function planTable(table: Table, options: PlanOptions = {}): ColumnPlan[] {
  return Object.entries(table.columns)
    .filter(([, column]) => !column.specification.generated)
    .map(([name, column]) => planColumn(name, column, options));
}
