import type { Client, WorkflowHandle } from '@temporalio/client';
import { FerryError } from '../errors.js';

export function noSuchRun(workflowId: string): FerryError {
  return new FerryError(`No run with id ${workflowId}; list runs with \`ferry list\` or check the id`);
}

/** A handle on a run that is still going; anything else is refused with what the run is instead. */
export async function runningHandle(client: Client, workflowId: string): Promise<WorkflowHandle> {
  const handle = client.workflow.getHandle(workflowId);
  const description = await handle.describe().catch((error: Error) => {
    if (error.name === 'WorkflowNotFoundError') {
      throw noSuchRun(workflowId);
    }
    throw error;
  });
  if (description.status.name !== 'RUNNING') {
    throw new FerryError(`Run ${workflowId} is not running (it is ${description.status.name.toLowerCase()})`);
  }
  return handle;
}
