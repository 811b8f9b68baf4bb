import type { Knex } from 'knex';
import * as engineTables from './migrations/001-engine-tables.js';

type MigrationModule = { up(db: Knex): Promise<void>; down(db: Knex): Promise<void> };

/** In code rather than a directory scan, so migrations work the same under tsx, a bundle or a compiled build. */
const MIGRATIONS: ReadonlyArray<readonly [string, MigrationModule]> = [['001-engine-tables', engineTables]];

const source: Knex.MigrationSource<string> = {
  getMigrations: async () => MIGRATIONS.map(([name]) => name),
  getMigrationName: (name) => name,
  getMigration: async (name) => {
    const found = MIGRATIONS.find(([candidate]) => candidate === name);
    if (!found) throw new Error(`Unknown ferry migration ${name}`);
    return found[1];
  },
};

export const MIGRATIONS_TABLE = 'ferry_schema_migrations';

/** Brings ferry's tables up to date; safe to call at every start and from several processes at once. */
export async function migrateToLatest(db: Knex): Promise<string[]> {
  const [, applied] = (await db.migrate.latest({ migrationSource: source, tableName: MIGRATIONS_TABLE })) as [
    number,
    string[],
  ];
  return applied;
}

export async function appliedMigrations(db: Knex): Promise<string[]> {
  const rows = await db(MIGRATIONS_TABLE).select('name').orderBy('id');
  return rows.map((row: { name: string }) => row.name);
}
