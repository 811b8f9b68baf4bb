import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startMatch } from '../../src/client/match.js';
import { confirmReviewItem } from '../../src/matching/review.js';
import { writeMatchingCsv } from '../../src/sandbox/matching/csv.js';
import { GENERATED_INPUTS, loadGeneratedLedger } from '../../src/sandbox/matching/tables.js';
import { launchChromium, resolveChromium } from '../helpers/chromium.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { runCli } from '../helpers/run-cli.js';
import { WorkerProcesses } from '../helpers/worker-process.js';

const LEDGER = { seed: 11, invoices: 60_000 };
const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url);
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
  // Open, as the run's remnant rule (5 cents) has it: never matched, or more than 5 cents left by its matches.
  expect(json.remnantCents).toBe(5);
  const open = await killed.db.raw(
    `select count(*) filter (where left_cents > 0)::int as any_left,
            count(*) filter (where left_cents > 5 or (left_cents > 0 and matched_cents = 0))::int as open
     from (select i.amount_cents - coalesce(sum(m.amount_cents), 0) as left_cents,
                  coalesce(sum(m.amount_cents), 0) as matched_cents
           from match_invoices i left join matches m using (invoice_id) group by i.invoice_id) items`,
  );
  const reportedOpen = (json.unmatched as { kind: string; count: number }[])
    .filter((row) => row.kind === 'invoices')
    .reduce((sum, row) => sum + row.count, 0);
  expect(reportedOpen).toBe(open.rows[0].open);
  // The generated ledger has rounding differences: some invoices keep a few cents the report does not call open.
  expect(open.rows[0].any_left).toBeGreaterThan(open.rows[0].open);

  const review = JSON.parse((await runCli(['match', 'review', '--limit', '100000', '--json'], env())).stdout);
  expect(review.items.length).toBe(json.review.open);
  // A tie: one payment, two candidates. Confirm one; the other closes with it.
  type Item = { reviewId: number; paymentId: string; invoiceId: string };
  const byPayment = new Map<string, Item[]>();
  for (const item of review.items as Item[])
    byPayment.set(item.paymentId, [...(byPayment.get(item.paymentId) ?? []), item]);
  // A tie of the fuzzy rule: one customer's two invoices of the payment's amount, both still wholly open.
  const untouched = new Set(
    (
      await killed.db.raw(
        `select invoice_id from match_invoices i
         where not exists (select 1 from matches m where m.invoice_id = i.invoice_id)`,
      )
    ).rows.map((row: { invoice_id: string }) => row.invoice_id),
  );
  const [tie] = [...byPayment.values()].filter(
    (items) =>
      items.length === 2 &&
      items.every(
        (item) => untouched.has(item.invoiceId) && (item as Item & { rule: string }).rule === 'fuzzy',
      ),
  );
  if (!tie) throw new Error('no tie in review');
  const [yes, other] = tie as [Item, Item];
  const confirmed = await runCli(['match', 'confirm', String(yes.reviewId)], env());
  expect(confirmed.stderr).toBe('');
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
  // Another payment's candidate (the confirmed payment's other candidate is closed already).
  const [elsewhere] = [...byPayment.values()].filter(
    (items) => items.length === 2 && items[0]?.paymentId !== yes.paymentId,
  );
  const no = elsewhere?.[0] as Item;
  const rejected = await runCli(['match', 'reject', String(no.reviewId)], env());
  expect(rejected.stderr).toBe('');
  expect(rejected.stdout.trim()).toBe(`rejected ${no.reviewId}`);
  expect((await killed.db('match_review').where({ review_id: no.reviewId }).first()).status).toBe('rejected');
}, 120_000);

it('two reviewers confirming two payments for one invoice at once: the invoice is allocated once, not twice', async () => {
  const [invoice] = (
    await killed.db.raw(
      `select invoice_id, amount_cents from match_invoices i
       where not exists (select 1 from matches m where m.invoice_id = i.invoice_id) order by amount_cents limit 1`,
    )
  ).rows as { invoice_id: string; amount_cents: string }[];
  const payments = (
    await killed.db.raw(
      `select payment_id from match_payments p
       where amount_cents >= ? and not exists (select 1 from matches m where m.payment_id = p.payment_id)
       order by payment_id limit 2`,
      [invoice?.amount_cents ?? '0'],
    )
  ).rows as { payment_id: string }[];
  expect(payments).toHaveLength(2);
  const ids = await killed
    .db('match_review')
    .insert(
      payments.map((payment) => ({
        payment_id: payment.payment_id,
        invoice_id: invoice?.invoice_id,
        rule: 'test',
        run_id: 'test',
      })),
    )
    .returning('review_id');
  const outcomes = await Promise.allSettled(
    ids.map((row: { review_id: string }) => confirmReviewItem(killed.db, Number(row.review_id))),
  );
  expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
  expect(
    String((outcomes.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult).reason),
  ).toContain('Nothing is open between payment');
  const taken = await killed
    .db('matches')
    .where({ invoice_id: invoice?.invoice_id })
    .sum({ cents: 'amount_cents' })
    .first();
  expect(String(taken?.cents)).toBe(String(invoice?.amount_cents));
});

