import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { describeCause, FerryError } from '../errors.js';
import { FERRY_SEARCH_ATTRIBUTES } from '../search-attributes.js';
import { portOrFree } from './ports.js';
import type { TemporalCli } from './temporal-cli.js';

export interface TemporalDevServerOptions {
  cli: TemporalCli;
  /** 0 picks a free port. */
  port?: number;
  uiPort?: number;
  /** SQLite file that keeps workflow history across restarts; in memory when absent. */
  dbFilename?: string;
  namespace?: string;
  /** Register ferry's search attributes at start (default true). */
  searchAttributes?: boolean;
}

export interface TemporalDevServer {
  address: string;
  uiUrl: string;
  namespace: string;
  stop(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 60_000;

/**
 * The dev server's dynamic config, for the latency of each step of a run (a small backfill is mostly steps):
 * - an activity scheduled by a workflow task goes straight back to the worker that completed the task (eager
 *   execution), instead of a trip through the task queue;
 * - a workflow started with requestEagerStart gets its first task back on the starter's own connection: a worker's
 *   first workflow (src/worker-check.ts) runs on that worker, not on another of its queue;
 * - the dev server has one history shard, and every step (a task dispatched, a child started, a signal) passes its
 *   transfer queue, which the server reads at most 20 times a second by default: each step then waited up to 50 ms.
 * With both, a 5,000-order backfill's first chunk starts about 90 ms after the run instead of about 280 ms.
 * docker-compose.yml gives its server the same (deploy/temporal-dynamic-config.yaml, held equal by a test).
 */
export const DEV_SERVER_DYNAMIC_CONFIG = {
  'system.enableActivityEagerExecution': true,
  'system.enableEagerWorkflowStart': true,
  'history.transferProcessorMaxPollRPS': 1000,
} as const;

function devServerArgs(
  port: number,
  uiPort: number,
  namespace: string,
  options: TemporalDevServerOptions,
): string[] {
  const searchAttributes = options.searchAttributes === false ? [] : FERRY_SEARCH_ATTRIBUTES;
  return [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--ui-port',
    String(uiPort),
    '--namespace',
    namespace,
    '--log-format',
    'json',
    '--log-level',
    'error',
    ...Object.entries(DEV_SERVER_DYNAMIC_CONFIG).flatMap(([key, value]) => [
      '--dynamic-config-value',
      `${key}=${JSON.stringify(value)}`,
    ]),
    ...searchAttributes.flatMap((key) => [
      '--search-attribute',
      `${key.name}=${TypedSearchAttributes.toMetadataType(key.type)}`,
    ]),
    ...(options.dbFilename ? ['--db-filename', options.dbFilename] : []),
  ];
}

async function waitUntilServing(
  address: string,
  namespace: string,
  child: ChildProcess,
  output: () => string,
) {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`it exited with ${child.exitCode ?? child.signalCode}: ${output() || 'no output'}`);
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: '1 second' });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      lastError = error;
      await sleep(200);
    }
  }
  throw new Error(`it did not answer within ${STARTUP_TIMEOUT_MS / 1000} s (${describeCause(lastError)})`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Runs the Temporal CLI's dev server as our own child, so its banner stays off our stdout. */
async function startFromBinary(path: string, options: TemporalDevServerOptions): Promise<TemporalDevServer> {
  const port = await portOrFree(options.port ?? 0);
  const uiPort = await portOrFree(options.uiPort ?? 0);
  const namespace = options.namespace ?? 'default';
  const address = `127.0.0.1:${port}`;
  const child = spawn(path, devServerArgs(port, uiPort, namespace, options), {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let recent = '';
  const keep = (chunk: Buffer) => {
    recent = (recent + chunk.toString('utf8')).slice(-2000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('error', keep);
  try {
    await waitUntilServing(address, namespace, child, () => recent.trim().split('\n').slice(-2).join(' | '));
  } catch (error) {
    await stopChild(child);
    throw new FerryError(
      `Could not start the Temporal dev server ${path} on ${address}: ${describeCause(error)}`,
    );
  }
  return { address, uiUrl: `http://127.0.0.1:${uiPort}`, namespace, stop: () => stopChild(child) };
}

/** Without a binary or Go, the SDK downloads the dev server itself (needs internet). */
async function startFromSdkDownload(options: TemporalDevServerOptions): Promise<TemporalDevServer> {
  const uiPort = await portOrFree(options.uiPort ?? 0);
  const namespace = options.namespace ?? 'default';
  try {
    const environment = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'cached-download' },
        ip: '127.0.0.1',
        port: options.port || undefined,
        ui: true,
        uiPort,
        dbFilename: options.dbFilename,
        namespace,
        searchAttributes: options.searchAttributes === false ? [] : FERRY_SEARCH_ATTRIBUTES,
      },
    });
    return {
      address: environment.address,
      uiUrl: `http://127.0.0.1:${uiPort}`,
      namespace,
      stop: () => environment.teardown(),
    };
  } catch (error) {
    throw new FerryError(
      'No Temporal CLI found (TEMPORAL_CLI_PATH, PATH, Go bin directory), Go is not installed to build one, ' +
        `and the Temporal SDK could not download its dev server (${describeCause(error)}); install Go or the Temporal CLI`,
    );
  }
}

/** Starts Temporal's dev server (SQLite persistence, Web UI) with ferry's search attributes registered. */
export function startTemporalDevServer(options: TemporalDevServerOptions): Promise<TemporalDevServer> {
  return options.cli.kind === 'path'
    ? startFromBinary(options.cli.path, options)
    : startFromSdkDownload(options);
}
