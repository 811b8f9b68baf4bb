import { FerryError } from '../errors.js';
import { sapOrders } from './sap-orders/index.js';
import type { IncrementalSync, Migration } from './types.js';
import { woocommerceOrders } from './woocommerce-orders/index.js';

const MIGRATIONS: ReadonlyMap<string, Migration> = new Map(
  [woocommerceOrders, sapOrders].map((migration) => [migration.name, migration]),
);

export function migrationNames(): string[] {
  return [...MIGRATIONS.keys()];
}

export function getMigration(name: string): Migration {
  const migration = MIGRATIONS.get(name);
  if (!migration) {
    throw new FerryError(`Unknown migration "${name}"; known migrations: ${migrationNames().join(', ')}`);
  }
  return migration;
}

/** What the migration offers to incremental syncs; a migration that only backfills is refused by name. */
export function incrementalOf(migration: Migration): IncrementalSync {
  if (!migration.incremental) {
    throw new FerryError(
      `Migration "${migration.name}" cannot run as an incremental sync; it only backfills`,
    );
  }
  return migration.incremental;
}
