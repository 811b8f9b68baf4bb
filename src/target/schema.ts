import type { Knex } from 'knex';
import type pg from 'pg';
import * as engineTables from './schema-steps/001-engine-tables.js';
import * as rateLimits from './schema-steps/002-rate-limits.js';
import * as deadLetterResolution from './schema-steps/003-dead-letter-resolution.js';
import * as apiWrites from './schema-steps/004-api-writes.js';
import * as apiCalls from './schema-steps/005-api-calls.js';
import * as csvLoads from './schema-steps/006-csv-loads.js';
import * as csvLoadChecks from './schema-steps/007-csv-load-checks.js';
import * as chunkTimings from './schema-steps/008-chunk-timings.js';
import * as chunkRetries from './schema-steps/009-chunk-retries.js';

export type SchemaStep = readonly [
  name: string,
  module: { up(db: Knex): Promise<void>; down(db: Knex): Promise<void> },
];

/** In code rather than a directory scan, so schema steps work the same under tsx, a bundle or a compiled build. */
function sourceOf(steps: readonly SchemaStep[]): Knex.MigrationSource<string> {
  return {
    getMigrations: async () => steps.map(([name]) => name),
    getMigrationName: (name) => name,
    getMigration: async (name) => {
      const found = steps.find(([candidate]) => candidate === name);
      if (!found) throw new Error(`Unknown schema step ${name}`);
      return found[1];
    },
  };
}

/**
 * Knex's migration lock lives in a table that the first run creates, and two processes creating it at once
 * collide (a worker's first backfills all prepare the target together). A PostgreSQL advisory lock, held on a
 * connection of its own while the steps run on others, orders them first.
 */
async function withSchemaLock<T>(db: Knex, body: () => Promise<T>): Promise<T> {
  const connection = (await db.client.acquireConnection()) as pg.PoolClient;
  try {
    await connection.query("select pg_advisory_lock(hashtext('ferry:schema'))");
    return await body();
  } finally {
    await connection.query("select pg_advisory_unlock(hashtext('ferry:schema'))").catch(() => undefined);
    await db.client.releaseConnection(connection);
  }
}

async function applySteps(db: Knex, tableName: string, steps: readonly SchemaStep[]): Promise<string[]> {
  const [, applied] = (await withSchemaLock(db, () =>
    db.migrate.latest({ migrationSource: sourceOf(steps), tableName }),
  )) as [number, string[]];
  return applied;
}

/** Knex's name for its bookkeeping table, kept so that databases of earlier versions keep their applied steps. */
export const ENGINE_SCHEMA_TABLE = 'ferry_schema_migrations';

/** Brings ferry's tables up to date; safe to call at every start and from several processes at once. */
export function upgradeEngineSchema(db: Knex): Promise<string[]> {
  return applySteps(db, ENGINE_SCHEMA_TABLE, [
    ['001-engine-tables', engineTables],
    ['002-rate-limits', rateLimits],
    ['003-dead-letter-resolution', deadLetterResolution],
    ['004-api-writes', apiWrites],
    ['005-api-calls', apiCalls],
    ['006-csv-loads', csvLoads],
    ['007-csv-load-checks', csvLoadChecks],
    ['008-chunk-timings', chunkTimings],
    ['009-chunk-retries', chunkRetries],
  ]);
}

/** Brings one migration's target tables up to date, versioned apart from ferry's own tables. */
export function upgradeTargetSchema(
  db: Knex,
  migration: string,
  steps: readonly SchemaStep[],
): Promise<void> {
  return applySteps(db, `ferry_target_${migration.replace(/[^a-z0-9]/g, '_')}`, steps).then(() => undefined);
}

export async function appliedSchemaSteps(db: Knex): Promise<string[]> {
  const rows = await db(ENGINE_SCHEMA_TABLE).select('name').orderBy('id');
  return rows.map((row: { name: string }) => row.name);
}
