import { printResult } from '../output.js';
import { runningHandle } from '../run-handle.js';
import { withClient } from '../temporal.js';

export async function runCancel(workflowId: string, options: { json: boolean }): Promise<void> {
  await withClient(async (client) => {
    const handle = await runningHandle(client, workflowId);
    await handle.cancel();
    printResult(
      options.json,
      { workflowId, cancelRequested: true },
      () => `cancel requested for ${workflowId}`,
    );
  });
}
