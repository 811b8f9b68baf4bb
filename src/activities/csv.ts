import { type CsvTableDeclaration, csvTable } from '../kit/csv/declaration.js';
import { type CsvChunkResult, loadCsvChunk } from '../kit/csv/load.js';
import { prepareCsvTable } from '../kit/csv/prepare.js';
import type { ActivityDeps } from './deps.js';
import { beating } from './heartbeat.js';

export interface CsvChunkInput {
  file: string;
  target: CsvTableDeclaration;
  /** The load's run: its checkpoint and dead letters are kept under it. */
  runId: string;
  chunkLines: number;
}

export function createCsvActivities(deps: ActivityDeps) {
  return {
    /** The next chunk of a CSV file into its table (created on the first chunk), checkpointed with it. */
    loadCsvChunk: (input: CsvChunkInput): Promise<CsvChunkResult> =>
      beating(async () => {
        const target = csvTable(input.target);
        await prepareCsvTable(deps.db, target);
        return loadCsvChunk(deps.db, {
          file: input.file,
          table: target,
          runId: input.runId,
          maxRecords: input.chunkLines,
        });
      }),
  };
}
