/**
 * Hostile sources (issue 6), two runs against the WooCommerce emulator, each by one `ferry worker` process:
 *
 * 1. faults: a backfill of 100,000 orders with 5% 5xx, 2% hung requests, a 429 storm (every request answered 429
 *    with Retry-After: 0 for 15 s), one page that is always malformed and 0.1% malformed records. Checks that the
 *    run completes, that fetched = written + dead-lettered exactly, that every good record is exact in the target
 *    and every dead letter has a reason; then turns the faults off, runs `ferry dlq retry` and checks that the
 *    target equals the source.
 * 2. lowered-limit: a backfill with no ferry limit against a store that allows 600 requests a minute, lowered
 *    to 120 a minute 20 s in. Reports the 429s and the request rate per 15 s before and after, so the adaptive
 *    slow-down (AIMD) shows, and whether the run completed.
 *
 *   npm run bench:faults -- [--orders 100000] [--only faults|lowered-limit] [--json]
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { startBackfill } from '../src/client/backfill.js';
import { retryDeadLetters } from '../src/client/dead-letters.js';
import { connectionEnv } from '../src/config.js';
import type { FaultSettings } from '../src/sandbox/emulators/faults.js';
import { startWooEmulator, type WooEmulator } from '../src/sandbox/emulators/woocommerce/server.js';
import { checksum, expectedLines, targetLines } from '../src/sandbox/woocommerce-fingerprint.js';
import { createDb } from '../src/target/db.js';
import { startBenchStack } from './lib/stack.js';

const { values } = parseArgs({
  options: {
    orders: { type: 'string', default: '100000' },
    only: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const orders = Number(values.orders);
const log = (message: string) => process.stderr.write(`${message}\n`);

const stack = await startBenchStack('faults');
const { client } = stack;

async function control(emulator: WooEmulator, path: string, body: unknown): Promise<void> {
  const response = await fetch(`${emulator.controlUrl}${path}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`emulator ${path}: ${response.status} ${await response.text()}`);
}

/** A database of its own and one worker process whose `woocommerce` connection is the emulator. */
async function workerFor(name: string, emulator: WooEmulator) {
  const databaseUrl = await stack.createDatabase(name);
  const db = createDb(databaseUrl, 3);
  const taskQueue = `bench-${name}`;
  const stopWorkers = stack.startWorkers(1, {
    databaseUrl,
    taskQueue,
    // Hung requests are given up on after 5 s rather than the default minute.
    env: connectionEnv('woocommerce', { ...emulator.connection, requestTimeoutSeconds: 5 }),
  });
  return {
    db,
    taskQueue,
    stop: async () => {
      await stopWorkers();
      await db.destroy();
    },
  };
}

async function faultRun() {
  const emulator = await startWooEmulator({ orders, seed: 6 });
  const { db, taskQueue, stop } = await workerFor('faults', emulator);
  try {
    const pageBreaker = Math.floor(orders / 3);
    const faults: Partial<FaultSettings> = {
      errorRate: 0.05,
      hangRate: 0.02,
      malformedRecordRate: 0.001,
      pageBreakingIds: [pageBreaker],
    };
    await control(emulator, '/faults', faults);
    const startedAt = Date.now();
    const handle = await startBackfill(client, taskQueue, {
      migration: 'woocommerce-orders',
      id: 'bench/faults',
      partitionDays: 90,
      concurrency: 4,
    });
    await sleep(10_000);
    log('429 storm: every request answered 429 (Retry-After: 0) for 15 s');
    await control(emulator, '/faults', { tooManyRequestsRate: 1, stormRetryAfter: '0' });
    await sleep(15_000);
    await control(emulator, '/faults', { tooManyRequestsRate: 0 });
    const report = await handle.result();
    const backfillSeconds = Math.round((Date.now() - startedAt) / 1000);
    const stats = structuredClone(emulator.stats);
    await control(emulator, '/faults', {
      errorRate: 0,
      hangRate: 0,
      malformedRecordRate: 0,
      pageBreakingIds: [],
    });

    const letters = await db('ferry_dead_letters').select<
      { source_key: string; error_class: string; error_message: string; payload: unknown }[]
    >('source_key', 'error_class', 'error_message', 'payload');
    const deadIds = new Set(
      letters.filter((l) => l.error_class === 'InvalidRecordError').map((l) => Number(l.source_key)),
    );
    const written = await targetLines(db);
    const writtenIds = new Set(
      written.filter((line) => line.startsWith('order|')).map((line) => Number(line.split('|')[1])),
    );
    // The source as it is with the faults off: malformed records are fixed there.
    const source = Array.from({ length: emulator.store.size }, (_, index) => emulator.store.order(index));
    const good = source.filter((order) => writtenIds.has(order.id));
    const goodExact = checksum(written) === checksum(expectedLines(good));
    const missing = source.filter((order) => !writtenIds.has(order.id) && !deadIds.has(order.id)).length;

    const retryStartedAt = Date.now();
    const retried = await retryDeadLetters(client, taskQueue, {
      migration: 'woocommerce-orders',
      filter: {},
    });
    const retrySeconds = Math.round((Date.now() - retryStartedAt) / 1000);
    const afterRetry = checksum(await targetLines(db)) === checksum(expectedLines(source));
    const r = report.records;
    return {
      scenario: 'faults',
      orders,
      completed: report.state === 'completed',
      backfillSeconds,
      requests: stats.requests,
      serverErrors:
        (stats.byStatus['500'] ?? 0) + (stats.byStatus['502'] ?? 0) + (stats.byStatus['503'] ?? 0),
      hangs: stats.hangs,
      tooManyRequests: stats.byStatus['429'] ?? 0,
      malformedPagesServed: stats.malformedPages,
      fetched: r.fetched,
      written: r.inserted + r.updated + r.unchanged,
      deadLettered: r.deadLettered,
      failedPages: r.failedPages,
      fetchedEqualsWrittenPlusDeadLettered:
        r.fetched === r.inserted + r.updated + r.unchanged + r.deadLettered,
      deadLetterRows: letters.length,
      everyDeadLetterHasAReason: letters.every((letter) => letter.error_message.trim().length > 0),
      goodRecordsExact: goodExact,
      notWrittenNorDeadLettered: missing,
      retry: { ...retried, seconds: retrySeconds },
      targetEqualsSourceAfterRetry: afterRetry,
    };
  } finally {
    await stop();
    await emulator.close();
  }
}

