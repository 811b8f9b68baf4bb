import { resolveBackfill, startResolvedBackfill } from '../backfill.js';
import { note, printResult } from '../output.js';
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
  verifySample?: number;
  watch: boolean;
  json: boolean;
}

export async function runStart(migration: string, options: StartOptions): Promise<void> {
  const { watch, json, rate, ...backfillOptions } = options;
  // Bad input is named before Temporal is contacted.
  const backfill = resolveBackfill({ migration, ...backfillOptions, requestsPerMinute: rate });
  await withClient(async (client, config) => {
    const handle = await startResolvedBackfill(client, config.taskQueue, backfill);
    if (!watch) {
      printResult(json, { workflowId: handle.workflowId }, () => handle.workflowId);
      return;
    }
    note(`started ${handle.workflowId}`);
    const status = await watchRun(client, handle.workflowId);
    printResult(json, status, () => summarize(status));
    if (status.state !== 'completed') process.exitCode = 1;
  });
}
