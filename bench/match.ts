/**
 * Matching end to end at several sizes, each on a fresh database: the generated ledger loaded (COPY, streamed from
 * the generator), then a `match` run through Temporal on one `ferry worker` (staging, customers, the rules over
 * partitions). Precision and recall against the ledger's truth; the worker's and PostgreSQL's peak memory; and, in
 * the same run, the seed's matcher (every payment compared with every invoice in the worker, sampled).
 * With `--inputs csv` the ledger is given as CSV files instead (written before the clock starts), and the run
 * loads them itself: the kit's CSV load, a loadCsv child workflow per file, then staging and matching.
 * Prints JSON on stdout and a table on stderr.
 *
 *   npm run bench:match -- [--invoices 1000,10000,100000,1000000] [--payments N] [--inputs tables|csv] [--partitions 16] [--concurrency 2] [--json]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Knex } from 'knex';
import { prepareMatchInputs, startMatch } from '../src/client/match.js';
import { matchInputsSchema } from '../src/matching/inputs.js';
import { writeMatchingCsv } from '../src/sandbox/matching/csv.js';
import { scoreMatches } from '../src/sandbox/matching/scores.js';
import {
  GENERATED_CSV_INPUTS,
  GENERATED_INPUTS,
  loadGeneratedLedger,
} from '../src/sandbox/matching/tables.js';
import { createDb } from '../src/target/db.js';
import { cpuSecondsBetween, cpuSnapshot } from './lib/cpu.js';
import { peakRssMb, samplePeakMemory } from './lib/memory.js';
import { naiveMatchSample } from './lib/naive-match.js';
import { startBenchStack } from './lib/stack.js';

const { values } = parseArgs({
  options: {
    invoices: { type: 'string', default: '1000,10000,100000,1000000' },
    /** Payments come with the invoices (about 0.97 each): a larger figure only names the largest size. */
    payments: { type: 'string' },
    partitions: { type: 'string', default: '16' },
    concurrency: { type: 'string', default: '2' },
    inputs: { type: 'string', default: 'tables' },
    json: { type: 'boolean', default: false },
  },
});
const SEED = 4;
const STANDARD_SIZES = [1_000, 10_000, 100_000];
const requested = String(values.invoices)
  .split(',')
  .map((size) => Number(size.trim()));
if (requested.some((size) => !Number.isInteger(size) || size < 1)) {
  throw new Error(`--invoices takes whole numbers, comma-separated: ${values.invoices}`);
}
// One figure (--invoices 1000000) means the issue's table: 1K, 10K, 100K and that size.
const sizes =
  requested.length === 1
    ? [...new Set([...STANDARD_SIZES.filter((size) => size < (requested[0] as number)), ...requested])]
    : requested;
if (values.inputs !== 'tables' && values.inputs !== 'csv') {
  throw new Error(`--inputs is tables or csv: ${values.inputs}`);
}
const fromCsv = values.inputs === 'csv';
const partitions = Number(values.partitions);
const concurrency = Number(values.concurrency);
const log = (message: string) => process.stderr.write(`${message}\n`);

const stack = await startBenchStack('match');

