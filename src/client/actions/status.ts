import { printResult } from '../output.js';
import { readRunStatus, summarize } from '../run-status.js';
import { withClient } from '../temporal.js';
import { watchRun } from '../watch.js';

export async function runStatus(
  workflowId: string,
  options: { watch: boolean; json: boolean },
): Promise<void> {
  await withClient(async (client) => {
    const status = options.watch
      ? await watchRun(client, workflowId)
      : await readRunStatus(client, workflowId);
    printResult(options.json, status, () => summarize(status));
    if (options.watch && status.state !== 'completed') process.exitCode = 1;
  });
}
