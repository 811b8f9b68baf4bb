/**
 * ferry's e-Boekhouden backfill (list + detail, routed into invoices, payments and journal entries) against, in the
 * same run, the seed's loop (per mutation: one detail request, its relation and ledgers from a cache, then its rows
 * inserted and committed one mutation at a time; sampled right after ferry's first size). Exactness is an
 * independent checksum of the emulator's JSON against SQL. And the source alone, read as ferry reads it and nothing
 * written (bench/lib/read-source.ts): with the source answering at once, the pace no loader of it beats on this
 * machine. Several sizes (`--mutations 200000,1000000`) each run on a fresh database and emulator, so that the
 * worker's peak RSS can be compared across them. `--rounds N` runs the first size and the loop after it N times
 * and gives their medians, with each round's ratio: the machine drifts, the loop (a round trip and a commit at a
 * time) and ferry (on both cores) each its own way, and one round is one draw of their ratio. Each run and loop
 * reports how the machine's time went (`machine`: busy, idle, stolen by the hypervisor): the loop, one round trip at
 * a time, slowed from 145 to 60 mutations a second as the share stolen from it went from none to a third. Each ferry
 * run also reports its chunks' time (`chunks`) and the WAL counters (`wal`). Prints JSON on stdout and a table on
 * stderr.
 *
 *   npm run bench:eboekhouden -- [--mutations 200000[,1000000]] [--rounds 1] [--concurrency 4] [--seed-sample 2000] [--latency-ms 0] [--profile-worker DIR] [--json]
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
import { chunkTimes } from './lib/chunk-times.js';
import { cpuSecondsBetween, cpuSnapshot } from './lib/cpu.js';
import { seedMutationLoop } from './lib/eboekhouden-seed-loop.js';
import { type MachineTime, machineShares, machineTime } from './lib/machine-time.js';
import { median } from './lib/median.js';
import { peakRssMb } from './lib/memory.js';
import { readSourceOnly } from './lib/source-only.js';
import { startBenchStack } from './lib/stack.js';
import { resetWalStats, walStats } from './lib/wal-stats.js';

const { values } = parseArgs({
  options: {
    mutations: { type: 'string', default: '200000' },
    concurrency: { type: 'string', default: '4' },
    'seed-sample': { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '1' },
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
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1)
  throw new Error(`--rounds takes a whole number, at least 1: ${values.rounds}`);
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

/**
 * `run` timed, with what it cost: CPU seconds by group of processes (`groups`, postgres, temporal) and how the
 * machine's time went meanwhile (busy, idle, stolen by the hypervisor).
 */
async function measured<T>(groups: Record<string, number>, run: () => Promise<T>) {
  const cpuBefore = await cpuSnapshot(groups, ['postgres', 'temporal']);
  const machineBefore = await machineTime();
  const started = performance.now();
  const result = await run();
  const durationMs = performance.now() - started;
  const machine = machineShares(machineBefore, await machineTime());
  const cpuSeconds = cpuSecondsBetween(cpuBefore, await cpuSnapshot(groups, ['postgres', 'temporal']));
  return { result, durationMs, cpuSeconds, machine };
}

/** A round's suffix for what each run creates afresh (a database, a task queue, a workflow id). */
const ofRound = (round: number) => (round > 1 ? `_round${round}` : '');

