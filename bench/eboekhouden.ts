/**
 * ferry's e-Boekhouden backfill (list + detail, routed into invoices, payments and journal entries) against, in the
 * same run, the seed's loop (per mutation: one detail request, its relation and ledgers from a cache, then its rows
 * inserted and committed one mutation at a time; sampled right after ferry's first size). Exactness is an
 * independent checksum of the emulator's JSON against SQL. And the source alone, read as ferry reads it and nothing
 * written (bench/lib/read-source.ts): with the source answering at once, the pace no loader of it beats on this
 * machine. Several sizes (`--mutations 200000,1000000`) each run on a fresh database and emulator, so that the
 * worker's peak RSS can be compared across them. Prints JSON on stdout and a table on stderr.
 *
 *   npm run bench:eboekhouden -- [--mutations 200000[,1000000]] [--concurrency 4] [--seed-sample 2000] [--latency-ms 0] [--profile-worker DIR] [--json]
 */
import { parseArgs } from 'node:util';
import { startBackfill } from '../src/client/backfill.js';
import { connectionEnv } from '../src/config.js';
import { eboekhoudenMutations } from '../src/migrations/eboekhouden-mutations/index.js';
import { sourceFingerprint, targetFingerprint } from '../src/sandbox/eboekhouden-fingerprint.js';
import {
  type EboekhoudenEmulator,
  startEboekhoudenEmulator,
} from '../src/sandbox/emulators/eboekhouden/server.js';
import type { Mutation } from '../src/sandbox/emulators/eboekhouden/shapes.js';
import { createDb } from '../src/target/db.js';
import { cpuSecondsBetween, cpuSnapshot } from './lib/cpu.js';
import { seedMutationLoop } from './lib/eboekhouden-seed-loop.js';
import { peakRssMb } from './lib/memory.js';
import { readSourceOnly } from './lib/source-only.js';
import { startBenchStack } from './lib/stack.js';

