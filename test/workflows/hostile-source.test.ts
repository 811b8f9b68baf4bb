import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackfill } from '../../src/client/backfill.js';
import { retryDeadLetters } from '../../src/client/dead-letters.js';
import { summarize } from '../../src/client/run-status.js';
import { startWooEmulator, type WooEmulator } from '../../src/sandbox/emulators/woocommerce/server.js';
import { checksum, expectedLines, targetLines } from '../../src/sandbox/woocommerce-fingerprint.js';
import type { PageAddress } from '../../src/target/dead-letters.js';
import type { BackfillProgress } from '../../src/workflows/messages.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { control, listAllOrders } from '../helpers/woo-http.js';
import { startTestWorker, type TestWorker } from '../helpers/worker.js';

const ORDERS = 10_000;
let emulator: WooEmulator;
let database: TestDatabase;
let worker: TestWorker;

beforeAll(async () => {
  emulator = await startWooEmulator({ orders: ORDERS, seed: 61 });
  database = await createTestDatabase();
  // Hung requests are given up on after two seconds instead of a minute, so the test sees many of them.
  worker = await startTestWorker(database.db, {
    woocommerce: { ...emulator.connection, requestTimeoutSeconds: 2 },
  });
});
afterAll(async () => {
  await worker.stop();
  await emulator.close();
  await database.drop();
});

const FAULTS_OFF = { errorRate: 0, hangRate: 0, malformedRecordRate: 0, pageBreakingIds: [] };

interface DeadLetterRow {
  source_key: string;
  payload: unknown;
  error_class: string;
  error_message: string;
  resolved_at: Date | null;
}

describe('a backfill from a hostile source', () => {
  it('completes through 5xx, hangs, a 429 storm, a broken page and broken records, accounting for every record', async () => {
    const all = await listAllOrders(emulator, { orderby: 'date', order: 'asc' });
    const pageBreaker = all[3_050]; // somewhere inside one window
    await control(emulator, 'PUT', '/faults', {
      errorRate: 0.05,
      hangRate: 0.02,
      malformedRecordRate: 0.001,
      pageBreakingIds: [pageBreaker?.id],
    });
    const handle = await startBackfill(worker.client, worker.taskQueue, {
      migration: 'woocommerce-orders',
      partitionDays: 365,
      concurrency: 4,
      id: `test/hostile/${Date.now()}`,
    });
    // A 429 storm a few seconds in: every request is answered 429 (Retry-After: 0) for five seconds.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await control(emulator, 'PUT', '/faults', { tooManyRequestsRate: 1, stormRetryAfter: '0' });
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    await control(emulator, 'PUT', '/faults', { tooManyRequestsRate: 0 });
    const report: BackfillProgress = await handle.result();
    const stats = (await control(emulator, 'GET', '/stats')).body as { byStatus: Record<string, number> };
    await control(emulator, 'PUT', '/faults', FAULTS_OFF);

    expect(report.state).toBe('completed');
    expect(stats.byStatus['429']).toBeGreaterThan(0);
    const { records } = report;
    // Every record fetched is accounted for: written (inserted, updated or unchanged) or dead-lettered.
    expect(records.fetched).toBe(
      records.inserted + records.updated + records.unchanged + records.deadLettered,
    );
    expect(records.failedPages).toBe(1);
    expect(records.deadLettered).toBeGreaterThan(0);

    const letters = await database
      .db('ferry_dead_letters')
      .orderBy('id')
      .select<DeadLetterRow[]>('source_key', 'payload', 'error_class', 'error_message', 'resolved_at');
    const pages = letters.filter((letter) => letter.error_class === 'MalformedPageError');
    const badRecords = letters.filter((letter) => letter.error_class === 'InvalidRecordError');
    expect(pages).toHaveLength(1);
    expect(badRecords).toHaveLength(records.deadLettered);
    for (const letter of letters) expect(letter.error_message.length).toBeGreaterThan(5);

    // The broken page's 100 orders are the only ones neither written nor dead-lettered.
    expect(records.fetched).toBe(ORDERS - 100);
    const problem = report.problems.find((p) => p.counts.failedPages > 0);
    expect(problem?.outcome).toBe('mismatch');
    expect(summarize({ workflowId: handle.workflowId, ...report })).toMatch(
      /1 failed pages \(ferry dlq list\)/,
    );

    // Every good record is exact in the target: all but the dead-lettered ones and the broken page's.
    const deadIds = new Set(badRecords.map((letter) => Number(letter.source_key)));
    const { window, page, pageSize } = (pages[0] as DeadLetterRow).payload as PageAddress;
    const inWindow = all.filter(
      (order) => `${order.date_created_gmt}Z` >= window.from && `${order.date_created_gmt}Z` < window.to,
    );
    const brokenPage = new Set(
      inWindow.slice((page - 1) * pageSize, page * pageSize).map((order) => order.id),
    );
    expect(brokenPage.has(pageBreaker?.id ?? 0)).toBe(true);
    const written = await targetLines(database.db);
    const onBrokenPage = (order: (typeof all)[number]) => brokenPage.has(order.id);
    const good = all.filter((order) => !deadIds.has(order.id) && !onBrokenPage(order));
    expect(good.length).toBe(ORDERS - 100 - deadIds.size);
    expect(checksum(written)).toBe(checksum(expectedLines(good)));

    // With the faults gone, a retry of the dead letters makes the target equal the source.
    const retried = await retryDeadLetters(worker.client, worker.taskQueue, {
      migration: 'woocommerce-orders',
      filter: {},
    });
    expect(retried).toMatchObject({
      retried: letters.length,
      resolved: letters.length,
      stillFailing: 0,
      notAtSource: 0,
    });
    expect(checksum(await targetLines(database.db))).toBe(checksum(expectedLines(all)));
    const open = await database.db('ferry_dead_letters').whereNull('resolved_at').count<{ count: string }[]>({
      count: '*',
    });
    expect(Number(open[0]?.count)).toBe(0);
  });
});
