import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { prepareCsvLoad, startCsvLoad } from '../../src/client/load-csv.js';
import { csvTable } from '../../src/kit/csv/declaration.js';
import { loadCsvChunk } from '../../src/kit/csv/load.js';
import { prepareCsvTable } from '../../src/kit/csv/prepare.js';
import { columns as c, createTable, table } from '../../src/kit/index.js';
import { type MatchingFiles, writeMatchingCsv } from '../../src/sandbox/matching/csv.js';
import { generateMatchingCases } from '../../src/sandbox/matching/generator.js';
import { upgradeEngineSchema } from '../../src/target/schema.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { startTestWorker, type TestWorker } from '../helpers/worker.js';

const LEDGER = { seed: 21, invoices: 6000 };
let database: TestDatabase;
let directory: string;
let files: MatchingFiles;
let worker: TestWorker;

const invoices = table('csv_invoices', {
  columns: {
    id: c.bigint(),
    number: c.text(),
    customer_id: c.bigint(),
    customer_name: c.text(),
    amount: c.decimal(14, 2),
    issued_on: c.date(),
    due_on: c.date(),
  },
  key: ['id'],
});

beforeAll(async () => {
  database = await createTestDatabase();
  await upgradeEngineSchema(database.db);
  await createTable(database.db, invoices);
  directory = await mkdtemp(join(tmpdir(), 'ferry-csv-'));
  files = await writeMatchingCsv(directory, { ...LEDGER, brokenLines: 6 });
  worker = await startTestWorker(database.db, {});
}, 120_000);
afterAll(async () => {
  await worker?.stop();
  await database?.drop();
  await rm(directory, { recursive: true, force: true });
});

/** Loads chunk after chunk until the file is done, or `chunks` chunks. */
async function load(runId: string, chunks = Number.POSITIVE_INFINITY) {
  let total = { loaded: 0, refused: 0, written: 0, chunks: 0 };
  for (let n = 0; n < chunks; n++) {
    const chunk = await loadCsvChunk(database.db, {
      file: files.invoices.path,
      table: invoices,
      runId,
      maxRecords: 700,
    });
    total = {
      loaded: total.loaded + chunk.loaded,
      refused: total.refused + chunk.refused,
      written: total.written + chunk.written,
      chunks: total.chunks + 1,
    };
    if (chunk.done) break;
  }
  return total;
}

it('loads a CSV in chunks, stopped and resumed from its byte offset: every good row exact, each broken line dead-lettered with its line', async () => {
  // Stopped after three chunks (a worker gone), then resumed by the same run from its checkpoint.
  const before = await load('csv-run', 3);
  expect(before.chunks).toBe(3);
  const after = await load('csv-run');
  const broken = files.broken.filter((line) => line.file === 'invoices.csv');
  expect(broken.length).toBe(3);
  expect(before.loaded + after.loaded).toBe(files.invoices.rows);
  expect(before.refused + after.refused).toBe(broken.length);

  // The rows are the generator's, value for value (an independent sum from its cases).
  let count = 0;
  let cents = 0;
  let idSum = 0;
  for (const c of generateMatchingCases(LEDGER))
    for (const invoice of c.invoices) {
      count++;
      cents += invoice.amountCents;
      idSum += invoice.id;
    }
  const sums = (
    await database.db.raw(
      `select count(*)::int as count, sum(round(amount * 100))::bigint as cents, sum(id)::bigint as id_sum,
              count(*) filter (where due_on = issued_on + 30)::int as due_in_30 from csv_invoices`,
    )
  ).rows[0];
  expect(sums).toEqual({ count, cents: String(cents), id_sum: String(idSum), due_in_30: count });

  const letters = await database
    .db('ferry_dead_letters')
    .where({ migration: 'csv:csv_invoices' })
    .orderBy('id')
    .select('source_key', 'error_message');
  expect(letters.map((letter) => letter.source_key)).toEqual(
    broken.map((line) => `invoices.csv:${line.line}`),
  );
  const reasons = letters.map((letter) => letter.error_message);
  // The generator's reason for each broken line, as the loader words it.
  const worded: Record<string, string> = {
    'amount is not a number': 'amount is not an amount',
    'a column missing': '6 fields where the header has 7',
    'date is not a date': 'issued_on is not a valid date',
  };
  expect(reasons).toEqual(broken.map((line) => `line ${line.line}: ${worded[line.reason]}`));
  expect(new Set(reasons.map((reason) => reason.replace(/^line \d+: /, '')))).toEqual(
    new Set(Object.values(worded)),
  );
  const checkpoint = await database.db('ferry_csv_loads').where({ run_id: 'csv-run' }).first();
  expect(Number(checkpoint.loaded)).toBe(files.invoices.rows);
  expect(Number(checkpoint.refused)).toBe(3);
});

it('a second load of the same file writes nothing, and a run already done reads nothing more', async () => {
  const again = await load('csv-run-2');
  expect(again.loaded).toBe(files.invoices.rows);
  expect(again.written).toBe(0);
  const done = await load('csv-run');
  expect(done).toMatchObject({ loaded: 0, refused: 0, chunks: 1 });
});

