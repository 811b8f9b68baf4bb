import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startBackfill } from '../../src/client/backfill.js';
import { parseMatchDeclaration, prepareMatchInputs, startMatch } from '../../src/client/match.js';
import {
  type EboekhoudenEmulator,
  startEboekhoudenEmulator,
} from '../../src/sandbox/emulators/eboekhouden/server.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { startTestWorker, type TestWorker } from '../helpers/worker.js';

const EXAMPLE = 'examples/eboekhouden-matching';
let emulator: EboekhoudenEmulator;
let database: TestDatabase;
let worker: TestWorker;

beforeAll(async () => {
  emulator = await startEboekhoudenEmulator({
    mutations: 8000,
    seed: 12,
    startDate: '2024-01-01T00:00:00Z',
    endDate: '2024-12-31T00:00:00Z',
  });
  database = await createTestDatabase();
  worker = await startTestWorker(database.db, { eboekhouden: emulator.connection });
}, 120_000);
afterAll(async () => {
  await worker?.stop();
  await emulator?.close();
  await database?.drop();
});

it("matches the payments the eboekhouden-mutations migration wrote to its invoices, by the example's views and mapping, as e-Boekhouden allocated them", async () => {
  const backfill = await startBackfill(worker.client, worker.taskQueue, {
    migration: 'eboekhouden-mutations',
    id: `test/eboekhouden-for-matching-${Date.now()}`,
  });
  await backfill.result();
  await database.db.raw(await readFile(`${EXAMPLE}/views.sql`, 'utf8'));
  const declaration = parseMatchDeclaration(parse(await readFile(`${EXAMPLE}/match.yaml`, 'utf8')));
  const inputs = await prepareMatchInputs(database.db, declaration.inputs, EXAMPLE);
  const progress = await (
    await startMatch(worker.client, worker.taskQueue, { ...declaration, inputs })
  ).result();
  expect(progress.phase).toBe('done');

  // The truth is e-Boekhouden's own: which invoices each payment received settles, and by how much.
  const scores = (
    await database.db.raw(
      `with truth as (
         select a.invoice_number as invoice_id, a.mutation_id::text as payment_id, sum(a.amount) as amount
         from payment_allocations a join payments p using (mutation_id)
         where p.mutation_type = 3 group by 1, 2),
       -- A payment whose invoices are all its relation's, each settled by it alone: the plain case (refunds of
       -- credit notes, below 0, are not matched).
       plain as (
         select t.* from truth t
         join payments p on p.mutation_id::text = t.payment_id
         join invoices i on i.invoice_number = t.invoice_id
         where i.relation_id = p.relation_id and t.amount > 0
           and not exists (select 1 from truth o where o.invoice_id = t.invoice_id and o.payment_id <> t.payment_id)
           and not exists (select 1 from truth o join invoices oi on oi.invoice_number = o.invoice_id
                           where o.payment_id = t.payment_id and oi.relation_id <> p.relation_id))
       select (select count(*) from matches)::int as matches,
              (select count(*) from matches m join truth t using (invoice_id, payment_id))::int as correct,
              (select count(*) from plain)::int as plain,
              (select count(*) from plain t join matches m using (invoice_id, payment_id)
               where m.amount_cents = round(t.amount * 100))::int as plain_found,
              -- Neither matched nor listed for a reviewer: lost from sight.
              (select count(*) from plain t
               where not exists (select 1 from matches m where m.invoice_id = t.invoice_id and m.payment_id = t.payment_id)
                 and not exists (select 1 from match_review r where r.payment_id = t.payment_id))::int as plain_unseen,
              (select count(*) from match_invoices)::int as invoices,
              (select count(*) from match_payments)::int as payments`,
    )
  ).rows[0];
  expect(scores.invoices).toBeGreaterThan(1000);
  expect(scores.correct / scores.matches).toBeGreaterThanOrEqual(0.995);
  // The emulator's payments often settle an invoice another payment settled too, or invoices of several
  // relations: those are no plain case. Of the plain ones, most are matched and the rest are in review.
  expect(scores.plain).toBeGreaterThan(100);
  expect(scores.plain_found / scores.plain).toBeGreaterThanOrEqual(0.99);
  expect(scores.plain_unseen).toBe(0);
}, 300_000);