/** ferry's backfill of `mutations`, on a database and an emulator of its own. */
async function runFerry(mutations: number, round = 1) {
  const emulator = await startEboekhoudenEmulator({ mutations, ...emulatorOptions });
  const databaseUrl = await stack.createDatabase(`ferry_${mutations}${ofRound(round)}`);
  const taskQueue = `bench-${mutations}${ofRound(round)}`;
  const stopWorker = stack.startWorkers(1, {
    databaseUrl,
    taskQueue,
    env: connectionEnv('eboekhouden', emulator.connection),
    nodeArgs: values['profile-worker'] ? ['--cpu-prof', `--cpu-prof-dir=${values['profile-worker']}`] : [],
  });
  // One connection for the WAL counters, the checksum and the chunks' times, idle while ferry runs.
  const db = createDb(databaseUrl, 1);
  try {
    await stack.workersPolling(taskQueue);
    const worker = stopWorker.processes[0]?.pid as number;
    await resetWalStats(db);
    // Where the CPU went: the emulator runs in this process, the rest in their own.
    const {
      result: report,
      durationMs,
      cpuSeconds,
      machine,
    } = await measured({ worker, emulator: process.pid }, async () => {
      const handle = await startBackfill(stack.client, taskQueue, {
        migration: 'eboekhouden-mutations',
        concurrency,
        id: taskQueue,
      });
      return handle.result();
    });
    const wal = await walStats(db);
    const workerPeakRssMb = await peakRssMb(worker);
    const calls = apiCalls(emulator);
    // The database sums its lines while this process computes the source's.
    const summing = targetFingerprint(db);
    const source = sourceFingerprint(mutationsOf(emulator), emulator);
    const target = await summing;
    const chunks = await chunkTimes(db);
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
      machine,
      chunks,
      wal,
      exact,
      rows: target.lines,
    };
  } finally {
    await db.destroy();
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
async function runSeedLoop(sample: number, round: number) {
  const emulator = await startEboekhoudenEmulator({ mutations: Math.max(sample, 1000), ...emulatorOptions });
  const databaseUrl = await stack.createDatabase(`seed_loop${ofRound(round)}`);
  // Two connections: one holds the schema lock while the other prepares the target.
  const db = createDb(databaseUrl, 2);
  try {
    await eboekhoudenMutations.prepareTarget(db);
    // The loop and the emulator both run in this process.
    const { durationMs, cpuSeconds, machine } = await measured({ loop: process.pid }, () =>
      seedMutationLoop(db, emulator.connection, sample),
    );
    const written = await targetFingerprint(db);
    if (written.mutations !== sample)
      throw new Error(`the seed's loop wrote ${written.mutations} of ${sample}`);
    return {
      sampled: sample,
      durationMs: Math.round(durationMs),
      mutationsPerSecond: Math.round((sample * 1000) / durationMs),
      apiCallsPerMutation: Math.round((apiCalls(emulator) / sample) * 10_000) / 10_000,
      cpuSeconds,
      machine,
    };
  } finally {
    await db.destroy();
    await emulator.close();
  }
}

type FerryRun = Awaited<ReturnType<typeof runFerry>>;
type SeedLoopRun = Awaited<ReturnType<typeof runSeedLoop>>;
/** The share of the machine's time the hypervisor took, as a log line's tail. */
const stolen = (machine?: MachineTime) =>
  machine ? `, ${Math.round(machine.stolen * 100)}% of the CPU stolen` : '';
const ratioOf = (ferry: FerryRun, seedLoop: SeedLoopRun) =>
  Math.round((ferry.mutationsPerSecond / seedLoop.mutationsPerSecond) * 10) / 10;

try {
  const [firstSize, ...largerSizes] = sizes as [number, ...number[]];
  const drawn: { ferry: FerryRun; seedLoop: SeedLoopRun; ratio: number }[] = [];
  for (let round = 1; round <= rounds; round++) {
    log(
      `${rounds > 1 ? `round ${round}/${rounds}: ` : ''}ferry: backfilling ${firstSize} mutations through Temporal...`,
    );
    const ferry = await runFerry(firstSize, round);
    log(
      `ferry: ${ferry.mutationsPerSecond} mutations/s, ${ferry.apiCallsPerMutation} API calls per mutation, worker peak RSS ${ferry.workerPeakRssMb} MB, exact ${ferry.exact}${stolen(ferry.machine)}`,
    );
    // Right after ferry's first size, which the ratio is of, not after the larger ones: the loop waits on its round
    // trips and commits, one mutation at a time, and ferry on both cores, each drifting on its own over an hour. Not
    // before it either: so soon after a fresh cluster and Temporal start, the loop ran at 101/s, and at 188/s a minute
    // later.
    log(`seed loop: one mutation at a time, a commit each, ${seedSample} mutations...`);
    const seedLoop = await runSeedLoop(seedSample, round);
    const ratio = ratioOf(ferry, seedLoop);
    log(
      `seed loop: ${seedLoop.mutationsPerSecond} mutations/s${stolen(seedLoop.machine)}; ferry/seed loop ${ratio}`,
    );
    drawn.push({ ferry, seedLoop, ratio });
  }
  const runs = drawn.map((round) => round.ferry);
  for (const size of largerSizes) {
    log(`ferry: backfilling ${size} mutations through Temporal...`);
    const run = await runFerry(size);
    log(
      `ferry: ${run.mutationsPerSecond} mutations/s, ${run.apiCallsPerMutation} API calls per mutation, worker peak RSS ${run.workerPeakRssMb} MB, exact ${run.exact}${stolen(run.machine)}`,
    );
    runs.push(run);
  }
  log(`source only: reading ${firstSize} mutations, nothing written...`);
  const sourceRead = await runSourceOnly(firstSize);
  const first = runs[0] as FerryRun;
  const last = largerSizes.length > 0 ? runs[runs.length - 1] : undefined;
  const workerPeakRssMb = Math.max(...drawn.map((round) => round.ferry.workerPeakRssMb));
  const mutationsPerSecond = Math.round(median(drawn.map((round) => round.ferry.mutationsPerSecond)));
  const seedLoopPerSecond = Math.round(median(drawn.map((round) => round.seedLoop.mutationsPerSecond)));
  const result = {
    benchmark: 'eboekhouden',
    concurrency,
    sourceLatencyMs: latencyMs,
    mutations: firstSize,
    rounds,
    mutationsPerSecond,
    apiCallsPerMutation: first.apiCallsPerMutation,
    // The highest of the rounds' peaks: a bound, as the target is one.
    workerPeakRssMb,
    exact: runs.every((run) => run.exact),
    /** The median of the rounds' ratios, each of ferry to the loop run right after it. */
    ratioToSeedLoop: Math.round(median(drawn.map((round) => round.ratio)) * 10) / 10,
    ...(rounds > 1
      ? {
          byRound: drawn.map((round) => ({
            mutationsPerSecond: round.ferry.mutationsPerSecond,
            seedLoopPerSecond: round.seedLoop.mutationsPerSecond,
            ratioToSeedLoop: round.ratio,
            // The machine's share the hypervisor took during each: the loop, a round trip at a time, slows most.
            ferryStolenShare: round.ferry.machine?.stolen,
            seedLoopStolenShare: round.seedLoop.machine?.stolen,
          })),
        }
      : {}),
    /** Reading the source alone to the seed's loop: with no latency, no loader of it does better here. */
    sourceReadToSeedLoop: Math.round((sourceRead.recordsPerSecond / seedLoopPerSecond) * 10) / 10,
    ferryToSourceRead: Math.round((mutationsPerSecond / sourceRead.recordsPerSecond) * 100) / 100,
    ...(last
      ? {
          rssGrowth: {
            from: first.mutations,
            to: last.mutations,
            ratio: Math.round((last.workerPeakRssMb / workerPeakRssMb) * 100) / 100,
          },
        }
      : {}),
    runs,
    // Each round's loop as it ran.
    ...(rounds === 1
      ? { seedLoop: drawn[0]?.seedLoop }
      : { seedLoops: drawn.map((round) => round.seedLoop) }),
    sourceRead,
    node: process.version,
  };
  log(
    `| run | mutations/s | API calls/mutation | worker peak RSS MB | exact |\n| --- | --- | --- | --- | --- |\n${runs
      .map(
        (run) =>
          `| ferry, ${run.mutations} | ${run.mutationsPerSecond} | ${run.apiCallsPerMutation} | ${run.workerPeakRssMb} | ${run.exact} |`,
      )
      .join('\n')}\n${drawn
      .map(
        (round) =>
          `| seed loop, ${round.seedLoop.sampled} sampled | ${round.seedLoop.mutationsPerSecond} | ${round.seedLoop.apiCallsPerMutation} | | |`,
      )
      .join('\n')}\n` +
      `| source only, read and parsed, nothing written | ${sourceRead.recordsPerSecond} | | | |\n` +
      `ferry/seed loop ${rounds > 1 ? `${drawn.map((round) => round.ratio).join(', ')} (median ${result.ratioToSeedLoop})` : result.ratioToSeedLoop}, source read/seed loop ${result.sourceReadToSeedLoop}, ferry/source read ${result.ferryToSourceRead}`,
  );
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await stack.stop();
}
