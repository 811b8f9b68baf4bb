import { FerryError } from '../errors.js';
import { eboekhoudenMutations } from './eboekhouden-mutations/index.js';
import { type LoadedMigration, loadMigrationModules } from './load.js';
import { neonFields } from './neon-fields/index.js';
import { sapOrders } from './sap-orders/index.js';
import type { IncrementalSync, Migration } from './types.js';
import { woocommerceOrders } from './woocommerce-orders/index.js';

/** Every migration this process knows by name: ferry's own, then those loaded from a team's modules. */
const MIGRATIONS = new Map<string, LoadedMigration>(
  [woocommerceOrders, sapOrders, eboekhoudenMutations, neonFields].map((migration) => [
    migration.name,
    { migration, from: 'ferry' },
  ]),
);

export function migrationNames(): string[] {
  return [...MIGRATIONS.keys()];
}

/** Adds migrations; a name already taken by another definition is refused, naming both origins. */
export function registerMigrations(loaded: readonly LoadedMigration[]): void {
  for (const entry of loaded) {
    const existing = MIGRATIONS.get(entry.migration.name);
    if (existing && existing.migration !== entry.migration) {
      throw new FerryError(
        `Migration "${entry.migration.name}" from ${entry.from} has the name of one from ${existing.from}; give it another name`,
      );
    }
    MIGRATIONS.set(entry.migration.name, entry);
  }
}

/** Loads and registers the migrations of a team's modules (FERRY_MIGRATIONS, `ferry worker --migrations`). */
export async function loadMigrations(specifiers: readonly string[]): Promise<void> {
  registerMigrations(await loadMigrationModules(specifiers));
}

/** Migrations bound to a run's options, by name and options: a worker binds each run's once. */
const BOUND = new Map<string, Migration>();
const MAX_BOUND = 100;

/**
 * The migration of this name; with a run's options (a field migration's plan), the migration bound to them.
 */
export function getMigration(name: string, options?: unknown): Migration {
  const found = MIGRATIONS.get(name);
  if (!found) {
    throw new FerryError(
      `Unknown migration "${name}"; known migrations: ${migrationNames().join(', ')} ` +
        '(load your own with FERRY_MIGRATIONS=<module>, or ferry worker --migrations <module>)',
    );
  }
  const { migration } = found;
  if (options === undefined || !migration.runOptions) return migration;
  const id = `${name}\n${JSON.stringify(options)}`;
  let bound = BOUND.get(id);
  if (!bound) {
    bound = migration.runOptions.bind(options);
    if (BOUND.size >= MAX_BOUND) BOUND.delete(BOUND.keys().next().value as string);
    BOUND.set(id, bound);
  }
  return bound;
}

/** The largest page a migration may ask its source for (100 for one that does not say). */
export function checkedPageSize(migration: Migration, pageSize: number | undefined): number {
  const max = migration.maxPageSize ?? 100;
  if (pageSize !== undefined && pageSize > max) {
    throw new FerryError(
      `--page-size ${pageSize} is more than the source of ${migration.name} serves in one page (at most ${max})`,
    );
  }
  return pageSize ?? migration.defaults.pageSize;
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
