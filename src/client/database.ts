import type { Knex } from 'knex';
import { loadConfig, requireDatabaseUrl } from '../config.js';
import { connectDb } from '../target/db.js';
import { upgradeEngineSchema } from '../target/schema.js';

/** Runs a command's body with ferry's database, its tables up to date, closing the pool however it ends. */
export async function withDatabase<T>(body: (db: Knex) => Promise<T>): Promise<T> {
  // Two connections at least: the schema upgrade holds one for its lock while it works on another.
  const db = await connectDb(requireDatabaseUrl(await loadConfig()), 3);
  try {
    await upgradeEngineSchema(db);
    return await body(db);
  } finally {
    await db.destroy();
  }
}
