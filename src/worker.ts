import { type NativeConnection, Worker } from '@temporalio/worker';
import { type ActivityDeps, createActivities } from './activities/index.js';
import { limitHeapGrowth } from './heap-growth.js';
import { cachedWorkflowBundle, WORKFLOWS_PATH } from './workflow-bundle.js';

export interface FerryWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
}

/** A worker that runs every ferry workflow and activity on one task queue. */
export async function createFerryWorker(options: FerryWorkerOptions): Promise<Worker> {
  limitHeapGrowth();
  const bundle = await cachedWorkflowBundle();
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(bundle ? { workflowBundle: bundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities(options.deps),
  });
}
