import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Knex } from 'knex';
import { FerryError } from '../../errors.js';
import type { RejectedRecord } from '../../migrations/types.js';
import { copyLine, copyLinesInto } from '../../target/copy-text.js';
import { fileDeadLetters } from '../../target/dead-letters.js';
import { planTable, RefusedRecord } from '../records/column-plan.js';
import { type Table, writtenColumns } from '../target/table.js';
import { checkUnchanged, fingerprintOf } from './fingerprint.js';
import { type ScannedRecord, scanRecords } from './scan.js';

/**
 * A CSV file loaded into a declared table in chunks: each chunk reads on from a byte offset, turns the records
 * into rows by the table's own columns (`.from('header name')`), COPYs them into a staging table and merges them
 * on the key, files the records the columns refuse as dead letters with their line, and records where it got to,
 * all in one transaction. A load that stops (a crash, a deploy) goes on from the last committed offset, and
 * loading a file again writes only what changed.
 */
export interface CsvChunkRequest {
  file: string;
  table: Table;
  /** The run the chunk belongs to: the checkpoint's and the dead letters' key. */
  runId: string;
  /** Records per chunk. */
  maxRecords: number;
}

export interface CsvChunkResult {
  /** Records read in this chunk: loaded + refused. */
  records: number;
  loaded: number;
  refused: number;
  /** Rows inserted or changed (a record whose row already holds its values changes nothing). */
  written: number;
  offset: number;
  line: number;
  done: boolean;
  /** The load's counts so far, this chunk's included, as its checkpoint holds them. */
  total: { loaded: number; refused: number; written: number };
}

/** A column reads the field its header names, whole: a dot in a header is part of the name, not a path. */
const CSV_HEADERS = { flat: true } as const;

/** Bytes read at a time; a record longer than this makes the read grow until it fits. */
const READ_BYTES = 4 * 1024 * 1024;
/** Dead letters of CSV loads are filed under this name and the table's. */
export const csvLoadName = (table: Table) => `csv:${table.name}`;

async function readFrom(file: string, offset: number, length: number) {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const buffer = Buffer.alloc(Math.max(0, Math.min(length, size - offset)));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
    return { bytes: buffer.subarray(0, bytesRead), atEndOfFile: offset + bytesRead >= size };
  } finally {
    await handle.close();
  }
}

/** Records from `offset` on, at most `maxRecords`, reading more when one record does not fit. */
async function recordsFrom(file: string, at: { offset: number; line: number }, maxRecords: number) {
  for (let length = READ_BYTES; ; length *= 2) {
    const { bytes, atEndOfFile } = await readFrom(file, at.offset, length);
    const records = scanRecords(bytes, at, { atEndOfFile, maxRecords });
    const consumed = (records.at(-1)?.end ?? at.offset) - at.offset;
    if (records.length > 0 || atEndOfFile) {
      // At the end of the file, bytes no record took are a record that never ends: an unclosed quote.
      const unterminated = atEndOfFile && records.length < maxRecords && consumed < bytes.length;
      return { records, atEndOfFile, unterminated, bytes };
    }
  }
}

/** The file's first record: its header. */
export async function readHeader(file: string): Promise<ScannedRecord> {
  const { records } = await recordsFrom(file, { offset: 0, line: 1 }, 1);
  const header = records[0];
  if (!header) throw new FerryError(`${file} is empty: a CSV file starts with its header line`);
  return header;
}

/**
 * Before a load starts: the file is there, and its header has every column the table reads, or one error names
 * what is missing (a load that would refuse every line is refused before it starts).
 */
export async function checkCsvFile(file: string, table: Table): Promise<void> {
  const header = await readHeader(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new FerryError(`${file}: no such file`);
    if (error.code === 'EACCES') throw new FerryError(`${file}: not readable (permission denied)`);
    throw error;
  });
  const present = new Set(header.fields.map((name) => name.trim()));
  const missing = planTable(table, CSV_HEADERS)
    .flatMap((plan) => plan.paths)
    .filter((path) => !present.has(path));
  if (missing.length > 0)
    throw new FerryError(
      `${file} has no column${missing.length === 1 ? '' : 's'} ${missing.join(', ')} (its header: ${[...present].join(', ')})`,
    );
}

async function checkpointOf(trx: Knex.Transaction, request: CsvChunkRequest) {
  const found = await trx('ferry_csv_loads')
    .where({ run_id: request.runId, file: request.file })
    .forUpdate()
    .first();
  return found as
    | {
        byte_offset: string;
        line: number;
        header: string[] | null;
        fingerprint: string | null;
      }
    | undefined;
}

