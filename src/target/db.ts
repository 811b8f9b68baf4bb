import knex, { type Knex } from 'knex';
import { describeCause, FerryError, redactUrl } from '../errors.js';

export function createDb(databaseUrl: string, poolMax = 10): Knex {
  return knex({ client: 'pg', connection: databaseUrl, pool: { min: 0, max: poolMax } });
}

/** Opens a pool and proves it works, so a bad DATABASE_URL fails at once with a message that names it. */
export async function connectDb(databaseUrl: string, poolMax = 10): Promise<Knex> {
  const db = createDb(databaseUrl, poolMax);
  try {
    await db.raw('select 1');
    return db;
  } catch (error) {
    await db.destroy();
    throw new FerryError(
      `Cannot connect to PostgreSQL at ${redactUrl(databaseUrl)} (${describeCause(error)}); check DATABASE_URL`,
    );
  }
}
