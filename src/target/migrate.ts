import type { Knex } from 'knex';
import * as engineTables from './migrations/001-engine-tables.js';

export type SchemaStep = readonly [
  name: string,
  module: { up(db: Knex): Promise<void>; down(db: Knex): Promise<void> },
];

/** In code rather than a directory scan, so migrations work the same under tsx, a bundle or a compiled build. */
function sourceOf(steps: readonly SchemaStep[]): Knex.MigrationSource<string> {
  return {
    getMigrations: async () => steps.map(([name]) => name),
    getMigrationName: (name) => name,
    getMigration: async (name) => {
      const found = steps.find(([candidate]) => candidate === name);
      if (!found) throw new Error(`Unknown schema migration ${name}`);
      return found[1];
    },
  };
}

async function applySteps(db: Knex, tableName: string, steps: readonly SchemaStep[]): Promise<string[]> {
  const [, applied] = (await db.migrate.latest({ migrationSource: sourceOf(steps), tableName })) as [
    number,
    string[],
  ];
  return applied;
}

export const MIGRATIONS_TABLE = 'ferry_schema_migrations';

/** Brings ferry's tables up to date; safe to call at every start and from several processes at once. */
export function migrateToLatest(db: Knex): Promise<string[]> {
  return applySteps(db, MIGRATIONS_TABLE, [['001-engine-tables', engineTables]]);
}

/** Brings one migration's target tables up to date, versioned apart from ferry's own tables. */
export function migrateTarget(db: Knex, migration: string, steps: readonly SchemaStep[]): Promise<void> {
  return applySteps(db, `ferry_target_${migration.replace(/[^a-z0-9]/g, '_')}`, steps).then(() => undefined);
}

export async function appliedMigrations(db: Knex): Promise<string[]> {
  const rows = await db(MIGRATIONS_TABLE).select('name').orderBy('id');
  return rows.map((row: { name: string }) => row.name);
}