/** Loads the next chunk of the file into the table (see above). */
export async function loadCsvChunk(db: Knex, request: CsvChunkRequest): Promise<CsvChunkResult> {
  const { table } = request;
  const plans = planTable(table, CSV_HEADERS);
  const columns = writtenColumns(table);
  const names = columns.map((column) => column.name);
  return db.transaction(async (trx) => {
    // Locked: a retried chunk whose earlier attempt still runs waits for it, then reads on from where it ended.
    let checkpoint = await checkpointOf(trx, request);
    if (checkpoint) {
      await checkUnchanged(request.file, checkpoint.fingerprint, Number(checkpoint.byte_offset));
    } else {
      const header = await readHeader(request.file);
      await trx('ferry_csv_loads')
        .insert({
          run_id: request.runId,
          file: request.file,
          byte_offset: header.end,
          line: 2,
          header: header.fields,
          fingerprint: await fingerprintOf(request.file),
        })
        .onConflict(['run_id', 'file'])
        .ignore();
      checkpoint = await checkpointOf(trx, request);
    }
    const at = { offset: Number(checkpoint?.byte_offset), line: Number(checkpoint?.line) };
    const header = (checkpoint?.header ?? []).map((name) => name.trim());
    const read = await recordsFrom(request.file, at, request.maxRecords);
    const rows: unknown[][] = [];
    const refused: RejectedRecord[] = [];
    const source = basename(request.file);
    const refuse = (record: Pick<ScannedRecord, 'line'>, text: string, reason: string) =>
      refused.push({
        sourceKey: `${source}:${record.line}`,
        payload: { line: record.line, text },
        reason: `line ${record.line}: ${reason}`,
      });
    for (const record of read.records) {
      const text = read.bytes.toString('utf8', record.start - at.offset, record.end - at.offset).trimEnd();
      if (record.fields.length === 1 && record.fields[0] === '') continue; // an empty line
      if (record.fields.length !== header.length) {
        refuse(record, text, `${record.fields.length} fields where the header has ${header.length}`);
        continue;
      }
      const byHeader = Object.fromEntries(
        header.map((name, index) => [name, emptyAsNull(record.fields[index])]),
      );
      try {
        rows.push(plans.map((plan) => plan.value(byHeader, byHeader, new Map())));
      } catch (error) {
        if (!(error instanceof RefusedRecord)) throw error;
        refuse(record, text, error.message);
      }
    }
    if (read.unterminated) {
      refuse(
        { line: read.records.at(-1) ? (read.records.at(-1) as ScannedRecord).line + 1 : at.line },
        '',
        'a quoted field is never closed',
      );
    }
    const written = rows.length > 0 ? await mergeRows(trx, table, names, rows) : 0;
    await fileDeadLetters(
      trx,
      csvLoadName(table),
      { runId: request.runId, partitionKey: source },
      'InvalidRecordError',
      refused,
    );
    const last = read.records.at(-1);
    const next = {
      offset: read.unterminated ? at.offset + read.bytes.length : (last?.end ?? at.offset),
      line: last ? lineAfter(last, read.bytes, at.offset) : at.line,
    };
    const [totals] = await trx('ferry_csv_loads')
      .where({ run_id: request.runId, file: request.file })
      .update({
        byte_offset: next.offset,
        line: next.line,
        loaded: trx.raw('loaded + ?', [rows.length]),
        refused: trx.raw('refused + ?', [refused.length]),
        written: trx.raw('written + ?', [written]),
      })
      .returning(['loaded', 'refused', 'written']);
    const done =
      read.unterminated ||
      (read.atEndOfFile && read.records.length < request.maxRecords) ||
      read.records.length === 0;
    return {
      records: read.records.length,
      loaded: rows.length,
      refused: refused.length,
      written,
      offset: next.offset,
      line: next.line,
      done,
      total: {
        loaded: Number(totals?.loaded),
        refused: Number(totals?.refused),
        written: Number(totals?.written),
      },
    };
  });
}

/** The line after a record: its first line plus the line breaks it holds. */
function lineAfter(record: ScannedRecord, bytes: Buffer, base: number): number {
  let breaks = 0;
  for (let i = record.start - base; i < record.end - base; i++) if (bytes[i] === 0x0a) breaks++;
  return record.line + Math.max(1, breaks);
}

const emptyAsNull = (field: string | undefined) => (field === undefined || field === '' ? null : field);

/** COPY into a staging table shaped like the target, then one merge on the key that changes only what differs. */
async function mergeRows(
  trx: Knex.Transaction,
  table: Table,
  names: string[],
  rows: unknown[][],
): Promise<number> {
  const q = (identifier: string) => trx.raw('??', [identifier]).toQuery();
  const staging = q(`ferry_csv_${table.name}`);
  await trx.raw(
    `create temp table ${staging} on commit drop as select ${names.map(q).join(', ')} from ${q(table.name)} with no data`,
  );
  await copyLinesInto(trx, `ferry_csv_${table.name}`, names, rows.map(copyLine));
  const others = names.filter((name) => !table.key.includes(name));
  const key = table.key.map(q).join(', ');
  const merged = await trx.raw(
    // A key twice in one chunk: the later line wins, as a later listing does.
    `insert into ${q(table.name)} (${names.map(q).join(', ')})
     select distinct on (${key}) ${names.map(q).join(', ')} from ${staging} order by ${key}, ctid desc
     on conflict (${key}) do ${
       others.length === 0
         ? 'nothing'
         : `update set ${others.map((name) => `${q(name)} = excluded.${q(name)}`).join(', ')}
            where (${others.map((name) => `${q(table.name)}.${q(name)}`).join(', ')})
              is distinct from (${others.map((name) => `excluded.${q(name)}`).join(', ')})`
     }`,
  );
  return merged.rowCount ?? 0;
}
