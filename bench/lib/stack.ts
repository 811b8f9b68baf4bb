import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startEmbeddedPostgres } from '../../src/sandbox/postgres.js';
import { resolveTemporalCli } from '../../src/sandbox/temporal-cli.js';
import { startTemporalDevServer } from '../../src/sandbox/temporal-server.js';
import { createDb } from '../../src/target/db.js';
import { upgradeEngineSchema } from '../../src/target/schema.js';

/** What a bench runs on: a fresh embedded PostgreSQL, a Temporal dev server and a client, in a temporary home. */
export async function startBenchStack(name: string) {
  const home = await mkdtemp(join(tmpdir(), `ferry-bench-${name}-`));
  await chmod(home, 0o755);
  const postgres = await startEmbeddedPostgres({ dataDir: join(home, 'postgres'), fresh: true });
  const temporal = await startTemporalDevServer({ cli: await resolveTemporalCli() });
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection, namespace: temporal.namespace });
  return {
    client,
    databaseUrl: postgres.databaseUrl,
    /** A database of its own, with ferry's tables: each run of a bench starts empty. */
    async createDatabase(database: string): Promise<string> {
      const admin = createDb(postgres.databaseUrl, 1);
      await admin.raw(`create database ${database}`);
      await admin.destroy();
      const url = postgres.databaseUrl.replace(/\/ferry$/, `/${database}`);
      const db = createDb(url, 3);
      await upgradeEngineSchema(db);
      await db.destroy();
      return url;
    },
    /** `ferry worker` processes, started as an operator would, with the given connection variables. */
    startWorkers(
      count: number,
      options: { databaseUrl: string; taskQueue: string; env: Record<string, string>; nodeArgs?: string[] },
    ) {
      const workers: ChildProcess[] = Array.from({ length: count }, () =>
        spawn(process.execPath, [...(options.nodeArgs ?? []), 'bin/ferry.js', 'worker'], {
          env: {
            ...process.env,
            TEMPORAL_ADDRESS: temporal.address,
            DATABASE_URL: options.databaseUrl,
            FERRY_TASK_QUEUE: options.taskQueue,
            FERRY_HOME: join(home, 'none'),
            ...options.env,
          },
          stdio: ['ignore', 'ignore', 'inherit'],
        }),
      );
      const stop = async () => {
        for (const worker of workers) worker.kill('SIGTERM');
        await Promise.all(workers.map((worker) => once(worker, 'exit')));
      };
      // The processes too, for what a bench reads of them (peak RSS).
      return Object.assign(stop, { processes: workers });
    },
    /** Waits until a worker polls the task queue: a clock started earlier would time the worker's start. */
    async workersPolling(taskQueue: string): Promise<void> {
      for (;;) {
        const queue = await client.workflowService.describeTaskQueue({
          namespace: temporal.namespace,
          taskQueue: { name: taskQueue },
        });
        if ((queue.pollers ?? []).length > 0) return;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
    async stop() {
      await connection.close();
      await temporal.stop();
      await postgres.stop();
      await rm(home, { recursive: true, force: true });
    },
  };
}
