import { loadConfig } from '../../config.js';
import { printResult } from '../output.js';
import { readRunStatus, summarize } from '../run-status.js';
import { connectClient } from '../temporal.js';
import { watchRun } from '../watch.js';

export async function runStatus(
  workflowId: string,
  options: { watch: boolean; json: boolean },
): Promise<void> {
  const config = await loadConfig();
  const client = await connectClient(config);
  try {
    const status = options.watch
      ? await watchRun(client, workflowId)
      : await readRunStatus(client, workflowId);
    printResult(options.json, status, () => summarize(status));
    if (options.watch && status.state !== 'completed') process.exitCode = 1;
  } finally {
    await client.connection.close();
  }
}
