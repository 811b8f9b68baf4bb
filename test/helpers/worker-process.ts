import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import { inject } from 'vitest';
import { connectionEnv } from '../../src/config.js';
import type { SourceConnection } from '../../src/connectors/connection.js';
import { progressQuery } from '../../src/workflows/messages.js';
import { FERRY_BIN } from './run-cli.js';

/** Real `ferry worker` processes for one test file, configured only through their environment, as in production. */
export class WorkerProcesses {
  private readonly started: ChildProcess[] = [];

  constructor(
    private readonly options: {
      databaseUrl: () => string;
      taskQueue: string;
      connections: () => Record<string, SourceConnection>;
    },
  ) {}

  /**
   * `nodeArgs`, `args` and `env` go to that one process (a preloaded module, worker flags, a variable); `bin`
   * and `cwd` run another installation of ferry from another directory (a team's project).
   */
  spawn(
    extra: {
      nodeArgs?: string[];
      args?: string[];
      env?: Record<string, string>;
      bin?: string;
      cwd?: string;
    } = {},
  ): ChildProcess {
    const connections = Object.entries(this.options.connections()).map(([name, connection]) =>
      connectionEnv(name, connection),
    );
    const child = spawn(
      process.execPath,
      [...(extra.nodeArgs ?? []), extra.bin ?? FERRY_BIN, 'worker', ...(extra.args ?? [])],
      {
        cwd: extra.cwd,
        env: {
          ...process.env,
          TEMPORAL_ADDRESS: inject('temporalAddress'),
          DATABASE_URL: this.options.databaseUrl(),
          FERRY_TASK_QUEUE: this.options.taskQueue,
          FERRY_HOME: '/nonexistent-ferry-home',
          // A test's own variables win (TEMPORAL_ADDRESS empty: the address of a Temporal profile).
          ...extra.env,
          ...Object.assign({}, ...connections),
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    this.started.push(child);
    return child;
  }

  killAll(): void {
    for (const child of this.started) child.kill('SIGKILL');
  }
}

/** SIGKILLs a worker once the backfill has fetched `records` (a good part, not all), and waits for it to exit. */
export async function killWhenFetched(worker: ChildProcess, backfill: WorkflowHandle, records: number) {
  for (;;) {
    const progress = await backfill.query(progressQuery).catch(() => undefined);
    if (progress && progress.records.fetched >= records) break;
    await sleep(200);
  }
  worker.kill('SIGKILL');
  await once(worker, 'exit');
}