async function runSize(invoices: number) {
  const databaseUrl = await stack.createDatabase(`match_${invoices}`);
  const db = createDb(databaseUrl, 2);
  // From CSV: the files are given (written before the clock starts); the tables hold the truth to score by.
  const csv = fromCsv ? await csvLedger(db, invoices) : null;
  const taskQueue = `bench-match-${invoices}`;
  const stopWorker = stack.startWorkers(1, { databaseUrl, taskQueue, env: {} });
  try {
    await stack.workersPolling(taskQueue);
    const worker = stopWorker.processes[0]?.pid as number;
    const postgres = samplePeakMemory('postgres');
    const cpuBefore = await cpuSnapshot({ worker, bench: process.pid }, ['postgres', 'temporal']);
    const started = performance.now();
    const ledger = csv?.ledger ?? (await loadGeneratedLedger(db, { seed: SEED, invoices }));
    const tablesLoadedSeconds = (performance.now() - started) / 1000;
    const handle = await startMatch(stack.client, taskQueue, {
      inputs: csv?.inputs ?? GENERATED_INPUTS,
      partitions,
      concurrency,
    });
    const progress = await handle.result();
    const seconds = (performance.now() - started) / 1000;
    const loadSeconds = csv ? await csvLoadSeconds(handle.workflowId, started) : tablesLoadedSeconds;
    const cpuSeconds = cpuSecondsBetween(
      cpuBefore,
      await cpuSnapshot({ worker, bench: process.pid }, ['postgres', 'temporal']),
    );
    const postgresPeakMb = await postgres.stop();
    const scores = await scoreMatches(db);
    const naive = await naiveMatchSample(db, Math.min(200, Math.max(3, Math.ceil(2_000_000 / invoices))));
    const naiveSeconds = naive.secondsPerPayment * ledger.payments;
    return {
      invoices: ledger.invoices,
      payments: ledger.payments,
      seconds: Math.round(seconds * 10) / 10,
      loadSeconds: Math.round(loadSeconds * 10) / 10,
      matchSeconds: Math.round((seconds - loadSeconds) * 10) / 10,
      precision: Math.round(scores.precision * 10_000) / 10_000,
      recall: Math.round(scores.recall * 10_000) / 10_000,
      tiesReviewed: `${scores.tiesReviewed}/${scores.ties}`,
      tiesMatched: scores.tiesMatched,
      overAllocated: scores.overAllocated,
      matches: scores.matches,
      workerPeakRssMb: await peakRssMb(worker),
      postgresPeakMb,
      cpuSeconds,
      phaseSeconds: progress.phaseSeconds,
      rules: progress.rules,
      naive: {
        sampledPayments: naive.sampled,
        secondsPerPayment: Math.round(naive.secondsPerPayment * 1000) / 1000,
        extrapolatedSeconds: Math.round(naiveSeconds),
      },
      ratioToNaive: Math.round(naiveSeconds / seconds),
    };
  } finally {
    await stopWorker();
    await db.destroy();
    if (csv) await rm(csv.directory, { recursive: true, force: true });
  }
}

/** The ledger as CSV files and the declaration's inputs that read them; the truth (and tables) in the database. */
async function csvLedger(db: Knex, invoices: number) {
  const directory = await mkdtemp(join(tmpdir(), 'ferry-bench-match-'));
  await writeMatchingCsv(directory, { seed: SEED, invoices });
  const ledger = await loadGeneratedLedger(db, { seed: SEED, invoices });
  // Settled before the clock starts: autovacuum on these freshly loaded tables would otherwise take a core from
  // the timed CSV run that never reads them.
  await db.raw('vacuum analyze ledger_customers, ledger_invoices, bank_payments, match_truth');
  const inputs = await prepareMatchInputs(db, matchInputsSchema.parse(GENERATED_CSV_INPUTS), directory);
  return { directory, ledger, inputs };
}

/** From the clock's start to the end of the last CSV load (the run's loadCsv children). */
async function csvLoadSeconds(runId: string, started: number): Promise<number> {
  const ends = await Promise.all(
    ['customers', 'invoices', 'payments'].map(async (kind) => {
      const described = await stack.client.workflow.getHandle(`${runId}/csv-${kind}`).describe();
      return (described.closeTime as Date).getTime();
    }),
  );
  return (Math.max(...ends) - (performance.timeOrigin + started)) / 1000;
}

try {
  const runs = [];
  for (const size of sizes) {
    log(`match: ${size} invoices, loaded and matched through Temporal...`);
    const run = await runSize(size);
    log(
      `match: ${run.invoices} invoices, ${run.payments} payments in ${run.seconds} s (load ${run.loadSeconds}, match ${run.matchSeconds}), precision ${run.precision}, recall ${run.recall}, worker ${run.workerPeakRssMb} MB, PostgreSQL ${run.postgresPeakMb} MB, naive ${run.naive.extrapolatedSeconds} s (×${run.ratioToNaive})`,
    );
    runs.push(run);
  }
  const largest = runs[runs.length - 1] as (typeof runs)[number];
  const result = {
    benchmark: 'match',
    inputs: values.inputs,
    partitions,
    concurrency,
    ...(values.payments ? { paymentsRequested: Number(values.payments) } : {}),
    sizes: runs.map((run) => ({
      invoices: run.invoices,
      payments: run.payments,
      seconds: run.seconds,
      precision: run.precision,
      recall: run.recall,
      workerPeakRssMb: run.workerPeakRssMb,
      postgresPeakMb: run.postgresPeakMb,
    })),
    ratioToNaive: largest.ratioToNaive,
    runs,
    node: process.version,
  };
  log(
    `| invoices | payments | seconds (load + match) | precision | recall | worker MB | PostgreSQL MB | × naive |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n${runs
      .map(
        (run) =>
          `| ${run.invoices} | ${run.payments} | ${run.seconds} (${run.loadSeconds} + ${run.matchSeconds}) | ${run.precision} | ${run.recall} | ${run.workerPeakRssMb} | ${run.postgresPeakMb} | ${run.ratioToNaive} |`,
      )
      .join('\n')}`,
  );
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await stack.stop();
}
