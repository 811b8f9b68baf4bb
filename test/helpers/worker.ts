import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { Knex } from 'knex';
import { inject } from 'vitest';
import type { SourceConnection } from '../../src/connectors/connection.js';
import { upgradeEngineSchema } from '../../src/target/schema.js';
import { createFerryWorker } from '../../src/worker.js';

export interface TestWorker {
  client: Client;
  worker: Worker;
  taskQueue: string;
  stop(): Promise<void>;
}

/**
 * A real worker on the shared dev server, on a task queue of its own, with the given source connections, started
 * the way `ferry worker` starts one.
 */
export async function startTestWorker(
  db: Knex,
  connections: Record<string, SourceConnection>,
  taskQueue = `test-${Math.random().toString(36).slice(2, 10)}`,
): Promise<TestWorker> {
  // As `ferry worker` does before it polls: ferry's own tables (watermarks, runs) exist.
  await upgradeEngineSchema(db);
  const address = inject('temporalAddress');
  const namespace = inject('temporalNamespace');
  const nativeConnection = await NativeConnection.connect({ address });
  const connection = await Connection.connect({ address });
  const worker = await createFerryWorker({
    connection: nativeConnection,
    namespace,
    taskQueue,
    deps: {
      db,
      resolveConnection: (name) => {
        const found = connections[name];
        if (!found) throw new Error(`no test connection ${name}`);
        return found;
      },
    },
  });
  const running = worker.run();
  return {
    client: new Client({ connection, namespace }),
    worker,
    taskQueue,
    stop: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await nativeConnection.close();
      await connection.close();
    },
  };
}
