import { loadConfig } from '../../config.js';
import { FerryError } from '../../errors.js';
import { printResult } from '../output.js';
import { connectClient } from '../temporal.js';

export async function runCancel(workflowId: string, options: { json: boolean }): Promise<void> {
  const config = await loadConfig();
  const client = await connectClient(config);
  try {
    const handle = client.workflow.getHandle(workflowId);
    const description = await handle.describe().catch(() => undefined);
    if (!description) throw new FerryError(`No run with id ${workflowId}`);
    if (description.status.name !== 'RUNNING') {
      throw new FerryError(
        `Run ${workflowId} is not running (it is ${description.status.name.toLowerCase()})`,
      );
    }
    await handle.cancel();
    printResult(
      options.json,
      { workflowId, cancelRequested: true },
      () => `cancel requested for ${workflowId}`,
    );
  } finally {
    await client.connection.close();
  }
}
