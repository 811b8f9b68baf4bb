import { hostname } from 'node:os';
import { Client } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import type { DatabaseCheck } from './activities/index.js';
import { describeCause } from './errors.js';
import { logger } from './logger.js';
import type { StackCheckResult } from './workflows/stack-check.js';

export interface WorkerCheckOptions {
  /** The worker's own connection: an eager start needs the client and the worker to share it. */
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
}

export interface WorkerCheck {
  /** From the start of the check to its result. */
  ms: number;
  database: DatabaseCheck;
  /**
   * Whether the server handed the first task to this worker. A server without `system.enableEagerWorkflowStart`
   * (or a worker with no free slot) puts it on the task queue, where any worker of the queue may run it.
   */
  eagerlyStarted: boolean;
}

/**
 * A worker's first workflow, run on itself as soon as it polls: it proves that the worker runs workflows and
 * activities against its database, and it pays once, before any run, what a run's first steps would otherwise pay
 * (the workflow sandbox's first activation, the first activity, V8 compiling both): a run's first workflow task
 * took 41 ms instead of 164 on the bench machine, and a first 5,000-order load 0.91 × the seconds. Started eagerly, so that the server hands its first task
 * to this worker through the shared connection rather than to another worker of the queue.
 */
export async function checkWorker(options: WorkerCheckOptions): Promise<WorkerCheck> {
  const client = new Client({ connection: options.connection, namespace: options.namespace });
  const started = performance.now();
  const handle = await client.workflow.start('stackCheck', {
    taskQueue: options.taskQueue,
    workflowId: `ferry/worker-check/${options.taskQueue}/${hostname()}/${process.pid}/${new Date().toISOString()}`,
    args: [{}],
    requestEagerStart: true,
    workflowExecutionTimeout: '1 minute',
  });
  const result: StackCheckResult = await handle.result();
  return {
    ms: Math.round(performance.now() - started),
    database: result.database,
    eagerlyStarted: handle.eagerlyStarted,
  };
}

/**
 * Runs the check and says how it went on stderr, `who` naming the process: a check that fails is a warning (the
 * worker goes on polling), and one cut short by the worker's own shutdown says nothing.
 */
export async function reportWorkerCheck(
  who: string,
  options: WorkerCheckOptions,
  stopping: () => boolean,
): Promise<void> {
  try {
    const check = await checkWorker(options);
    const where = check.eagerlyStarted
      ? ''
      : ' (through the task queue, perhaps on another worker: the server did not start it eagerly; see system.enableEagerWorkflowStart in docs/production.md)';
    process.stderr.write(
      `${who}: ready, ran a workflow and an activity on PostgreSQL ${check.database.serverVersion} in ${check.ms} ms${where}\n`,
    );
  } catch (error) {
    if (!stopping()) logger.warn(`${who}: its first workflow did not complete (${describeCause(error)})`);
  }
}
