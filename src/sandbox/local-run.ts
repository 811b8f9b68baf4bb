import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { resolveSourceConnection } from '../config.js';
import { describeCause } from '../errors.js';
import { logger } from '../logger.js';
import { installTemporalRuntime } from '../temporal-runtime.js';
import { createFerryWorker } from '../worker.js';
import { checkWorker } from '../worker-check.js';
import { type DevStack, startDevStack } from './dev-stack.js';

export interface LocalRun {
  stack: DevStack;
  client: Client;
  taskQueue: string;
}

/**
 * A throwaway local stack on free ports (its own FERRY_HOME in the temp directory) with a worker in this
 * process, for as long as the body runs; everything is stopped and removed afterwards.
 */
export async function withLocalRun<T>(
  options: { orders: number; seed: number; taskQueue: string; sapOrders?: number },
  body: (run: LocalRun) => Promise<T>,
): Promise<T> {
  installTemporalRuntime();
  const home = await mkdtemp(join(tmpdir(), 'ferry-run-'));
  await chmod(home, 0o755); // embedded PostgreSQL may run as another user
  const stack = await startDevStack(
    {
      orders: options.orders,
      seed: options.seed,
      persist: false,
      temporalPort: 0,
      uiPort: 0,
      postgresPort: 0,
      emulatorPort: 0,
      sapPort: 0,
      sapOrders: options.sapOrders ?? 0,
      eboekhoudenPort: 0,
      eboekhoudenMutations: 0,
      neonPort: 0,
      neonAccounts: 0,
      rateLimitPerMinute: 0,
    },
    { ...process.env, FERRY_HOME: home },
  );
  const nativeConnection = await NativeConnection.connect({ address: stack.state.temporalAddress });
  const connection = await Connection.connect({ address: stack.state.temporalAddress });
  try {
    const worker = await createFerryWorker({
      connection: nativeConnection,
      namespace: stack.state.namespace,
      taskQueue: options.taskQueue,
      deps: { db: stack.db, resolveConnection: (name) => resolveSourceConnection(name, {}, stack.state) },
    });
    const client = new Client({ connection, namespace: stack.state.namespace });
    const workerOf = {
      connection: nativeConnection,
      namespace: stack.state.namespace,
      taskQueue: options.taskQueue,
    };
    return await worker.runUntil(async () => {
      // Warm and checked before the body's run starts; if the check fails, the body's run says why.
      await checkWorker(workerOf).catch((error: unknown) =>
        logger.debug(`the worker's own check did not complete (${describeCause(error)})`),
      );
      return body({ stack, client, taskQueue: options.taskQueue });
    });
  } finally {
    await nativeConnection.close();
    await connection.close();
    await stack.stop();
    await rm(home, { recursive: true, force: true });
  }
}
