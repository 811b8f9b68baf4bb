/**
 * The shared rate limit across workers (issue 6): a WooCommerce backfill against an emulator that allows L
 * requests a minute, with the connection's ferry limit set to L (`ferry rate-limit woocommerce L`), run by 1, 2
 * and 4 `ferry worker` processes. For each: the most requests any sliding 60-second window saw at the emulator
 * (must stay ≤ 1.02 × L), the request rate over the run (≥ 0.95 × L), and the 429s. Prints JSON on stdout.
 *
 *   npm run bench:ratelimit -- [--limit 600] [--seconds 90] [--workers 1,2,4] [--json]
 */
import { parseArgs } from 'node:util';
import { startBackfill } from '../src/client/backfill.js';
import { connectionEnv } from '../src/config.js';
import { SharedRateLimiter } from '../src/connectors/shared-rate-limit.js';
import { startWooEmulator } from '../src/sandbox/emulators/woocommerce/server.js';
import { createDb } from '../src/target/db.js';
import { startBenchStack } from './lib/stack.js';

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

const stack = await startBenchStack('ratelimit');
const { client } = stack;

async function runWith(workerCount: number) {
  const emulator = await startWooEmulator({ orders, seed: 1, rateLimitPerMinute: limit });
  const databaseUrl = await stack.createDatabase(`ratelimit_${workerCount}`);
  const db = createDb(databaseUrl, 1);
  await SharedRateLimiter.setLimit(db, 'woocommerce', limit);
  await db.destroy();
  const taskQueue = `bench-${workerCount}`;
  const stopWorkers = stack.startWorkers(workerCount, {
    databaseUrl,
    taskQueue,
    env: connectionEnv('woocommerce', emulator.connection),
  });
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
    await stopWorkers();
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
  await stack.stop();
}