it('ferry match report --html writes one self-contained page that Chromium renders with its charts', async () => {
  const runId = (await killed.db.raw('select run_id from matches limit 1')).rows[0].run_id as string;
  const directory = await mkdtemp(join(tmpdir(), 'ferry-report-'));
  const file = join(directory, 'report.html');
  const result = await runCli(['match', 'report', runId, '--html', file, '--json'], env());
  expect(result.stderr).toContain(`wrote ${file}`);
  const report = JSON.parse(result.stdout);
  const browser = await launchChromium(
    await resolveChromium((message) => console.log(`[match report] ${message}`)),
  );
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const requested: string[] = [];
    const errors: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await page.goto(pathToFileURL(file).toString());
    expect(await page.title()).toBe(`Match report: ${runId}`);
    // A bar per rule, per confidence band and per age band of what is open; nothing fetched but the page.
    expect(await page.locator('svg rect.bar').count()).toBe(
      report.byRule.length + report.byConfidence.length + report.unmatched.length,
    );
    expect(await page.locator('figure svg').first().boundingBox()).toMatchObject({ width: 760 });
    expect(await page.locator('tbody tr').count()).toBe(10);
    expect(await page.locator('body').textContent()).toContain(report.matches.count.toLocaleString('en-US'));
    expect(requested).toEqual([pathToFileURL(file).toString()]);
    expect(errors).toEqual([]);
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: new URL('match-report.png', ARTIFACTS).pathname, fullPage: true });
  } finally {
    await browser.close();
    await rm(directory, { recursive: true, force: true });
  }
}, 300_000);

it('ferry match start refuses a declaration with problems before contacting anything', async () => {
  const result = await runCli(['match', 'start', '--config', 'package.json'], {
    ...env(),
    TEMPORAL_ADDRESS: '127.0.0.1:1',
  });
  expect(result.code).toBe(1);
  expect(result.stderr).toContain('The match declaration has');
  expect(result.stderr).toContain('- inputs: ');
});

it('ferry load-csv loads a declared file through the worker, broken lines dead-lettered, and a second load changes nothing', async () => {
  const directory = await mkdtemp(join(tmpdir(), 'ferry-load-csv-'));
  try {
    const files = await writeMatchingCsv(directory, { seed: 5, invoices: 2000, brokenLines: 2 });
    const config = join(directory, 'load.yaml');
    const declaration = parse(await readFile('examples/load-invoices-csv.yaml', 'utf8'));
    await writeFile(config, stringify({ ...declaration, file: 'invoices.csv', chunkLines: 300 }));
    const first = await runCli(['load-csv', '--config', config, '--json'], env());
    expect(first.stderr).toContain('started ferry/csv/ledger_invoices_csv/');
    expect(first.code).toBe(0);
    const loaded = JSON.parse(first.stdout);
    expect(loaded).toMatchObject({
      loaded: files.invoices.rows,
      refused: 1,
      written: files.invoices.rows,
      done: true,
    });
    const [line] = files.broken.filter((broken) => broken.file === 'invoices.csv');
    const letters = await killed
      .db('ferry_dead_letters')
      .where({ run_id: loaded.runId })
      .select('source_key');
    expect(letters).toEqual([{ source_key: `invoices.csv:${line?.line}` }]);
    const rows = await killed.db.raw(
      'select count(*)::int as n, count(due_on)::int as due from ledger_invoices_csv',
    );
    expect(rows.rows[0]).toEqual({ n: files.invoices.rows, due: files.invoices.rows });

    const second = await runCli(['load-csv', '--config', config], env());
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(
      `${files.invoices.rows} lines of ${join(directory, 'invoices.csv')} loaded into ledger_invoices_csv (0 rows inserted or changed)`,
    );
    expect(second.stdout).toContain(
      '1 line dead-lettered, each with its line number and reason: ferry dlq list --migration csv:ledger_invoices_csv --run ferry/csv/ledger_invoices_csv/',
    );
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}, 120_000);
