import type { Client } from '@temporalio/client';
import { getMigration } from '../../migrations/registry.js';
import { type ResolvedBackfill, resolveBackfill, startResolvedBackfill } from '../backfill.js';
import { withDatabase } from '../database.js';
import { note, printResult } from '../output.js';
import { readPlanFile } from '../plan-file.js';
import { summarize } from '../run-status.js';
import { withClient } from '../temporal.js';
import { watchRun } from '../watch.js';

export interface StartOptions {
  from?: string;
  to?: string;
  partitionDays?: number;
  concurrency?: number;
  rate?: number;
  pageSize?: number;
  pagesPerChunk?: number;
  connection?: string;
  id?: string;
  dryRun: boolean;
  /** A field migration's plan file (YAML or JSON). */
  plan?: string;
  apply: boolean;
  verifySample?: number;
  watch: boolean;
  json: boolean;
}

export async function runStart(migration: string, options: StartOptions): Promise<void> {
  const { watch, json, rate, plan, ...backfillOptions } = options;
  // Bad input is named before Temporal is contacted.
  const backfill = resolveBackfill({
    migration,
    ...backfillOptions,
    requestsPerMinute: rate,
    ...(plan === undefined ? {} : { options: { plan: await readPlanFile(plan) } }),
  });
  const bound = getMigration(migration, backfill.input.options);
  await withClient(async (client, config) => {
    // A migration that writes back into an API is followed to its end: its dry run is its answer.
    if (!watch && !bound.writesBack) {
      const handle = await startResolvedBackfill(client, config.taskQueue, backfill);
      printResult(json, { workflowId: handle.workflowId }, () => handle.workflowId);
      return;
    }
    const { status, summary } = await runToTheEnd(client, config.taskQueue, backfill);
    printResult(json, summary ? { ...status, summary: summary.json } : status, () =>
      [summarize(status), ...(summary?.lines ?? [])].join('\n'),
    );
    if (status.state !== 'completed') process.exitCode = 1;
  });
}

/** Starts a run, follows it with a progress bar to its end, and reads what its migration says it did. */
export async function runToTheEnd(client: Client, taskQueue: string, backfill: ResolvedBackfill) {
  const bound = getMigration(backfill.input.migration, backfill.input.options);
  const handle = await startResolvedBackfill(client, taskQueue, backfill);
  note(`started ${handle.workflowId}${backfill.input.dryRun ? ' (a dry run)' : ''}`);
  const runNote = bound.runNote?.();
  if (runNote) note(runNote);
  const status = await watchRun(client, handle.workflowId);
  const summarizeRun = bound.summarizeRun;
  const summary =
    status.state === 'completed' && summarizeRun
      ? await withDatabase((db) => summarizeRun(db, handle.firstExecutionRunId))
      : undefined;
  return { status, summary };
}
