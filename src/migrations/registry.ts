import { FerryError } from '../errors.js';
import type { Migration } from './types.js';
import { woocommerceOrders } from './woocommerce-orders/index.js';

const MIGRATIONS: ReadonlyMap<string, Migration> = new Map([[woocommerceOrders.name, woocommerceOrders]]);

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
