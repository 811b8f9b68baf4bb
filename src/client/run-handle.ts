import type { Client, WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { FerryError } from '../errors.js';
import type { BackfillInput } from '../workflows/backfill.js';

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

/**
 * The options a backfill was started with, read from its history (the latest run's, after continue-as-new), and
 * its first execution's run id (what a field migration keys its ledger by). Another kind of run is refused with
 * `refusal` ("ferry verify checks backfills and migrations").
 */
export async function backfillInputOf(
  client: Client,
  workflowId: string,
  refusal: string,
): Promise<{ input: BackfillInput; firstExecutionRunId: string }> {
  const handle = client.workflow.getHandle(workflowId);
  const description = await handle.describe().catch((error: Error) => {
    throw error.name === 'WorkflowNotFoundError' ? noSuchRun(workflowId) : error;
  });
  if (description.type !== 'backfill')
    throw new FerryError(`${workflowId} is a ${description.type} run; ${refusal}`);
  const history = await handle.fetchHistory();
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  const payload = started?.input?.payloads?.[0];
  if (!payload) throw new FerryError(`Cannot read the options of ${workflowId} from its history`);
  return {
    input: defaultPayloadConverter.fromPayload<BackfillInput>(payload),
    firstExecutionRunId: started?.firstExecutionRunId || description.runId,
  };
}
