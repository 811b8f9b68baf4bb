import { loadConfig, requireDatabaseUrl, resolveSourceConnection } from '../../config.js';
import { connectDb } from '../../target/db.js';
import { upgradeEngineSchema } from '../../target/schema.js';
import { createFerryWorker } from '../../worker.js';
import { note } from '../output.js';
import { connectWorkerConnection } from '../temporal.js';

export async function runWorker(): Promise<void> {
  const config = await loadConfig();
  const db = await connectDb(requireDatabaseUrl(config));
  try {
    await upgradeEngineSchema(db);
    const connection = await connectWorkerConnection(config);
    const worker = await createFerryWorker({
      connection,
      namespace: config.namespace,
      taskQueue: config.taskQueue,
      deps: { db, resolveConnection: (name) => resolveSourceConnection(name, process.env, config.devState) },
    });
    note(
      `ferry worker: polling task queue "${config.taskQueue}" on ${config.temporalAddress}; Ctrl-C stops it`,
    );
    // The SDK shuts the worker down gracefully on SIGINT/SIGTERM; run() resolves once in-flight work is done.
    await worker.run();
    await connection.close();
  } finally {
    await db.destroy();
  }
}
