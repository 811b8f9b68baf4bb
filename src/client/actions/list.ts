import { formatTable, printResult, utcSeconds } from '../output.js';
import { type ListedState, listRuns, type RunSummary } from '../run-list.js';
import { withClient } from '../temporal.js';

function table(runs: RunSummary[]): string {
  if (runs.length === 0) return 'no runs';
  return formatTable(
    ['ID', 'STATE', 'MIGRATION', 'STARTED (UTC)', 'CLOSED (UTC)'],
    runs.map((run) => [
      run.workflowId,
      run.state,
      run.migration ?? '-',
      utcSeconds(run.startedAt),
      run.closedAt ? utcSeconds(run.closedAt) : '-',
    ]),
  );
}

export async function runList(options: {
  migration?: string;
  status?: ListedState;
  limit: number;
  json: boolean;
}): Promise<void> {
  await withClient(async (client) => {
    const runs = await listRuns(client, {
      migration: options.migration,
      state: options.status,
      limit: options.limit,
    });
    printResult(options.json, { runs }, () => table(runs));
  });
}
