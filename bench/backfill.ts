/**
 * ferry's end-to-end backfill against, in the same run and on the same rows, the database's ceiling (the faster
 * of COPY into staging + merge and ferry's unnest upserts, on already-transformed rows: no HTTP, no Temporal), the
 * physical limit of a first load (COPY straight into the empty tables, constraints and indexes as ferry has them) and
 * the seeds' naive loop (end to end from the same emulator: pages of 50, then per order a customer lookup, one
 * INSERT per row and a commit; sampled). And the source alone: the store read and parsed by a process of its own,
 * nothing written (bench/lib/read-source.ts): with the source answering at once, the pace no loader of it beats on
 * this machine. Prints JSON on stdout and a table on stderr.
 *
 * A small store (`--small-store`, 5,000 orders unless told) is backfilled after the main run, from its own emulator
 * into its own database: users judge a tool by their first small try. It runs on a worker just started, then again
 * on the same worker into the emptied tables (`smallStore.warmWorker`). CPU seconds per 1,000 orders are counted for
 * the worker, PostgreSQL and Temporal (the emulator's are the source's, not ferry's).
 *
 *   npm run bench:backfill -- [--orders 1000000] [--concurrency 4] [--pages-per-chunk N] [--naive-sample 2000] [--small-store 5000] [--profile-worker DIR] [--ferry-only] [--json]
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import type { Knex } from 'knex';
import { startBackfill } from '../src/client/backfill.js';
import { connectionEnv } from '../src/config.js';
import { RecordRows, type TargetRows, writeTarget } from '../src/kit/index.js';
import { woocommerceOrders } from '../src/migrations/woocommerce-orders/index.js';
import { target } from '../src/migrations/woocommerce-orders/target.js';
import { startWooEmulator, type WooEmulator } from '../src/sandbox/emulators/woocommerce/server.js';
import { startEmbeddedPostgres } from '../src/sandbox/postgres.js';
import { resolveTemporalCli } from '../src/sandbox/temporal-cli.js';
import { startTemporalDevServer } from '../src/sandbox/temporal-server.js';
import { createDb } from '../src/target/db.js';
import { copyAndMerge } from './lib/copy-merge.js';
import { cpuSecondsBetween, cpuSnapshot } from './lib/cpu.js';
import { seedLoop } from './lib/naive.js';
import { rawCopy, rawCopyLoad } from './lib/raw-copy.js';
import { readSourceOnly, type SourceRead } from './lib/source-only.js';

const { values } = parseArgs({
  options: {
    orders: { type: 'string', default: '100000' },
    concurrency: { type: 'string', default: '4' },
    'pages-per-chunk': { type: 'string' },
    'naive-sample': { type: 'string', default: '2000' },
    /** Orders of the small store backfilled after the main run; 0: none. */
    'small-store': { type: 'string', default: '5000' },
    /** Write the worker's V8 CPU profile into this directory (open it in Chrome DevTools). */
    'profile-worker': { type: 'string' },
    /** Only ferry's run: for memory and history at sizes where the database-only paths would take too long. */
    'ferry-only': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const orders = Number(values.orders);
const concurrency = Number(values.concurrency);
const naiveSample = Math.min(orders, Number(values['naive-sample']));
const BATCH = 5000;
const log = (message: string) => process.stderr.write(`${message}\n`);

const home = await mkdtemp(join(tmpdir(), 'ferry-bench-'));
await chmod(home, 0o755);
const postgres = await startEmbeddedPostgres({ dataDir: join(home, 'postgres'), fresh: true });
const cli = await resolveTemporalCli();
const temporal = await startTemporalDevServer({ cli });
const emulator = await startWooEmulator({ orders, seed: 1 });
const admin = createDb(postgres.databaseUrl, 1);
for (const name of ['ferry_run', 'small_store', 'ceiling_copy', 'ceiling_unnest', 'raw_copy', 'naive'])
  await admin.raw(`create database ${name}`);
await admin.destroy();
const urlOf = (name: string) => postgres.databaseUrl.replace(/\/ferry$/, `/${name}`);
const connection = await Connection.connect({ address: temporal.address });
const client = new Client({ connection, namespace: temporal.namespace });

// Where the CPU went during ferry's run: the emulator runs in this process, the rest in their own.
const CPU_COMMANDS = ['postgres', 'temporal'];
const cpuGroups = (workerPid: number) => ({ worker: workerPid, emulator: process.pid });

async function countOrders(url: string): Promise<number> {
  const db = createDb(url, 1);
  try {
    const [{ n }] = (await db('orders').count({ n: '*' })) as [{ n: string }];
    return Number(n);
  } finally {
    await db.destroy();
  }
}

async function peakRssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024);
}

