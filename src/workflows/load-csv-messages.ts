import { defineQuery } from '@temporalio/workflow';
import type { CsvTableDeclaration } from '../kit/csv/declaration.js';

/** What a CSV load has done so far, over every run of its chain (continue-as-new carries it on). */
export interface CsvLoadTotals {
  chunks: number;
  loaded: number;
  refused: number;
  written: number;
  /** Where the next chunk starts: the byte after the last line read, and that line's number. */
  offset: number;
  line: number;
}

/** A CSV load's options, validated by the caller (csvLoadSchema): plain data only, never a line of the file. */
export interface CsvLoadInput {
  file: string;
  target: CsvTableDeclaration;
  chunkLines: number;
  /** Continue as new at this history length (the server's suggestion comes first). */
  maxHistoryEvents: number;
  /** Carried over by continue-as-new. */
  totals?: CsvLoadTotals;
  paused?: boolean;
}

export interface CsvLoadProgress extends CsvLoadTotals {
  file: string;
  table: string;
  paused: boolean;
  done: boolean;
}

export const csvLoadProgressQuery = defineQuery<CsvLoadProgress>('csvLoadProgress');

export const ZERO_CSV_TOTALS: CsvLoadTotals = {
  chunks: 0,
  loaded: 0,
  refused: 0,
  written: 0,
  offset: 0,
  line: 1,
};
