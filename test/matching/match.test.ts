import { afterAll, beforeAll, expect, it } from 'vitest';
import { rootCauseMessage } from '../../src/client/failure.js';
import { startMatch } from '../../src/client/match.js';
import { recordMatchRun } from '../../src/matching/inputs.js';
import { findCustomers } from '../../src/matching/partition.js';
import { matchRulesSchema } from '../../src/matching/rules.js';
import { CASE_KINDS } from '../../src/sandbox/matching/generator.js';
import { scoreMatches } from '../../src/sandbox/matching/scores.js';
import { GENERATED_INPUTS, loadGeneratedLedger } from '../../src/sandbox/matching/tables.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { startTestWorker, type TestWorker } from '../helpers/worker.js';

// About 100,000 true allocations: every kind of noise, thousands of each.
const INVOICES = 102_000;
const SEED = 4;
let database: TestDatabase;
let worker: TestWorker;

beforeAll(async () => {
  database = await createTestDatabase();
  await loadGeneratedLedger(database.db, { seed: SEED, invoices: INVOICES });
  worker = await startTestWorker(database.db, {});
}, 300_000);
afterAll(async () => {
  await worker?.stop();
  await database?.drop();
});

const matchedSet = async () =>
  (
    await database.db.raw(
      'select invoice_id, payment_id, amount_cents, rule, confidence from matches order by invoice_id, payment_id',
    )
  ).rows;

it('matches 100,000 generated pairs with precision ≥ 0.995 and recall ≥ 0.95; ties only in review; no allocation too large', async () => {
  const truthKinds = (await database.db.raw('select distinct kind from match_truth')).rows.map(
    (row: { kind: string }) => row.kind,
  );
  // Every kind of noise that has a true allocation is in the data (unpaid invoices and stray payments have none).
  expect(new Set(truthKinds)).toEqual(
    new Set(CASE_KINDS.filter((kind) => kind !== 'unpaid' && kind !== 'stray')),
  );
  const handle = await startMatch(worker.client, worker.taskQueue, {
    inputs: GENERATED_INPUTS,
    partitions: 8,
  });
  const progress = await handle.result();
  const scores = await scoreMatches(database.db);
  expect(scores.truePairs).toBeGreaterThan(98_000);
  expect(scores.precision).toBeGreaterThanOrEqual(0.995);
  expect(scores.recall).toBeGreaterThanOrEqual(0.95);
  expect(scores.tiesMatched).toBe(0);
  expect(scores.tiesReviewed).toBe(scores.ties);
  expect(scores.overAllocated).toBe(0);
  // The run's own counts are what the tables hold.
  const total = Object.values(progress.rules).reduce((sum, step) => sum + step.matched, 0);
  expect(total).toBe(scores.matches);
  expect(progress.phase).toBe('done');
  expect(progress.staged?.invoices).toBe(INVOICES);

  // A second run over the same inputs makes no match, and changes none.
  const before = await matchedSet();
  const again = await (
    await startMatch(worker.client, worker.taskQueue, { inputs: GENERATED_INPUTS, partitions: 4 })
  ).result();
  expect(again.staged).toEqual({ customers: 0, invoices: 0, payments: 0 });
  expect(Object.values(again.rules).reduce((sum, step) => sum + step.matched, 0)).toBe(0);
  expect(await matchedSet()).toEqual(before);
}, 600_000);

it('refuses inputs that name a column the table lacks, before staging anything', async () => {
  const inputs = { ...GENERATED_INPUTS, payments: { ...GENERATED_INPUTS.payments, paidOn: 'booked_on' } };
  const handle = await startMatch(worker.client, worker.taskQueue, { inputs });
  const failure = await handle.result().then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(rootCauseMessage(failure)).toBe(
    'The match inputs name what the database lacks: payments.paidOn: bank_payments has no column booked_on',
  );
  // Failed at once, not retried: the activity's first attempt was its last.
  expect((await handle.describe()).status.name).toBe('FAILED');
});

it('a completed run id is not used again, and a run cannot change how it splits its customers', async () => {
  const id = 'match-id-once';
  await (
    await startMatch(worker.client, worker.taskQueue, { inputs: GENERATED_INPUTS, partitions: 4 }, id)
  ).result();
  await expect(
    startMatch(worker.client, worker.taskQueue, { inputs: GENERATED_INPUTS, partitions: 4 }, id),
  ).rejects.toThrow(
    `Match run ${id} is running or has completed; a completed run's id cannot be used again (its steps are recorded as done): start a new run without --id`,
  );
  // Resumed with other partitions: refused when it stages, and by a step whose range differs.
  await expect(
    recordMatchRun(database.db, { runId: id, rules: matchRulesSchema.parse({}), partitions: 8 }),
  ).rejects.toThrow(
    `Run ${id} was started with 4 partitions and is resumed with 8: a run's partitions cannot change`,
  );
  await expect(
    findCustomers(database.db, id, { from: 0, to: 100 }, matchRulesSchema.parse({})),
  ).rejects.toThrow(
    `Run ${id} recorded its customers step for buckets 0–256, and this attempt splits them 0–100: a run's partitions cannot change; start a new run`,
  );
}, 300_000);
