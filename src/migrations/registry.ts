import { FerryError } from '../errors.js';
import { sapOrders } from './sap-orders/index.js';
import type { Migration } from './types.js';
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
