import { startBackfill } from '../backfill.js';
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
  await withClient(async (client, config) => {
    const { watch, json, rate, ...backfillOptions } = options;
    const handle = await startBackfill(client, config.taskQueue, {
      migration,
      ...backfillOptions,
      requestsPerMinute: rate,
    });
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