async function loweredLimitRun() {
  const limitBefore = 600;
  const limitAfter = 120;
  // Long enough that most of it runs after the store lowers its limit: about 700 pages.
  const emulator = await startWooEmulator({ orders: 70_000, seed: 7, rateLimitPerMinute: limitBefore });
  const { taskQueue, stop } = await workerFor('lowered', emulator);
  try {
    const startedAt = Date.now();
    const handle = await startBackfill(client, taskQueue, {
      migration: 'woocommerce-orders',
      id: 'bench/lowered-limit',
      partitionDays: 60,
      concurrency: 4,
      verifySample: 0,
    });
    const intervals: { atSeconds: number; requests: number; ok: number; tooMany: number }[] = [];
    let last = { requests: 0, tooMany: 0 };
    let lowered = false;
    let done = false;
    handle.result().then(
      () => {
        done = true;
      },
      () => {
        done = true;
      },
    );
    while (!done) {
      await sleep(15_000);
      const atSeconds = Math.round((Date.now() - startedAt) / 1000);
      const now = { requests: emulator.stats.requests, tooMany: emulator.stats.byStatus['429'] ?? 0 };
      const requests = now.requests - last.requests;
      const tooMany = now.tooMany - last.tooMany;
      intervals.push({ atSeconds, requests, ok: requests - tooMany, tooMany });
      last = now;
      log(`${atSeconds}s: ${requests} requests, ${tooMany} 429s in the last 15 s`);
      if (!lowered && atSeconds >= 20) {
        lowered = true;
        log(`the store now allows ${limitAfter} requests a minute`);
        await control(emulator, '/rate-limit', { requestsPerMinute: limitAfter });
      }
    }
    const report = await handle.result();
    const after = intervals.filter((interval) => interval.atSeconds > 30);
    // Two minutes after the store lowered its limit, to the last whole interval before the run ended.
    const settled = intervals.filter((interval) => interval.atSeconds > 140).slice(0, -1);
    const sum = (list: typeof intervals, key: 'ok' | 'tooMany' | 'requests') =>
      list.reduce((total, interval) => total + interval[key], 0);
    return {
      scenario: 'lowered-limit',
      limitBefore,
      limitAfter,
      completed: report.state === 'completed',
      exact: report.problems.length === 0,
      seconds: Math.round((Date.now() - startedAt) / 1000),
      intervals,
      tooManyRequestsAfterLowering: sum(after, 'tooMany'),
      settled: {
        fromSecond: settled[0]?.atSeconds ?? null,
        toSecond: settled.at(-1)?.atSeconds ?? null,
        okPerMinute: Math.round((sum(settled, 'ok') * 60) / Math.max(1, settled.length * 15)),
        okToLimit:
          Math.round(((sum(settled, 'ok') * 60) / Math.max(1, settled.length * 15) / limitAfter) * 1000) /
          1000,
        tooManyRequests: sum(settled, 'tooMany'),
        tooManyShare:
          Math.round((sum(settled, 'tooMany') / Math.max(1, sum(settled, 'requests'))) * 1000) / 1000,
      },
    };
  } finally {
    await stop();
    await emulator.close();
  }
}

try {
  const runs = [];
  if (values.only !== 'lowered-limit') {
    log(
      `faults: backfilling ${orders} orders through 5xx, hangs, a 429 storm, a broken page and broken records...`,
    );
    runs.push(await faultRun());
    log(JSON.stringify(runs.at(-1)));
  }
  if (values.only !== 'faults') {
    log('lowered-limit: the store lowers its limit from 600 to 120 requests a minute mid-run...');
    runs.push(await loweredLimitRun());
    log(JSON.stringify(runs.at(-1)));
  }
  process.stdout.write(`${JSON.stringify({ benchmark: 'faults', runs, node: process.version })}\n`);
} finally {
  await stack.stop();
}