const { values } = parseArgs({
  options: {
    mutations: { type: 'string', default: '200000' },
    concurrency: { type: 'string', default: '4' },
    'seed-sample': { type: 'string', default: '2000' },
    /**
     * The emulator's answer time per request. 0 measures the machine (the emulator, PostgreSQL, Temporal and the
     * worker share 2 cores); a real e-Boekhouden is tens of milliseconds away, which is where parallel detail
     * requests count.
     */
    'latency-ms': { type: 'string', default: '0' },
    /** Write the worker's V8 CPU profile into this directory (open it in Chrome DevTools). */
    'profile-worker': { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const SEED = 7;
const sizes = String(values.mutations)
  .split(',')
  .map((size) => Number(size.trim()));
if (sizes.some((size) => !Number.isInteger(size) || size < 1)) {
  throw new Error(`--mutations takes whole numbers, comma-separated: ${values.mutations}`);
}
const concurrency = Number(values.concurrency);
const seedSample = Number(values['seed-sample']);
const latencyMs = Number(values['latency-ms']);
const emulatorOptions = { seed: SEED, faults: { latencyMs } };
const log = (message: string) => process.stderr.write(`${message}\n`);

const stack = await startBenchStack('eboekhouden');

function* mutationsOf(emulator: EboekhoudenEmulator): Generator<Mutation> {
  for (let id = 1; id <= emulator.store.size; id++) yield emulator.store.get(id) as Mutation;
}

const apiCalls = (emulator: EboekhoudenEmulator) =>
  Object.values(emulator.stats.byRoute).reduce((sum, count) => sum + count, 0);

/** ferry's backfill of `mutations`, on a database and an emulator of its own. */
async function runFerry(mutations: number) {
  const emulator = await startEboekhoudenEmulator({ mutations, ...emulatorOptions });
  const databaseUrl = await stack.createDatabase(`ferry_${mutations}`);
  const taskQueue = `bench-${mutations}`;
  const stopWorker = stack.startWorkers(1, {
    databaseUrl,
    taskQueue,
    env: connectionEnv('eboekhouden', emulator.connection),
    nodeArgs: values['profile-worker'] ? ['--cpu-prof', `--cpu-prof-dir=${values['profile-worker']}`] : [],
  });
  try {
    await stack.workersPolling(taskQueue);
    const worker = stopWorker.processes[0]?.pid as number;
    // Where the CPU went: the emulator runs in this process, the rest in their own.
    const groups = { worker, emulator: process.pid };
    const cpuBefore = await cpuSnapshot(groups, ['postgres', 'temporal']);
    const started = performance.now();
    const handle = await startBackfill(stack.client, taskQueue, {
      migration: 'eboekhouden-mutations',
      concurrency,
      id: `bench-${mutations}`,
    });
    const report = await handle.result();
    const durationMs = performance.now() - started;
    const cpuSeconds = cpuSecondsBetween(cpuBefore, await cpuSnapshot(groups, ['postgres', 'temporal']));
    const workerPeakRssMb = await peakRssMb(worker);
    const calls = apiCalls(emulator);
    const db = createDb(databaseUrl, 1);
    // The database sums its lines while this process computes the source's.
    const summing = targetFingerprint(db);
    const source = sourceFingerprint(mutationsOf(emulator), emulator);
    const target = await summing;
    await db.destroy();
    const exact =
      report.problems.length === 0 &&
      target.mutations === source.mutations &&
      target.lines === source.lines &&
      target.sum === source.sum;
    return {
      mutations,
      durationMs: Math.round(durationMs),
      mutationsPerSecond: Math.round((mutations * 1000) / durationMs),
      apiCalls: calls,
      apiCallsPerMutation: Math.round((calls / mutations) * 10_000) / 10_000,
      apiCallsByRoute: { ...emulator.stats.byRoute },
      workerPeakRssMb,
      maxHistoryEvents: report.maxHistoryEvents,
      cpuSeconds,
      exact,
      rows: target.lines,
    };
  } finally {
    await stopWorker();
    await emulator.close();
  }
}

/** Every mutation read (list + detail, as ferry reads them) and nothing written, from an emulator of its own. */
async function runSourceOnly(mutations: number) {
  const emulator = await startEboekhoudenEmulator({ mutations, ...emulatorOptions });
  try {
    // As many readers as ferry runs partitions, each with its 16 detail requests in flight.
    return await readSourceOnly(emulator.connection, mutations, concurrency);
  } finally {
    await emulator.close();
  }
}

/** The seed's loop over the first `sample` mutations, from an emulator and into a database of its own. */
async function runSeedLoop(sample: number) {
  const emulator = await startEboekhoudenEmulator({ mutations: Math.max(sample, 1000), ...emulatorOptions });
  const databaseUrl = await stack.createDatabase('seed_loop');
  // Two connections: one holds the schema lock while the other prepares the target.
  const db = createDb(databaseUrl, 2);
  try {
    await eboekhoudenMutations.prepareTarget(db);
    const started = performance.now();
    await seedMutationLoop(db, emulator.connection, sample);
    const durationMs = performance.now() - started;
    const written = await targetFingerprint(db);
    if (written.mutations !== sample)
      throw new Error(`the seed's loop wrote ${written.mutations} of ${sample}`);
    return {
      sampled: sample,
      durationMs: Math.round(durationMs),
      mutationsPerSecond: Math.round((sample * 1000) / durationMs),
      apiCallsPerMutation: Math.round((apiCalls(emulator) / sample) * 10_000) / 10_000,
    };
  } finally {
    await db.destroy();
    await emulator.close();
  }
}

try {
  const runs = [];
  let seedLoop: Awaited<ReturnType<typeof runSeedLoop>> | undefined;
  for (const size of sizes) {
    log(`ferry: backfilling ${size} mutations through Temporal...`);
    const run = await runFerry(size);
    log(
      `ferry: ${run.mutationsPerSecond} mutations/s, ${run.apiCallsPerMutation} API calls per mutation, worker peak RSS ${run.workerPeakRssMb} MB, exact ${run.exact}`,
    );
    runs.push(run);
    // Right after ferry's first size, which the ratio is of, not after the larger ones: the loop waits on the disk (a
    // commit per mutation) and ferry on the CPU, each drifting on its own over an hour. Not before it either: so soon
    // after a fresh cluster and Temporal start, the loop ran at 101/s, and at 188/s a minute later.
    if (!seedLoop) {
      log(`seed loop: one mutation at a time, a commit each, ${seedSample} mutations...`);
      seedLoop = await runSeedLoop(seedSample);
    }
  }
  if (!seedLoop) throw new Error('no size to run');
  log(`source only: reading ${runs[0]?.mutations} mutations, nothing written...`);
  const sourceRead = await runSourceOnly(runs[0]?.mutations as number);
  const [first, ...rest] = runs as [(typeof runs)[number], ...typeof runs];
  const last = rest[rest.length - 1];
  const result = {
    benchmark: 'eboekhouden',
    concurrency,
    sourceLatencyMs: latencyMs,
    mutations: first.mutations,
    mutationsPerSecond: first.mutationsPerSecond,
    apiCallsPerMutation: first.apiCallsPerMutation,
    workerPeakRssMb: first.workerPeakRssMb,
    exact: runs.every((run) => run.exact),
    ratioToSeedLoop: Math.round((first.mutationsPerSecond / seedLoop.mutationsPerSecond) * 10) / 10,
    /** Reading the source alone to the seed's loop: with no latency, no loader of it does better here. */
    sourceReadToSeedLoop: Math.round((sourceRead.recordsPerSecond / seedLoop.mutationsPerSecond) * 10) / 10,
    ferryToSourceRead: Math.round((first.mutationsPerSecond / sourceRead.recordsPerSecond) * 100) / 100,
    ...(last
      ? {
          rssGrowth: {
            from: first.mutations,
            to: last.mutations,
            ratio: Math.round((last.workerPeakRssMb / first.workerPeakRssMb) * 100) / 100,
          },
        }
      : {}),
    runs,
    seedLoop,
    sourceRead,
    node: process.version,
  };
  log(
    `| run | mutations/s | API calls/mutation | worker peak RSS MB | exact |\n| --- | --- | --- | --- | --- |\n${runs
      .map(
        (run) =>
          `| ferry, ${run.mutations} | ${run.mutationsPerSecond} | ${run.apiCallsPerMutation} | ${run.workerPeakRssMb} | ${run.exact} |`,
      )
      .join(
        '\n',
      )}\n| seed loop, ${seedLoop.sampled} sampled | ${seedLoop.mutationsPerSecond} | ${seedLoop.apiCallsPerMutation} | | |\n` +
      `| source only, read and parsed, nothing written | ${sourceRead.recordsPerSecond} | | | |\n` +
      `ferry/seed loop ${result.ratioToSeedLoop}, source read/seed loop ${result.sourceReadToSeedLoop}, ferry/source read ${result.ferryToSourceRead}`,
  );
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await stack.stop();
}
