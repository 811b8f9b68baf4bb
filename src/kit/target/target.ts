import type { Knex } from 'knex';
import { type SchemaStep, upgradeTargetSchema } from '../../target/schema.js';
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
  readonly children: readonly ChildTable[];
  readonly dimensions: readonly DimensionTable[];
  /** Every table, in the order they are created (dimensions, the record table, children). */
  readonly tables: readonly Table[];
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
}): Target {
  const children = declaration.children ?? [];
  const dimensions = declaration.dimensions ?? [];
  const { record } = declaration;
  if (record.key.length !== 1) {
    // Records are counted, dead-lettered and fetched again by one key.
    throw new Error(`record table ${record.name} needs a one-column key; it has ${record.key.join(', ')}`);
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
 * Creates the target's tables once, as a versioned step of the migration (`stepName`), so that an existing
 * database whose tables that step created is left as it is.
 */
export function prepareTarget(
  db: Knex,
  migration: string,
  target: Target,
  stepName = '001-tables',
): Promise<void> {
  const step: SchemaStep = [
    stepName,
    {
      up: async (trx) => {
        for (const table of target.tables) await createTable(trx, table);
      },
      down: async (trx) => {
        for (const table of [...target.tables].reverse()) await trx.schema.dropTable(table.name);
      },
    },
  ];
  return upgradeTargetSchema(db, migration, [step]);
}
