import { type NativeConnection, Worker } from '@temporalio/worker';
import { type ActivityDeps, createActivities } from './activities/index.js';
import { limitHeapGrowth } from './heap-growth.js';
import { registerMigrations } from './migrations/registry.js';
import type { Migration } from './migrations/types.js';
import { cachedWorkflowBundle, WORKFLOWS_PATH } from './workflow-bundle.js';

export interface FerryWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** Your own migrations, run besides ferry's (by name, as the CLI starts them). */
  migrations?: readonly Migration[];
  /**
   * On SIGTERM (a deploy, a scale-down) the worker stops polling and waits for what it runs. A chunk commits
   * whatever happens (it does not stop halfway); a step that stops when cancelled (a match partition, between two
   * rules) is cancelled after this long. Default 30 s; the process exits at the latest 30 s after that.
   */
  shutdownGraceSeconds?: number;
  /** How the Web UI and histories name this worker; Temporal's default is `pid@hostname`. */
  identity?: string;
}

const DEFAULT_SHUTDOWN_GRACE_SECONDS = 30;

/** A worker that runs every ferry workflow and activity on one task queue. */
export async function createFerryWorker(options: FerryWorkerOptions): Promise<Worker> {
  limitHeapGrowth();
  registerMigrations(
    (options.migrations ?? []).map((migration) => ({ migration, from: 'createFerryWorker' })),
  );
  const bundle = await cachedWorkflowBundle();
  const grace = options.shutdownGraceSeconds ?? DEFAULT_SHUTDOWN_GRACE_SECONDS;
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.identity ? { identity: options.identity } : {}),
    ...(bundle ? { workflowBundle: bundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities(options.deps),
    shutdownGraceTime: `${grace} seconds`,
    // A chunk that ignores its cancellation cannot hold the process forever.
    shutdownForceTime: `${grace + 30} seconds`,
  });
}
