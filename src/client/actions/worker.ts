import { setTimeout as sleep } from 'node:timers/promises';
import type { Knex } from 'knex';
import { loadConfig, requireDatabaseUrl, resolveSourceConnection } from '../../config.js';
import { describeCause } from '../../errors.js';
import { dbConnectFailure, isPermanentDbFailure, openDb } from '../../target/db.js';
import { upgradeEngineSchema } from '../../target/schema.js';
import { installTemporalRuntime } from '../../temporal-runtime.js';
import { createFerryWorker } from '../../worker.js';
import { reportWorkerCheck } from '../../worker-check.js';
import { startHealthServer } from '../health.js';
import { note } from '../output.js';
import { awaitWorkerConnection } from '../temporal.js';
import { waitFor } from '../wait.js';

export async function runWorker(options: {
  wait: number;
  metrics?: string;
  health?: string;
  grace: number;
}): Promise<void> {
  // Before any connection: the runtime's exporter is fixed when it is installed.
  installTemporalRuntime({
    ...process.env,
    ...(options.metrics ? { FERRY_METRICS_ADDRESS: options.metrics } : {}),
  });
  const config = await loadConfig();
  const waitMs = options.wait * 1000;
  // The SDK's signal handling starts with a worker; until there is one, SIGTERM or Ctrl-C ends the waiting.
  const stopping = new AbortController();
  const stop = () => stopping.abort();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, stop);
  let state = 'STARTING';
  const healthAddress = options.health ?? process.env.FERRY_HEALTH_ADDRESS;
  const health = healthAddress
    ? await startHealthServer(healthAddress, async () => {
        // Waiting for Temporal or PostgreSQL is alive, not failed: a probe must not restart a worker for it.
        if (state !== 'RUNNING') return { ok: state === 'STARTING', worker: state };
        const database = await Promise.race([
          db.raw('select 1').then(
            () => 'ok',
            (error: unknown) => describeCause(error),
          ),
          // A busy pool answers late; a probe's answer must not wait for a connection.
          sleep(2_000).then(() => 'no connection free within 2 s (busy)'),
        ]);
        // Busy is alive; a database that refuses is not.
        return {
          ok: database === 'ok' || database.startsWith('no connection free'),
          worker: state,
          database,
        };
      })
    : undefined;
  const databaseUrl = requireDatabaseUrl(config);
  let db: Knex;
  try {
    db = await waitFor('PostgreSQL', waitMs, () => openDb(databaseUrl), {
      permanent: isPermanentDbFailure,
      failure: (error) => dbConnectFailure(databaseUrl, error),
      signal: stopping.signal,
    });
  } catch (error) {
    health?.close();
    throw error;
  }
  try {
    await upgradeEngineSchema(db);
    const connection = await awaitWorkerConnection(config, waitMs, stopping.signal);
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.off(signal, stop);
    const worker = await createFerryWorker({
      connection,
      namespace: config.namespace,
      taskQueue: config.taskQueue,
      shutdownGraceSeconds: options.grace,
      deps: { db, resolveConnection: (name) => resolveSourceConnection(name, process.env, config.devState) },
    });
    state = 'RUNNING';
    // The SDK shuts the worker down gracefully on SIGINT/SIGTERM; run() resolves once in-flight work is done.
    const running = worker.run();
    note(
      `ferry worker: polling task queue "${config.taskQueue}" on ${config.temporalAddress}; Ctrl-C stops it`,
    );
    void reportWorkerCheck(
      'ferry worker',
      { connection, namespace: config.namespace, taskQueue: config.taskQueue },
      () => worker.getState() !== 'RUNNING',
    );
    try {
      await running;
    } finally {
      state = 'STOPPED';
    }
    await connection.close();
  } finally {
    health?.close();
    await db.destroy();
  }
}
