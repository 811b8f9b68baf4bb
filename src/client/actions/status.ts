import type { Client } from '@temporalio/client';
import { FerryError } from '../../errors.js';
import { getMigration, migrationNames } from '../../migrations/registry.js';
import { withDatabase } from '../database.js';
import { note, printResult } from '../output.js';
import { backfillInputOf } from '../run-handle.js';
import { type RunStatus, readRunStatus, summarize } from '../run-status.js';
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
    const summary = await summaryOf(client, status);
    printResult(options.json, summary ? { ...status, summary: summary.json } : status, () =>
      [summarize(status), ...(summary?.lines ?? [])].join('\n'),
    );
    if (options.watch && status.state !== 'completed') process.exitCode = 1;
  });
}

/**
 * What a finished run of a migration that reports on its runs did (a field migration: per field, with
 * examples), from the target database; nothing for other runs, or when no database is configured here.
 */
async function summaryOf(client: Client, status: RunStatus) {
  const name = status.migration;
  if (status.state !== 'completed' || !name || !migrationNames().includes(name)) return undefined;
  if (!getMigration(name).summarizeRun) return undefined;
  const { input, firstExecutionRunId } = await backfillInputOf(
    client,
    status.workflowId,
    'it has no summary',
  );
  const summarizeRun = getMigration(name, input.options).summarizeRun;
  if (!summarizeRun) return undefined;
  try {
    return await withDatabase((db) => summarizeRun(db, firstExecutionRunId));
  } catch (error) {
    if (!(error instanceof FerryError)) throw error;
    note(`(no summary of what the run wrote: ${error.message})`);
    return undefined;
  }
}
