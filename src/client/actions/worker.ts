import { loadConfig, requireDatabaseUrl, resolveSourceConnection } from '../../config.js';
import { describeCause } from '../../errors.js';
import { dbConnectFailure, isPermanentDbFailure, openDb } from '../../target/db.js';
import { upgradeEngineSchema } from '../../target/schema.js';
import { installTemporalRuntime } from '../../temporal-runtime.js';
import { createFerryWorker } from '../../worker.js';
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
  const databaseUrl = requireDatabaseUrl(config);
  const db = await waitFor('PostgreSQL', waitMs, () => openDb(databaseUrl), {
    permanent: isPermanentDbFailure,
    failure: (error) => dbConnectFailure(databaseUrl, error),
  });
  try {
    await upgradeEngineSchema(db);
    const connection = await awaitWorkerConnection(config, waitMs);
    const worker = await createFerryWorker({
      connection,
      namespace: config.namespace,
      taskQueue: config.taskQueue,
      shutdownGraceSeconds: options.grace,
      deps: { db, resolveConnection: (name) => resolveSourceConnection(name, process.env, config.devState) },
    });
    const healthAddress = options.health ?? process.env.FERRY_HEALTH_ADDRESS;
    const health = healthAddress
      ? await startHealthServer(healthAddress, async () => {
          const state = worker.getState();
          const database = await db.raw('select 1').then(
            () => 'ok',
            (error: unknown) => describeCause(error),
          );
          return { ok: state === 'RUNNING' && database === 'ok', worker: state, database };
        })
      : undefined;
    note(
      `ferry worker: polling task queue "${config.taskQueue}" on ${config.temporalAddress}; Ctrl-C stops it`,
    );
    try {
      // The SDK shuts the worker down gracefully on SIGINT/SIGTERM; run() resolves once in-flight work is done.
      await worker.run();
    } finally {
      health?.close();
    }
    await connection.close();
  } finally {
    await db.destroy();
  }
}
