import { hostname } from 'node:os';
import { Client } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import type { DatabaseCheck } from './activities/index.js';
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
}

/**
 * A worker's first workflow, run on itself as soon as it polls: it proves that the worker runs workflows and
 * activities against its database, and it pays once, before any run, what a run's first steps would otherwise pay
 * (the workflow sandbox's first activation, the first activity, V8 compiling both): about 0.2 s on the bench
 * machine, a third of a 5,000-order store's first load. Started eagerly, so that the server hands its first task
 * to this worker through the shared connection rather than to another worker of the queue.
 */
export async function checkWorker(options: WorkerCheckOptions): Promise<WorkerCheck> {
  const client = new Client({ connection: options.connection, namespace: options.namespace });
  const started = performance.now();
  const result: StackCheckResult = await client.workflow.execute('stackCheck', {
    taskQueue: options.taskQueue,
    workflowId: `ferry/worker-check/${options.taskQueue}/${hostname()}/${process.pid}/${new Date().toISOString()}`,
    args: [{}],
    requestEagerStart: true,
    workflowExecutionTimeout: '1 minute',
  });
  return { ms: Math.round(performance.now() - started), database: result.database };
}
