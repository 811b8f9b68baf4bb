import type { Knex } from 'knex';
import { type SchemaStep, upgradeTargetSchema } from '../../target/schema.js';
import { type Targets, tablesOf } from './routes.js';
import { createTable, type Table } from './table.js';

/** Rows of a table replaced per record: a record's rows the source no longer has are deleted. */
export interface ChildTable {
  readonly table: Table;
  /** The child's column that holds its record's key. */
  readonly parentColumn: string;
  /** The record's field that lists the children (`line_items`), when rows are mapped from records. */
  readonly from?: string;
}

/**
 * Rows shared by many records and looked up by a natural key (customers by email), with a generated id. The
 * record table's `referencedBy` column carries the natural key in the rows a transform builds; the writer
 * stores the id there.
 */
export interface DimensionTable {
  readonly table: Table;
  readonly referencedBy: string;
  /** The record's field the dimension's columns are read from (`billing`); the record itself unless given. */
  readonly from?: string;
}

/** Where a migration writes: one row per record, with its children and dimensions; each table declared once. */
export interface Target {
  readonly record: Table;
  /**
   * The record table's column that holds the source record's key: its key unless the table is keyed by
   * something else (invoices by their number, the mutation they came from kept beside it). Records are
   * counted, dead-lettered, verified and fetched again by it.
   */
  readonly sourceKey: string;
  readonly children: readonly ChildTable[];
  readonly dimensions: readonly DimensionTable[];
  /** Every table, in the order they are created (dimensions, the record table, children). */
  readonly tables: readonly Table[];
}

/**
 * Why a record is refused when the key of its table row (an invoice number) is held by another source record:
 * in the same chunk or already in the table.
 */
export function keyTakenReason(target: Target, key: unknown, holder: unknown): string {
  return `${target.record.key[0]} ${String(key)} is already taken by ${target.sourceKey} ${String(holder)}`;
}

export function generatedIdOf(table: Table): string {
  const found = Object.entries(table.columns).find(([, column]) => column.specification.generated);
  if (!found)
    throw new Error(`dimension table ${table.name} needs a generated id column (columns.generatedId())`);
  return found[0];
}

export function defineTarget(declaration: {
  record: Table;
  children?: readonly ChildTable[];
  dimensions?: readonly DimensionTable[];
  /** The record table's column of the source record's key, when it is not the table's key. */
  sourceKey?: string;
}): Target {
  const children = declaration.children ?? [];
  const dimensions = declaration.dimensions ?? [];
  const { record } = declaration;
  if (record.key.length !== 1) {
    // Children name their record by one column.
    throw new Error(`record table ${record.name} needs a one-column key; it has ${record.key.join(', ')}`);
  }
  const sourceKey = declaration.sourceKey ?? (record.key[0] as string);
  const sourceKeyColumn = record.columns[sourceKey];
  if (!sourceKeyColumn) throw new Error(`record table ${record.name} has no column ${sourceKey}`);
  if (sourceKey !== record.key[0] && !sourceKeyColumn.specification.unique) {
    // One row per source record, found by its key when a record moves to another table or is verified.
    throw new Error(`record table ${record.name}: the source key ${sourceKey} must be declared unique()`);
  }
  for (const child of children) {
    if (!(child.parentColumn in child.table.columns)) {
      throw new Error(`child table ${child.table.name} has no column ${child.parentColumn}`);
    }
  }
  for (const dimension of dimensions) {
    generatedIdOf(dimension.table);
    if (!(dimension.referencedBy in record.columns)) {
      throw new Error(
        `table ${record.name} has no column ${dimension.referencedBy} to reference ${dimension.table.name}`,
      );
    }
    if (dimension.table.key.length !== 1) {
      throw new Error(`dimension table ${dimension.table.name} needs a one-column natural key`);
    }
  }
  return {
    record,
    sourceKey,
    children,
    dimensions,
    tables: [
      ...dimensions.map((dimension) => dimension.table),
      record,
      ...children.map((child) => child.table),
    ],
  };
}

/**
 * Creates the targets' tables once, as a versioned step of the migration (`stepName`), so that an existing
 * database whose tables that step created is left as it is.
 */
export function prepareTarget(
  db: Knex,
  migration: string,
  targets: Targets,
  stepName = '001-tables',
): Promise<void> {
  const tables = tablesOf(targets);
  const step: SchemaStep = [
    stepName,
    {
      up: async (trx) => {
        for (const table of tables) await createTable(trx, table);
      },
      down: async (trx) => {
        for (const table of [...tables].reverse()) await trx.schema.dropTable(table.name);
      },
    },
  ];
  return upgradeTargetSchema(db, migration, [step]);
}
