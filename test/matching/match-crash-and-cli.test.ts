import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { startMatch } from '../../src/client/match.js';
import { GENERATED_INPUTS, loadGeneratedLedger } from '../../src/sandbox/matching/tables.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { runCli } from '../helpers/run-cli.js';
import { WorkerProcesses } from '../helpers/worker-process.js';

const LEDGER = { seed: 11, invoices: 60_000 };
const PARTITIONS = 16;
let killed: TestDatabase;
let calm: TestDatabase;
let connection: Connection;
let client: Client;
const crashQueue = `match-crash-${Date.now()}`;
const calmQueue = `match-calm-${Date.now()}`;
const crashWorkers = new WorkerProcesses({
  databaseUrl: () => killed.url,
  taskQueue: crashQueue,
  connections: () => ({}),
});
const calmWorkers = new WorkerProcesses({
  databaseUrl: () => calm.url,
  taskQueue: calmQueue,
  connections: () => ({}),
});
const env = () => ({
  DATABASE_URL: killed.url,
  TEMPORAL_ADDRESS: inject('temporalAddress'),
  FERRY_TASK_QUEUE: crashQueue,
  FERRY_HOME: '/nonexistent-ferry-home',
});

beforeAll(async () => {
  [killed, calm] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  await Promise.all([loadGeneratedLedger(killed.db, LEDGER), loadGeneratedLedger(calm.db, LEDGER)]);
  connection = await Connection.connect({ address: inject('temporalAddress') });
  client = new Client({ connection, namespace: inject('temporalNamespace') });
}, 300_000);
afterAll(async () => {
  crashWorkers.killAll();
  calmWorkers.killAll();
  await connection?.close();
  await Promise.all([killed?.drop(), calm?.drop()]);
});

/** What a run decided, without the run's own id and times. */
const outcome = async (database: TestDatabase) => ({
  matches: (
    await database.db.raw(
      'select invoice_id, payment_id, amount_cents, rule, confidence from matches order by invoice_id, payment_id',
    )
  ).rows,
  review: (
    await database.db.raw(
      'select payment_id, invoice_id, rule from match_review order by payment_id, invoice_id',
    )
  ).rows,
});

it('a worker killed with SIGKILL in the middle of matching: the run completes with the same matches as one never interrupted', async () => {
  calmWorkers.spawn();
  const calmRun = await startMatch(client, calmQueue, {
    inputs: GENERATED_INPUTS,
    partitions: PARTITIONS,
    concurrency: 1,
  });

  const first = crashWorkers.spawn();
  const run = await startMatch(client, crashQueue, {
    inputs: GENERATED_INPUTS,
    partitions: PARTITIONS,
    concurrency: 1,
  });
  // Killed once the first partitions have committed rules, while others are still to come.
  const stepsDone = async () =>
    Number((await killed.db.raw("select count(*) as n from match_steps where phase = 'match'")).rows[0].n);
  for (;;) {
    const exists = await killed.db.raw("select to_regclass('match_steps') is not null as present");
    if (exists.rows[0].present && (await stepsDone()) >= 3) break;
    await sleep(10);
  }
  first.kill('SIGKILL');
  await once(first, 'exit');
  const atKill = await stepsDone();
  expect(atKill).toBeLessThan(PARTITIONS * 4);
  crashWorkers.spawn();
  const [crashed, uninterrupted] = await Promise.all([run.result(), calmRun.result()]);
  expect(crashed.phase).toBe('done');
  const [after, expected] = await Promise.all([outcome(killed), outcome(calm)]);
  expect(expected.matches.length).toBeGreaterThan(50_000);
  expect(after).toEqual(expected);
  // Counted once each: the run's totals are the rows it wrote, the partitions redone after the kill included.
  const total = (progress: typeof crashed) =>
    Object.values(progress.rules).reduce((sum, step) => sum + step.matched, 0);
  expect(total(crashed)).toBe(after.matches.length);
  expect(total(uninterrupted)).toBe(expected.matches.length);
}, 300_000);

it('ferry match report, review, confirm and reject', async () => {
  const runId = (await killed.db.raw('select run_id from matches limit 1')).rows[0].run_id as string;
  const report = await runCli(['match', 'report', runId, '--json'], env());
  expect(report.stderr).toBe('');
  const json = JSON.parse(report.stdout);
  const matches = Number((await killed.db.raw('select count(*) as n from matches')).rows[0].n);
  expect(json.matches.count).toBe(matches);
  expect(json.byRule.map((row: { rule: string }) => row.rule).sort()).toEqual([
    'amount',
    'fuzzy',
    'reference',
    'split',
  ]);
  expect(json.byConfidence.reduce((sum: number, row: { matches: number }) => sum + row.matches, 0)).toBe(
    matches,
  );
  expect(json.largestOpenInvoices).toHaveLength(10);

  const review = JSON.parse((await runCli(['match', 'review', '--limit', '100000', '--json'], env())).stdout);
  expect(review.items.length).toBe(json.review.open);
  // A tie: one payment, two candidates. Confirm one; the other closes with it.
  type Item = { reviewId: number; paymentId: string; invoiceId: string };
  const byPayment = new Map<string, Item[]>();
  for (const item of review.items as Item[])
    byPayment.set(item.paymentId, [...(byPayment.get(item.paymentId) ?? []), item]);
  const [tie] = [...byPayment.values()].filter((items) => items.length === 2);
  if (!tie) throw new Error('no tie in review');
  const [yes, other] = tie as [Item, Item];
  const confirmed = await runCli(['match', 'confirm', String(yes.reviewId)], env());
  expect(confirmed.stdout).toMatch(new RegExp(`^confirmed ${yes.reviewId}: `));
  const made = await killed
    .db('matches')
    .where({ payment_id: yes.paymentId, invoice_id: yes.invoiceId })
    .first();
  expect(made).toMatchObject({ rule: 'confirmed' });
  const closed = await killed.db('match_review').where({ review_id: other.reviewId }).first();
  expect(closed.status).toBe('rejected');
  const again = await runCli(['match', 'confirm', String(yes.reviewId)], env());
  expect(again.code).toBe(1);
  expect(again.stderr).toContain(`Review item ${yes.reviewId} is confirmed already`);
  const [single] = [...byPayment.values()].filter((items) => items.length === 2).slice(1);
  const rejected = await runCli(['match', 'reject', String(single?.[0]?.reviewId)], env());
  expect(rejected.stdout.trim()).toBe(`rejected ${single?.[0]?.reviewId}`);
}, 120_000);

it('ferry match start refuses a declaration with problems before contacting anything', async () => {
  const result = await runCli(['match', 'start', '--config', 'package.json'], {
    ...env(),
    TEMPORAL_ADDRESS: '127.0.0.1:1',
  });
  expect(result.code).toBe(1);
  expect(result.stderr).toContain('The match declaration has');
  expect(result.stderr).toContain('- inputs: ');
});
