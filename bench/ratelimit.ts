/**
 * The shared rate limit across workers (issue 6): a WooCommerce backfill against an emulator that allows L
 * requests a minute, with the connection's ferry limit set to L (`ferry rate-limit woocommerce L`), run by 1, 2
 * and 4 `ferry worker` processes. For each: the most requests any sliding 60-second window saw at the emulator
 * (must stay ≤ 1.02 × L), the request rate over the run (≥ 0.95 × L), and the 429s. Prints JSON on stdout.
 *
 *   npm run bench:ratelimit -- [--limit 600] [--seconds 90] [--workers 1,2,4] [--json]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { startBackfill } from '../src/client/backfill.js';
import { connectionEnv } from '../src/config.js';
import { SharedRateLimiter } from '../src/connectors/shared-rate-limit.js';
import { startWooEmulator } from '../src/sandbox/emulators/woocommerce/server.js';
import { startEmbeddedPostgres } from '../src/sandbox/postgres.js';
import { resolveTemporalCli } from '../src/sandbox/temporal-cli.js';
import { startTemporalDevServer } from '../src/sandbox/temporal-server.js';
import { createDb } from '../src/target/db.js';
import { migrateToLatest } from '../src/target/migrate.js';

const { values } = parseArgs({
  options: {
    limit: { type: 'string', default: '600' },
    seconds: { type: 'string', default: '90' },
    workers: { type: 'string', default: '1,2,4' },
    json: { type: 'boolean', default: false },
  },
});
const limit = Number(values.limit);
// Enough orders (100 a page) to keep the source busy for about `seconds` at the limit.
const orders = Math.round((limit * Number(values.seconds)) / 60) * 100;
const workerCounts = (values.workers as string).split(',').map(Number);
const log = (message: string) => process.stderr.write(`${message}\n`);

const home = await mkdtemp(join(tmpdir(), 'ferry-bench-ratelimit-'));
await chmod(home, 0o755);
const postgres = await startEmbeddedPostgres({ dataDir: join(home, 'postgres'), fresh: true });
const temporal = await startTemporalDevServer({ cli: await resolveTemporalCli() });
const connection = await Connection.connect({ address: temporal.address });
const client = new Client({ connection, namespace: temporal.namespace });

async function runWith(workerCount: number) {
  const emulator = await startWooEmulator({ orders, seed: 1, rateLimitPerMinute: limit });
  const name = `ratelimit_${workerCount}`;
  const admin = createDb(postgres.databaseUrl, 1);
  await admin.raw(`create database ${name}`);
  await admin.destroy();
  const databaseUrl = postgres.databaseUrl.replace(/\/ferry$/, `/${name}`);
  const db = createDb(databaseUrl, 3);
  await migrateToLatest(db);
  await SharedRateLimiter.setLimit(db, 'woocommerce', limit);
  await db.destroy();
  const taskQueue = `bench-${workerCount}`;
  const workers: ChildProcess[] = Array.from({ length: workerCount }, () =>
    spawn(process.execPath, ['bin/ferry.js', 'worker'], {
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: temporal.address,
        DATABASE_URL: databaseUrl,
        FERRY_TASK_QUEUE: taskQueue,
        FERRY_HOME: join(home, 'none'),
        ...connectionEnv('woocommerce', emulator.connection),
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    }),
  );
  try {
    const handle = await startBackfill(client, taskQueue, {
      migration: 'woocommerce-orders',
      id: `bench/ratelimit-${workerCount}`,
      partitionDays: 30,
      concurrency: 4 * workerCount, // more demand than the limit allows, so the limit is what paces the run
    });
    const report = await handle.result();
    const { stats } = emulator;
    const spanMinutes = ((stats.lastRequestAtMs ?? 0) - (stats.firstRequestAtMs ?? 0)) / 60_000;
    const requestsPerMinute = Math.round((stats.requests - 1) / spanMinutes);
    return {
      workers: workerCount,
      requests: stats.requests,
      peakPerMinute: stats.peakPerMinute,
      requestsPerMinute,
      peakToLimit: Math.round((stats.peakPerMinute / limit) * 1000) / 1000,
      rateToLimit: Math.round((requestsPerMinute / limit) * 1000) / 1000,
      tooManyRequests: stats.byStatus['429'] ?? 0,
      ordersCopied: report.records.fetched,
      exact: report.problems.length === 0,
      durationSeconds: Math.round(report.elapsedMs / 1000),
    };
  } finally {
    for (const worker of workers) worker.kill('SIGTERM');
    await Promise.all(workers.map((worker) => once(worker, 'exit')));
    await emulator.close();
  }
}

try {
  const runs = [];
  for (const workerCount of workerCounts) {
    log(`${workerCount} worker(s): backfilling ${orders} orders at ${limit} requests/minute...`);
    const run = await runWith(workerCount);
    log(JSON.stringify(run));
    runs.push(run);
  }
  const result = {
    benchmark: 'ratelimit',
    limit,
    orders,
    targets: { peakToLimit: '<= 1.02', rateToLimit: '>= 0.95' },
    runs,
    node: process.version,
  };
  if (!values.json) {
    log(
      `| workers | peak requests in any 60 s | / limit | requests per minute | / limit | 429s |\n| --- | --- | --- | --- | --- | --- |\n${runs
        .map(
          (run) =>
            `| ${run.workers} | ${run.peakPerMinute} | ${run.peakToLimit} | ${run.requestsPerMinute} | ${run.rateToLimit} | ${run.tooManyRequests} |`,
        )
        .join('\n')}`,
    );
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await connection.close();
  await temporal.stop();
  await postgres.stop();
  await rm(home, { recursive: true, force: true });
}
