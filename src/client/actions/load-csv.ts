import { stat } from 'node:fs/promises';
import { csvTable } from '../../kit/csv/declaration.js';
import { csvLoadName } from '../../kit/csv/load.js';
import { prepareCsvTable } from '../../kit/csv/prepare.js';
import { type CsvLoadProgress, csvLoadProgressQuery } from '../../workflows/load-csv-messages.js';
import { withDatabase } from '../database.js';
import { followToEnd } from '../follow.js';
import { declarationBase, prepareCsvLoad, startCsvLoad } from '../load-csv.js';
import { printResult } from '../output.js';
import { readPlanFile } from '../plan-file.js';
import { withClient } from '../temporal.js';

function describeLoad(progress: CsvLoadProgress, size: number): string {
  const share = size > 0 ? ` (${Math.floor((100 * progress.offset) / size)}% of the file)` : '';
  const state = progress.done ? 'done' : progress.paused ? 'paused' : 'loading';
  return `${state}: ${progress.loaded} lines loaded${share}, ${progress.refused} dead-lettered, ${progress.written} rows written`;
}

export async function runLoadCsv(options: {
  config: string;
  file?: string;
  id?: string;
  wait: boolean;
  json: boolean;
}): Promise<void> {
  const declared = (await readPlanFile(options.config)) as Record<string, unknown>;
  const load = await prepareCsvLoad(
    { ...declared, ...(options.file ? { file: options.file } : {}) },
    // A --file is the caller's path; a declared one is the declaration's.
    options.file ? process.cwd() : declarationBase(options.config),
  );
  // The table is made (or checked) before the run starts, so a mismatch is told here and not by a failed run.
  await withDatabase((db) => prepareCsvTable(db, csvTable(load.target)));
  const { size } = await stat(load.file);
  await withClient(async (client, config) => {
    const handle = await startCsvLoad(client, config.taskQueue, load, {
      ...(options.id ? { id: options.id } : {}),
    });
    if (!options.wait) {
      printResult(options.json, { runId: handle.workflowId }, () => handle.workflowId);
      return;
    }
    const progress = await followToEnd(handle, async () =>
      describeLoad(await handle.query(csvLoadProgressQuery), size),
    );
    printResult(options.json, { runId: handle.workflowId, ...progress }, () =>
      [
        `${handle.workflowId}: ${progress.loaded} lines of ${load.file} loaded into ${progress.table} (${progress.written} rows inserted or changed) in ${progress.chunks} chunks`,
        progress.refused > 0
          ? `${progress.refused} line${progress.refused === 1 ? '' : 's'} dead-lettered, each with its line number and reason: ferry dlq list --migration ${csvLoadName(csvTable(load.target))} --run ${handle.workflowId}`
          : 'no line was refused',
      ].join('\n'),
    );
  });
}
