import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Source, unpacedSource } from '../../src/connectors/source.js';
import {
  type ChunkContext,
  type ChunkCounts,
  type Cursor,
  type DryRunDifference,
  FIRST_PAGE,
  type TimeWindow,
} from '../../src/migrations/types.js';
import { woocommerceOrders } from '../../src/migrations/woocommerce-orders/index.js';
import { startWooEmulator, type WooEmulator } from '../../src/sandbox/emulators/woocommerce/server.js';
import { expectedLines, targetLines } from '../../src/sandbox/woocommerce-fingerprint.js';
import { PAGE_KEY_PREFIX } from '../../src/target/dead-letters.js';
import { upgradeEngineSchema } from '../../src/target/schema.js';
import { ZERO_COUNTS } from '../../src/workflows/messages.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { control, listAllOrders } from '../helpers/woo-http.js';

const ORDERS = 1200;
let emulator: WooEmulator;
let database: TestDatabase;
let source: Source;
const everything: TimeWindow = { from: '2000-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z' };
const context = (dryRun = false): ChunkContext => ({
  onPage: () => undefined,
  runScope: 'test-run',
  deadLetters: { runId: 'test-run', partitionKey: 'test-run/p0000' },
  dryRun,
});

beforeAll(async () => {
  emulator = await startWooEmulator({ orders: ORDERS, seed: 9 });
  source = unpacedSource('woocommerce', emulator.connection);
  database = await createTestDatabase();
  await upgradeEngineSchema(database.db);
  await woocommerceOrders.prepareTarget(database.db);
});
afterAll(async () => {
  await emulator.close();
  await database.drop();
});
beforeEach(async () => {
  await database.db.raw(
    'truncate order_items, orders, customers, ferry_dead_letters restart identity cascade',
  );
  await control(emulator, 'PUT', '/faults', { malformedRecordRate: 0, pageBreakingIds: [] });
});

/** Copies a whole window chunk by chunk, as a partition does, and adds up the counts. */
async function copyWindow(dryRun = false): Promise<ChunkCounts & { differences: DryRunDifference[] }> {
  const total: ChunkCounts = { ...ZERO_COUNTS };
  const differences: DryRunDifference[] = [];
  let cursor: Cursor | null = FIRST_PAGE;
  while (cursor !== null) {
    const request = { window: everything, cursor, pageSize: 100, pages: 3 };
    const result = await woocommerceOrders.copyChunk(database.db, source, request, context(dryRun));
    for (const key of Object.keys(ZERO_COUNTS) as (keyof typeof ZERO_COUNTS)[]) total[key] += result[key];
    differences.push(...(result.differences ?? []));
    cursor = result.next;
  }
  return { ...total, differences };
}

interface DeadLetterRow {
  source_key: string;
  payload: { id?: number } & Record<string, unknown>;
  error_class: string;
  error_message: string;
  attempts: number;
  run_id: string;
  partition_key: string;
  resolved_at: Date | null;
}

const deadLetters = () => database.db('ferry_dead_letters').orderBy('id').select<DeadLetterRow[]>('*');