/** payments.csv as a user declares its load: data, no code. */
const paymentsLoad = () => ({
  file: files.payments.path,
  target: {
    table: 'csv_payments',
    columns: {
      id: 'bigint',
      reference: { type: 'text', nullable: true },
      payer: { type: 'text', from: 'payer_name', nullable: true },
      payer_iban: { type: 'text', nullable: true },
      amount: 'decimal(14,2)',
      paid_on: 'date',
      description: { type: 'text', nullable: true },
    },
    key: ['id'],
  },
  chunkLines: 400,
});

it("through Temporal: ferry's loadCsv workflow loads a declared file in chunks, continuing as new, broken lines dead-lettered", async () => {
  const load = await prepareCsvLoad(paymentsLoad());
  await prepareCsvTable(database.db, csvTable(load.target));
  // A short history bound, so that the chain continues as new a few times (≈ 6 events a chunk).
  const handle = await startCsvLoad(worker.client, worker.taskQueue, load, { maxHistoryEvents: 40 });
  const progress = await handle.result();
  const broken = files.broken.filter((line) => line.file === 'payments.csv');
  expect(progress).toMatchObject({ loaded: files.payments.rows, refused: broken.length, done: true });
  expect(progress.written).toBe(files.payments.rows);
  expect(progress.chunks).toBeGreaterThan(10);
  const latest = await worker.client.workflow.getHandle(handle.workflowId).describe();
  expect(latest.runId).not.toBe(handle.firstExecutionRunId);

  let count = 0;
  let cents = 0;
  let named = 0;
  for (const c of generateMatchingCases(LEDGER))
    for (const payment of c.payments) {
      count++;
      cents += payment.amountCents;
      if (payment.payerName !== null) named++;
    }
  const sums = (
    await database.db.raw(
      `select count(*)::int as count, sum(round(amount * 100))::bigint as cents, count(payer)::int as named
       from csv_payments`,
    )
  ).rows[0];
  expect(sums).toEqual({ count, cents: String(cents), named });
  const letters = await database
    .db('ferry_dead_letters')
    .where({ migration: 'csv:csv_payments', run_id: handle.workflowId })
    .orderBy('id')
    .select('source_key');
  expect(letters.map((letter) => letter.source_key)).toEqual(
    broken.map((line) => `payments.csv:${line.line}`),
  );
}, 120_000);

it('refuses a load whose file lacks a declared column, or whose table lacks one, before anything is loaded', async () => {
  const declared = paymentsLoad();
  const columns = { ...declared.target.columns, booked_on: 'date' };
  await expect(prepareCsvLoad({ ...declared, target: { ...declared.target, columns } })).rejects.toThrow(
    `${files.payments.path} has no column booked_on (its header: id, reference, payer_name, payer_iban, amount, paid_on, description)`,
  );
  await expect(prepareCsvLoad({ ...declared, file: `${directory}/missing.csv` })).rejects.toThrow(
    `${directory}/missing.csv: no such file`,
  );
  await expect(
    prepareCsvLoad({ ...declared, target: { ...declared.target, key: ['number'] } }),
  ).rejects.toThrow('target.key: key column number is not a declared column');
  // csv_invoices exists (loaded above) without these columns.
  const other = csvTable({
    table: 'csv_invoices',
    columns: { id: 'bigint', paid_on: 'date', payer: 'text' },
    key: ['id'],
  });
  await expect(prepareCsvTable(database.db, other)).rejects.toThrow(
    'Table csv_invoices exists without the columns paid_on, payer the load declares',
  );
  // A table whose key is not the declared one: lines could not be merged on it.
  const byNumber = csvTable({
    table: 'csv_invoices',
    columns: { number: 'text', amount: 'decimal(14,2)' },
    key: ['number'],
  });
  await expect(prepareCsvTable(database.db, byNumber)).rejects.toThrow(
    'Table csv_invoices has no primary key or unique index on (number), the key the load merges lines on',
  );
  await expect(
    prepareCsvTable(database.db, csvTable({ table: 'csv_invoices', columns: { id: 'bigint' }, key: ['id'] })),
  ).resolves.toBeUndefined();
});

it('a load resumed on a file edited before its offset stops; lines added at the end are read on', async () => {
  const file = join(directory, 'edited.csv');
  const lines = (await readFile(files.invoices.path, 'utf8')).split('\n');
  const firstPart = `${lines.slice(0, 1001).join('\n')}\n`;
  await writeFile(file, firstPart);
  const request = { file, table: invoices, runId: 'csv-edited', maxRecords: 400 };
  await loadCsvChunk(database.db, request);
  // Lines added at the end (an export that grew): read on from the offset.
  const added = `${lines.slice(1001, 1201).join('\n')}\n`;
  await appendFile(file, added);
  let chunk = await loadCsvChunk(database.db, request);
  while (!chunk.done) chunk = await loadCsvChunk(database.db, request);
  expect(chunk.total.loaded + chunk.total.refused).toBe(1200);

  // Edited before the offset: the next chunk would start in the middle of a line, so the load stops.
  const edited = firstPart.replace(lines[1] as string, (lines[1] as string).replace(/,/, ',9'));
  await writeFile(file, `${edited}${added}`);
  await expect(loadCsvChunk(database.db, request)).rejects.toThrow(
    `${file} changed since this load began reading it (its first bytes differ): start a new load`,
  );
  await writeFile(file, `${lines.slice(0, 10).join('\n')}\n`);
  await expect(loadCsvChunk(database.db, request)).rejects.toThrow(
    /it is shorter than the \d+ bytes already read/,
  );
});
