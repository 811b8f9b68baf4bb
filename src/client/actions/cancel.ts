import { loadConfig } from '../../config.js';
import { printResult } from '../output.js';
import { runningHandle } from '../run-handle.js';
import { connectClient } from '../temporal.js';

export async function runCancel(workflowId: string, options: { json: boolean }): Promise<void> {
  const config = await loadConfig();
  const client = await connectClient(config);
  try {
    const handle = await runningHandle(client, workflowId);
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
