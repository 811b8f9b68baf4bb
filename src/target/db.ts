import knex, { type Knex } from 'knex';
import { describeCause, FerryError, redactUrl } from '../errors.js';
import { logger } from '../logger.js';

export function createDb(databaseUrl: string, poolMax = 10): Knex {
  return knex({
    client: 'pg',
    connection: databaseUrl,
    pool: { min: 0, max: poolMax },
    // Knex prints pool errors to the console; ferry reports them itself, once, as a FerryError.
    log: {
      warn: (message: unknown) =>
        // A refused connection is reported by connectDb as one clear error; knex's own copy is noise.
        String(message).startsWith('Acquire connection error')
          ? logger.debug({ component: 'knex' }, String(message))
          : logger.warn({ component: 'knex' }, String(message)),
      error: (message: unknown) => logger.debug({ component: 'knex' }, String(message)),
      deprecate: (message: unknown) => logger.debug({ component: 'knex' }, String(message)),
      debug: (message: unknown) => logger.debug({ component: 'knex' }, String(message)),
    },
  });
}

/** Opens a pool and proves it works; the driver's error as it came (see connectDb for the worded one). */
export async function openDb(databaseUrl: string, poolMax = 10): Promise<Knex> {
  const db = createDb(databaseUrl, poolMax);
  try {
    await db.raw('select 1');
    return db;
  } catch (error) {
    await db.destroy();
    throw error;
  }
}

/** A connection failure worded for the user: the address without its password, and what to check. */
export const dbConnectFailure = (databaseUrl: string, error: unknown) =>
  new FerryError(
    `Cannot connect to PostgreSQL at ${redactUrl(databaseUrl)} (${describeCause(error)}); check DATABASE_URL`,
  );

/**
 * What waiting cannot mend: a refused password or role (28), a database that does not exist (3D). A refused or
 * reset connection (the server restarting), a host name not resolved yet (its container being made) are worth
 * waiting for.
 */
export function isPermanentDbFailure(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('28') || code.startsWith('3D'));
}

/** Opens a pool and proves it works, so a bad DATABASE_URL fails at once with a message that names it. */
export async function connectDb(databaseUrl: string, poolMax = 10): Promise<Knex> {
  try {
    return await openDb(databaseUrl, poolMax);
  } catch (error) {
    throw dbConnectFailure(databaseUrl, error);
  }
}
