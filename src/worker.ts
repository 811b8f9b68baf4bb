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
}

/** A worker that runs every ferry workflow and activity on one task queue. */
export async function createFerryWorker(options: FerryWorkerOptions): Promise<Worker> {
  limitHeapGrowth();
  registerMigrations(
    (options.migrations ?? []).map((migration) => ({ migration, from: 'createFerryWorker' })),
  );
  const bundle = await cachedWorkflowBundle();
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(bundle ? { workflowBundle: bundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities(options.deps),
  });
}