/** When the last chunk of a run that had records committed, by the database's clock (the same machine's). */
async function lastCommitAt(url: string, runId: string): Promise<number> {
  const db = createDb(url, 1);
  try {
    const [row] = (await db('ferry_chunk_timings')
      .where({ run_id: runId })
      .where('records', '>', 0)
      .max({ at: 'finished_at' })) as [{ at: Date }];
    return row.at.getTime();
  } finally {
    await db.destroy();
  }
}

/** Empties the target's tables, so that the next backfill into them is a first load again. */
async function emptyTarget(url: string): Promise<void> {
  const db = createDb(url, 1);
  try {
    await db.raw('truncate table order_items, orders, customers');
  } finally {
    await db.destroy();
  }
}

/** A worker of its own for a store and a database, polling when this returns. */
async function startWorker(store: WooEmulator, database: string, profile: string[] = []) {
  const taskQueue = `bench-${database}`;
  const worker = spawn(process.execPath, [...profile, 'bin/ferry.js', 'worker'], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: temporal.address,
      DATABASE_URL: urlOf(database),
      FERRY_TASK_QUEUE: taskQueue,
      FERRY_HOME: join(home, 'none'),
      ...connectionEnv('woocommerce', store.connection),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (;;) {
    const queue = await client.workflowService.describeTaskQueue({
      namespace: temporal.namespace,
      taskQueue: { name: taskQueue },
    });
    if ((queue.pollers ?? []).length > 0) break;
    await sleep(200);
  }
  // A user's first command comes a moment after the worker says it polls: by then a worker has run its own check
  // (src/worker-check.ts), which a run started at the very instant it polls would race.
  await sleep(1000);
  return {
    pid: worker.pid as number,
    taskQueue,
    stop: async () => {
      worker.kill('SIGTERM');
      await once(worker, 'exit');
    },
  };
}

/** One backfill of the whole store on a running worker, timed from its start to its result and to its last commit. */
async function timedBackfill(
  worker: { pid: number; taskQueue: string },
  database: string,
  count: number,
  id: string,
) {
  const cpuBefore = await cpuSnapshot(cpuGroups(worker.pid), CPU_COMMANDS);
  const startedAt = Date.now();
  const started = performance.now();
  const handle = await startBackfill(client, worker.taskQueue, {
    migration: 'woocommerce-orders',
    concurrency,
    pagesPerChunk: values['pages-per-chunk'] ? Number(values['pages-per-chunk']) : undefined,
    id,
  });
  const report = await handle.result();
  const durationMs = performance.now() - started;
  const cpuSeconds = cpuSecondsBetween(cpuBefore, await cpuSnapshot(cpuGroups(worker.pid), CPU_COMMANDS));
  // A figure only counts for a run that copied everything: check it as the database-only paths are checked.
  const written = await countOrders(urlOf(database));
  if (report.records.fetched !== count || written !== count || report.problems.length > 0)
    throw new Error(
      `ferry fetched ${report.records.fetched} and wrote ${written} of ${count} orders; problems: ${JSON.stringify(report.problems)}`,
    );
  const ferryCpu = (cpuSeconds.worker ?? 0) + (cpuSeconds.postgres ?? 0) + (cpuSeconds.temporal ?? 0);
  return {
    durationMs: Math.round(durationMs),
    ordersPerSecond: Math.round((count * 1000) / durationMs),
    /** From the start to the last chunk's commit: the data is all there (the run then checks a sample). */
    toLastCommitMs: (await lastCommitAt(urlOf(database), id)) - startedAt,
    maxHistoryEvents: report.maxHistoryEvents,
    cpuSeconds,
    /** The worker's, PostgreSQL's and Temporal's CPU seconds per 1,000 orders. */
    cpuSecondsPer1000Orders: Math.round((ferryCpu * 1000 * 1000) / count) / 1000,
  };
}

/** ferry end to end: a worker of its own, a backfill of the whole store. */
async function runFerry(store: WooEmulator, database: string, count: number, profile: string[] = []) {
  const worker = await startWorker(store, database, profile);
  const startupRss = await peakRssMb(worker.pid);
  const run = await timedBackfill(worker, database, count, `bench-${database}`);
  const rss = await peakRssMb(worker.pid);
  await worker.stop();
  return {
    ...run,
    workerPeakRssMb: rss,
    /** The peak before the backfill started: loading, bundling the workflows, connecting. */
    workerStartupPeakRssMb: startupRss,
  };
}

/**
 * A small store's first load, from its own emulator into its own database: on a worker just started (a user's first
 * try), then again on the same worker, warm, into the emptied tables (a deployed worker's next small job).
 */
async function runSmallStore(count: number, mainOrdersPerSecond: number) {
  const store = await startWooEmulator({ orders: count, seed: 2 });
  const worker = await startWorker(store, 'small_store');
  try {
    const summary = (run: Awaited<ReturnType<typeof timedBackfill>>) => ({
      seconds: Math.round(run.toLastCommitMs / 10) / 100,
      ordersPerSecond: Math.round((count * 1000) / run.toLastCommitMs),
      resultSeconds: Math.round(run.durationMs / 10) / 100,
      /** Its orders per second to the last commit, to the main run's. */
      toMainRun: Math.round(((count * 1000) / run.toLastCommitMs / mainOrdersPerSecond) * 100) / 100,
      cpuSecondsPer1000Orders: run.cpuSecondsPer1000Orders,
      cpuSeconds: run.cpuSeconds,
    });
    const cold = await timedBackfill(worker, 'small_store', count, 'bench-small-store');
    await emptyTarget(urlOf('small_store'));
    const warm = await timedBackfill(worker, 'small_store', count, 'bench-small-store-warm');
    return { orders: count, ...summary(cold), warmWorker: summary(warm) };
  } finally {
    await worker.stop();
    await store.close();
  }
}

/** The source's orders, already transformed, in transactions of BATCH orders: generated before any clock starts. */
function transformedBatches(count: number): TargetRows[] {
  const batches: TargetRows[] = [];
  for (let start = 0; start < count; start += BATCH) {
    const records = [];
    for (let index = start; index < Math.min(count, start + BATCH); index++)
      records.push(emulator.store.order(index));
    batches.push(new RecordRows(target).add(records).build());
  }
  return batches;
}

/** Runs `body` against a fresh target and times it; the rate counts only if every order arrived. */
async function timedWrite(name: string, count: number, poolSize: number, body: (db: Knex) => Promise<void>) {
  const db = createDb(urlOf(name), poolSize);
  await woocommerceOrders.prepareTarget(db);
  const cpuBefore = await cpuSnapshot({}, ['postgres']);
  const began = performance.now();
  await body(db);
  const timedMs = performance.now() - began;
  const cpu = cpuSecondsBetween(cpuBefore, await cpuSnapshot({}, ['postgres']));
  await db.destroy();
  const written = await countOrders(urlOf(name));
  if (written !== count) throw new Error(`${name} wrote ${written} of ${count}`);
  return {
    timedMs: Math.round(timedMs),
    ordersPerSecond: Math.round((count * 1000) / timedMs),
    /** PostgreSQL's CPU seconds for the path: against ferry's, what its own statements cost the database. */
    postgresCpuSeconds: cpu.postgres ?? 0,
  };
}

/**
 * Only the database work, with as many writers at once as ferry runs partitions: a ceiling has to be the best
 * the database can do here, and one writer leaves a core idle.
 */
function runDatabaseOnly(
  name: string,
  batches: readonly TargetRows[],
  write: (db: Knex, rows: TargetRows) => Promise<void>,
) {
  return timedWrite(name, orders, concurrency, async (db) => {
    let next = 0;
    const writer = async () => {
      for (let batch = batches[next++]; batch; batch = batches[next++]) await write(db, batch);
    };
    await Promise.all(Array.from({ length: concurrency }, writer));
  });
}

/** Orders per second of reading and raw COPY done together at best: each at its own pace, their CPU on every core. */
function readAndCopyBound(read: SourceRead, copied: Awaited<ReturnType<typeof timedWrite>>): number {
  const cpuSeconds = read.cpuSeconds.reader + read.cpuSeconds.emulator + copied.postgresCpuSeconds;
  const seconds = Math.max(read.timedMs / 1000, copied.timedMs / 1000, cpuSeconds / availableParallelism());
  return orders / seconds;
}

async function compareWithDatabase(ferry: Awaited<ReturnType<typeof runFerry>>) {
  // The database alone, two ways, on the same transformed rows; the faster one is the ceiling.
  // First, while this process (the emulator's) holds nothing of the store: its garbage collection is the source's.
  log(`source only: reading the store, ${concurrency} readers, nothing written...`);
  const sourceRead = await readSourceOnly(emulator.connection, orders, concurrency);
  log(`ceiling: transforming ${orders} orders ahead of the clock...`);
  const batches = transformedBatches(orders);
  log(`ceiling: COPY into staging + merge, ${BATCH} orders per transaction, ${concurrency} writers...`);
  const copyMerge = await runDatabaseOnly('ceiling_copy', batches, copyAndMerge);
  log(`ceiling: ferry's unnest upserts, ${BATCH} orders per transaction, ${concurrency} writers...`);
  // The upsert path itself: a first load's chunks would otherwise go in with COPY.
  const unnest = await runDatabaseOnly('ceiling_unnest', batches, (db, rows) =>
    db.transaction((trx) => writeTarget(trx, target, rows, { copyNewRecords: false })).then(() => undefined),
  );
  const ceiling = {
    ordersPerSecond: Math.max(copyMerge.ordersPerSecond, unnest.ordersPerSecond),
    copyMerge,
    unnest,
  };
  log(`raw COPY: straight into the empty tables, ${BATCH} orders per transaction, ${concurrency} writers...`);
  const load = rawCopyLoad(batches);
  const rawCopied = await timedWrite('raw_copy', orders, concurrency, (db) => rawCopy(db, load, concurrency));
  log(`naive: the seeds' loop, one INSERT per row and a commit per order, ${naiveSample} orders...`);
  // Two connections: one holds the schema lock while the other prepares the target.
  const naive = {
    ...(await timedWrite('naive', naiveSample, 2, (db) => seedLoop(db, emulator.connection, naiveSample))),
    sampled: naiveSample,
  };
  const ratios = {
    ferryToCeiling: Math.round((ferry.ordersPerSecond / ceiling.ordersPerSecond) * 100) / 100,
    ferryToRawCopy: Math.round((ferry.ordersPerSecond / rawCopied.ordersPerSecond) * 100) / 100,
    ferryToNaive: Math.round((ferry.ordersPerSecond / naive.ordersPerSecond) * 10) / 10,
    /** ferry's rate to reading its source alone: how much of the read's pace the writing leaves. */
    ferryToSourceRead: Math.round((ferry.ordersPerSecond / sourceRead.recordsPerSecond) * 100) / 100,
    sourceReadToRawCopy: Math.round((sourceRead.recordsPerSecond / rawCopied.ordersPerSecond) * 100) / 100,
    /**
     * The most ferryToRawCopy can be on this machine: a loader that spent nothing but the reading's CPU (the
     * source's and the reader's) and raw COPY's PostgreSQL CPU, with all cores busy, to raw COPY.
     */
    readAndCopyBoundToRawCopy:
      Math.round((readAndCopyBound(sourceRead, rawCopied) / rawCopied.ordersPerSecond) * 100) / 100,
  };
  log(
    `| path | orders/s |\n| --- | --- |\n| ferry end to end | ${ferry.ordersPerSecond} |\n| database only: COPY + merge | ${copyMerge.ordersPerSecond} |\n| database only: unnest upserts | ${unnest.ordersPerSecond} |\n| database only: raw COPY into empty tables | ${rawCopied.ordersPerSecond} |\n| naive: the seeds' loop (sampled) | ${naive.ordersPerSecond} |\n| source only: read and parsed, nothing written | ${sourceRead.recordsPerSecond} |\n` +
      `ferry/ceiling ${ratios.ferryToCeiling}, ferry/raw COPY ${ratios.ferryToRawCopy}, ferry/naive ${ratios.ferryToNaive}, ` +
      `ferry/source read ${ratios.ferryToSourceRead}, source read/raw COPY ${ratios.sourceReadToRawCopy}, ` +
      `reading + raw COPY at best/raw COPY ${ratios.readAndCopyBoundToRawCopy}`,
  );
  return { ceiling, rawCopy: rawCopied, naive, sourceRead, ratios };
}

try {
  log(`ferry: backfilling ${orders} orders through Temporal...`);
  const profile = values['profile-worker']
    ? ['--cpu-prof', `--cpu-prof-dir=${values['profile-worker']}`]
    : [];
  const ferry = await runFerry(emulator, 'ferry_run', orders, profile);
  log(
    `ferry: ${ferry.ordersPerSecond} orders/s (last commit at ${ferry.toLastCommitMs} ms), worker peak RSS ${ferry.workerPeakRssMb} MB, max history ${ferry.maxHistoryEvents}\n` +
      `CPU seconds during ferry's run (2 cores × ${(ferry.durationMs / 1000).toFixed(0)} s): ${JSON.stringify(ferry.cpuSeconds)}, ${ferry.cpuSecondsPer1000Orders} per 1,000 orders (worker, PostgreSQL, Temporal)`,
  );
  const smallCount = Number(values['small-store']);
  const smallStore = smallCount > 0 ? await runSmallStore(smallCount, ferry.ordersPerSecond) : undefined;
  if (smallStore)
    log(
      `small store: ${smallCount} orders in ${smallStore.seconds} s to the last commit (${smallStore.ordersPerSecond} orders/s) on a worker just started, ${smallStore.warmWorker.seconds} s on the same worker warm`,
    );
  const comparison = values['ferry-only'] ? {} : await compareWithDatabase(ferry);
  const result = {
    benchmark: 'backfill',
    orders,
    concurrency,
    ferry,
    ...(smallStore ? { smallStore } : {}),
    ...comparison,
    node: process.version,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await connection.close();
  await emulator.close();
  await temporal.stop();
  await postgres.stop();
  await rm(home, { recursive: true, force: true });
}
