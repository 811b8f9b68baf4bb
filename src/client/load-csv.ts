import { dirname, resolve } from 'node:path';
import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { csvLoadSchema, csvTable } from '../kit/csv/declaration.js';
import { checkCsvFile } from '../kit/csv/load.js';
import type { loadCsv } from '../workflows/load-csv.js';
import { parseDeclaration } from './declaration.js';

/** A CSV load's workflow id: the table, and when, so `ferry list` and the Web UI show the latest first. */
export const csvLoadRunId = (table: string) => `ferry/csv/${table}/${new Date().toISOString()}`;

/** History events a load's run holds before it continues as new (about 6 a chunk). */
const MAX_HISTORY_EVENTS = 5_000;

/**
 * A load declaration checked as far as can be without Temporal: its shape, then the file (there, and its header
 * has every column read). A relative path is taken from `base` (the declaration file's folder) and made absolute,
 * as the worker may run elsewhere.
 */
export async function prepareCsvLoad(declaration: unknown, base = process.cwd()) {
  const parsed = parseDeclaration(csvLoadSchema, declaration, 'CSV load declaration');
  const file = resolve(base, parsed.file);
  await checkCsvFile(file, csvTable(parsed.target));
  return { ...parsed, file };
}

/** The folder a declaration file's relative paths are taken from. */
export const declarationBase = (configFile: string) => dirname(resolve(configFile));

export function startCsvLoad(
  client: Client,
  taskQueue: string,
  load: Awaited<ReturnType<typeof prepareCsvLoad>>,
  options: { id?: string; maxHistoryEvents?: number } = {},
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof loadCsv>> {
  return client.workflow.start('loadCsv', {
    taskQueue,
    workflowId: options.id ?? csvLoadRunId(load.target.table),
    args: [{ ...load, maxHistoryEvents: options.maxHistoryEvents ?? MAX_HISTORY_EVENTS }],
  });
}
