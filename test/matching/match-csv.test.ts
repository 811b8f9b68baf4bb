import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { prepareMatchInputs, startMatch } from '../../src/client/match.js';
import { matchInputsSchema } from '../../src/matching/inputs.js';
import { writeMatchingCsv } from '../../src/sandbox/matching/csv.js';
import { scoreMatches } from '../../src/sandbox/matching/scores.js';
import {
  GENERATED_CSV_INPUTS,
  GENERATED_INPUTS,
  loadGeneratedLedger,
} from '../../src/sandbox/matching/tables.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { startTestWorker, type TestWorker } from '../helpers/worker.js';

const LEDGER = { seed: 9, invoices: 8000 };
let database: TestDatabase;
let worker: TestWorker;
let directory: string;

beforeAll(async () => {
  database = await createTestDatabase();
  // The same ledger twice: as tables (with the truth), and as CSV files with broken lines among the records.
  await loadGeneratedLedger(database.db, LEDGER);
  directory = await mkdtemp(join(tmpdir(), 'ferry-match-csv-'));
  worker = await startTestWorker(database.db, {});
}, 120_000);
afterAll(async () => {
  await worker?.stop();
  await database?.drop();
  await rm(directory, { recursive: true, force: true });
});

const matchedSet = async () =>
  (
    await database.db.raw(
      'select invoice_id, payment_id, amount_cents, rule, confidence from matches order by invoice_id, payment_id',
    )
  ).rows;

it('matches inputs given as CSV files (loaded by the kit, broken lines dead-lettered) exactly as the same ledger in tables', async () => {
  const files = await writeMatchingCsv(directory, { ...LEDGER, brokenLines: 4 });
  // Paths relative to the declaration's folder, as in the match.yaml `ferry match generate --csv` writes.
  const inputs = await prepareMatchInputs(
    database.db,
    matchInputsSchema.parse(GENERATED_CSV_INPUTS),
    directory,
  );
  expect(inputs.invoices.csv).toBe(files.invoices.path);
  const fromCsv = await (
    await startMatch(worker.client, worker.taskQueue, { inputs, partitions: 4 })
  ).result();
  expect(fromCsv.loaded).toEqual({
    customers: { loaded: files.customers.rows, refused: 0 },
    invoices: { loaded: files.invoices.rows, refused: 2 },
    payments: { loaded: files.payments.rows, refused: 2 },
  });
  const csvScores = await scoreMatches(database.db);
  expect(csvScores.precision).toBeGreaterThanOrEqual(0.995);
  expect(csvScores.tiesMatched).toBe(0);
  const csvMatches = await matchedSet();

  // The same ledger from its tables, into empty matching tables.
  await database.db.raw(
    'truncate matches, match_review, match_steps, match_payment_refs, match_payments, match_invoices, match_customers',
  );
  const fromTables = await (
    await startMatch(worker.client, worker.taskQueue, { inputs: GENERATED_INPUTS, partitions: 4 })
  ).result();
  expect(fromTables.staged).toEqual(fromCsv.staged);
  expect(fromTables.rules).toEqual(fromCsv.rules);
  expect(await matchedSet()).toEqual(csvMatches);
  expect(csvMatches.length).toBeGreaterThan(7000);
}, 300_000);

it('names a CSV input that lacks a column the match reads, before a run starts', async () => {
  const inputs = matchInputsSchema.parse({
    ...GENERATED_CSV_INPUTS,
    payments: { ...GENERATED_CSV_INPUTS.payments, paidOn: 'booked_on' },
  });
  await expect(prepareMatchInputs(database.db, inputs, directory)).rejects.toThrow(
    `${join(directory, 'payments.csv')} has no column booked_on`,
  );
  expect(() =>
    matchInputsSchema.parse({
      ...GENERATED_INPUTS,
      invoices: { ...GENERATED_INPUTS.invoices, csv: 'invoices.csv' },
    }),
  ).toThrow('give either table (a table or view) or csv (a file): one of them');
});
