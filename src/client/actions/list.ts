import { printResult } from '../output.js';
import { type ListedState, listRuns, type RunSummary } from '../run-list.js';
import { withClient } from '../temporal.js';

function table(runs: RunSummary[]): string {
  if (runs.length === 0) return 'no runs';
  const rows = runs.map((run) => [
    run.workflowId,
    run.state,
    run.migration ?? '-',
    run.startedAt.slice(0, 19).replace('T', ' '),
    run.closedAt?.slice(0, 19).replace('T', ' ') ?? '-',
  ]);
  const all = [['ID', 'STATE', 'MIGRATION', 'STARTED (UTC)', 'CLOSED (UTC)'], ...rows];
  const widths = all[0]?.map((_, column) => Math.max(...all.map((row) => row[column]?.length ?? 0))) ?? [];
  return all
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
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