describe('dead letters', () => {
  it('files malformed records with their reason, writes the rest, and resolves them once the source is fixed', async () => {
    await control(emulator, 'PUT', '/faults', { malformedRecordRate: 0.02 });
    const first = await copyWindow();
    const filed = await deadLetters();
    expect(first.deadLettered).toBeGreaterThan(0);
    expect(filed).toHaveLength(first.deadLettered);
    expect(first).toMatchObject({ fetched: ORDERS, inserted: ORDERS - first.deadLettered, failedPages: 0 });
    for (const letter of filed) {
      expect(letter).toMatchObject({
        error_class: 'InvalidRecordError',
        attempts: 1,
        run_id: 'test-run',
        partition_key: 'test-run/p0000',
        resolved_at: null,
      });
      expect(letter.error_message).toMatch(/\S+ \S+/); // the field and what is wrong with it
      expect(String(letter.payload.id)).toBe(letter.source_key);
    }
    const badIds = new Set(filed.map((letter) => Number(letter.source_key)));
    const good = (await listAllOrders(emulator)).filter((order) => !badIds.has(order.id));
    expect(await targetLines(database.db)).toEqual(expectedLines(good));

    // The same bad records again: one row each, one more attempt.
    await copyWindow();
    expect((await deadLetters()).map((letter) => letter.attempts)).toEqual(filed.map(() => 2));

    await control(emulator, 'PUT', '/faults', { malformedRecordRate: 0 });
    const fixed = await copyWindow();
    expect(fixed).toMatchObject({ inserted: badIds.size, unchanged: ORDERS - badIds.size, deadLettered: 0 });
    expect((await deadLetters()).every((letter) => letter.resolved_at !== null)).toBe(true);
    expect(await targetLines(database.db)).toEqual(expectedLines(await listAllOrders(emulator)));
  });

  it('records a page that stays malformed as failed, copies the pages after it, and fetches it again later', async () => {
    const orders = await listAllOrders(emulator, { orderby: 'date', order: 'asc' });
    const breaker = orders[450]; // on page 5 of 12
    await control(emulator, 'PUT', '/faults', { pageBreakingIds: [breaker?.id] });
    const first = await copyWindow();
    expect(first).toMatchObject({ fetched: ORDERS - 100, inserted: ORDERS - 100, failedPages: 1 });
    const [page] = await deadLetters();
    expect(page).toMatchObject({ error_class: 'MalformedPageError', resolved_at: null });
    expect(page?.source_key.startsWith(PAGE_KEY_PREFIX)).toBe(true);
    expect(page?.payload).toEqual({ window: everything, page: 5, pageSize: 100 });
    expect(page?.error_message).toMatch(/not valid JSON/);

    await control(emulator, 'PUT', '/faults', { pageBreakingIds: [] });
    const address = page?.payload as { window: TimeWindow; page: number; pageSize: number };
    const again = await woocommerceOrders.copyChunk(
      database.db,
      source,
      { window: address.window, cursor: { page: address.page }, pageSize: address.pageSize, pages: 1 },
      context(),
    );
    expect(again).toMatchObject({ fetched: 100, inserted: 100, failedPages: 0 });
    expect((await deadLetters())[0]?.resolved_at).not.toBeNull();
    expect(await targetLines(database.db)).toEqual(expectedLines(orders));
  });

  it('a dry run writes nothing, and its counts are what the real run then reports', async () => {
    const dry = await copyWindow(true);
    expect(dry).toMatchObject({ fetched: ORDERS, inserted: ORDERS, updated: 0, unchanged: 0 });
    expect(dry.differences[0]).toEqual({ key: expect.any(String), change: 'insert', fields: [] });
    expect(await targetLines(database.db)).toEqual([]);
    const { differences: _none, ...dryCounts } = dry;
    expect(await copyWindow()).toMatchObject({ ...dryCounts, differences: [] });

    const before = await targetLines(database.db);
    for (const id of [3, 30, 300]) await control(emulator, 'POST', `/orders/${id}/modify`);
    await control(emulator, 'PUT', '/faults', { malformedRecordRate: 0.01 });
    const { differences, ...dryChanges } = await copyWindow(true);
    expect(dryChanges.updated).toBeGreaterThanOrEqual(1);
    expect(dryChanges.deadLettered).toBeGreaterThan(0);
    // Each modified order that was not also broken shows up with the columns that would change.
    const updates = differences.filter((difference) => difference.change === 'update');
    expect(updates.length).toBeGreaterThanOrEqual(1);
    for (const update of updates) {
      expect(['3', '30', '300']).toContain(update.key);
      expect(update.fields).toContain('date_modified');
    }
    expect(await targetLines(database.db)).toEqual(before);
    expect(await deadLetters()).toEqual([]);
    expect(await copyWindow()).toMatchObject(dryChanges);
  });
});
