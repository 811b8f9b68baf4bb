import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Source, unpacedSource } from '../../src/connectors/source.js';
import type { WooOrder } from '../../src/connectors/woocommerce/order-shape.js';
import { RecordRows, writeTarget } from '../../src/kit/index.js';
import {
  type ChunkContext,
  type ChunkResult,
  type Cursor,
  FIRST_PAGE,
  type TimeWindow,
} from '../../src/migrations/types.js';
import { woocommerceOrders } from '../../src/migrations/woocommerce-orders/index.js';
import { target } from '../../src/migrations/woocommerce-orders/target.js';
import { startWooEmulator, type WooEmulator } from '../../src/sandbox/emulators/woocommerce/server.js';
import { expectedLines, sourceLines, targetLines } from '../../src/sandbox/woocommerce-fingerprint.js';
import { upgradeEngineSchema } from '../../src/target/schema.js';
import { ZERO_COUNTS } from '../../src/workflows/messages.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { control, listAllOrders, listOrders, wooGet } from '../helpers/woo-http.js';

let emulator: WooEmulator;
let database: TestDatabase;
let source: Source;
const everything: TimeWindow = { from: '2000-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z' };
const chunkContext: ChunkContext = {
  onPage: () => undefined,
  runScope: 'test-run',
  deadLetters: { runId: 'test', partitionKey: null },
  dryRun: false,
};

beforeAll(async () => {
  emulator = await startWooEmulator({ orders: 1500, seed: 5 });
  source = unpacedSource('woocommerce', emulator.connection);
  database = await createTestDatabase();
  await upgradeEngineSchema(database.db);
  await woocommerceOrders.prepareTarget(database.db);
});
afterAll(async () => {
  await emulator.close();
  await database.drop();
});
// Each test starts from an empty target and copies what it needs: none leans on another having run first.
beforeEach(async () => {
  await database.db.raw('truncate order_items, orders, customers');
});

/** Copies a whole window chunk by chunk, as a partition does, and adds up the counts. */
const NONE = ZERO_COUNTS;

async function copyWindow(window: TimeWindow, pages = 3): Promise<Omit<ChunkResult, 'next'>> {
  const total = { ...NONE };
  let cursor: Cursor | null = FIRST_PAGE;
  while (cursor !== null) {
    const result = await woocommerceOrders.copyChunk(
      database.db,
      source,
      {
        window,
        cursor,
        pageSize: 100,
        pages,
      },
      chunkContext,
    );
    for (const key of Object.keys(total) as (keyof typeof total)[]) total[key] += result[key];
    cursor = result.next;
  }
  return total;
}

describe('woocommerce-orders', () => {
  it('copies every order, line and customer exactly, and a second copy changes nothing', async () => {
    const first = await copyWindow(everything);
    expect(first).toEqual({ ...NONE, fetched: 1500, inserted: 1500 });
    expect(await targetLines(database.db)).toEqual(expectedLines(await listAllOrders(emulator)));

    const again = await copyWindow(everything);
    expect(again).toEqual({ ...NONE, fetched: 1500, unchanged: 1500 });
    expect(await woocommerceOrders.countTarget(database.db, everything)).toBe(1500);
  });

  it('stops reading pages once a chunk has had its time, writes what it read and says where to go on', async () => {
    const request = { window: everything, cursor: FIRST_PAGE, pageSize: 100, pages: 10 };
    const spent = await woocommerceOrders.copyChunk(
      database.db,
      source,
      { ...request, readForMs: 0 },
      chunkContext,
    );
    // A chunk reads one page at the least, whatever its time: a run always moves on.
    expect(spent).toMatchObject({ fetched: 100, inserted: 100, next: { page: 2 } });
    const rest = await woocommerceOrders.copyChunk(
      database.db,
      source,
      { ...request, cursor: spent.next ?? FIRST_PAGE, readForMs: 60_000 },
      chunkContext,
    );
    expect(rest).toMatchObject({ fetched: 1000, inserted: 1000, next: { page: 12 } });
  });

  it('fetches orders by key, leaving out keys no order can have (a broken record dead-lettered as "undefined")', async () => {
    const keys = ['7', 'undefined', '3', 'INV-1'];
    const found = (await woocommerceOrders.fetchByKeys(source, keys)) as WooOrder[];
    expect(found.map((order) => order.id).sort((a, b) => a - b)).toEqual([3, 7]);
  });

  it('writes an order listed twice in one chunk once, as its later listing has it', async () => {
    const [before] = (await listOrders(emulator, { per_page: 1, page: 40 })).orders;
    await control(emulator, 'POST', `/orders/${before?.id}/modify`);
    const after = (await wooGet(emulator, `/orders/${before?.id}`).then((response) =>
      response.json(),
    )) as WooOrder;
    expect(after.date_modified_gmt).not.toBe(before?.date_modified_gmt);
    const rows = new RecordRows(target).add([before, after]).build();
    expect(rows.orders?.map((order) => order.id)).toEqual([after.id]);
    expect(rows.orders?.[0]?.date_modified).toBe(`${after.date_modified_gmt}Z`);
    expect(rows.order_items?.map((item) => item.id)).toEqual(after.line_items.map((line) => line.id));
    await database.db.transaction((trx) => writeTarget(trx, target, rows));
    const ofOrder = (line: string) => {
      const [kind, id, orderId] = line.split('|');
      return String(after.id) === (kind === 'order' ? id : kind === 'item' ? orderId : undefined);
    };
    expect((await targetLines(database.db)).filter(ofOrder).sort()).toEqual(sourceLines(after).sort());
  });

  it('updates only what changed at the source, deleting lines the source removed', async () => {
    await copyWindow(everything);
    const changed = [10, 11, 12, 13, 14, 15];
    for (const id of changed) await control(emulator, 'POST', `/orders/${id}/modify`);
    const result = await copyWindow(everything);
    expect(result).toMatchObject({ inserted: 0, updated: changed.length, unchanged: 1500 - changed.length });
    expect(await targetLines(database.db)).toEqual(expectedLines(await listAllOrders(emulator)));
  });

  it('counts the source and the target of a window alike, with its bounds included and excluded', async () => {
    await copyWindow(everything);
    const orders = await listAllOrders(emulator, { order: 'asc' });
    const from = `${orders[100]?.date_created_gmt}Z`;
    const to = `${orders[400]?.date_created_gmt}Z`;
    const window = { from, to };
    const expected = orders.filter(
      (order) => `${order.date_created_gmt}Z` >= from && `${order.date_created_gmt}Z` < to,
    ).length;
    expect(await woocommerceOrders.countSource(source, window)).toBe(expected);
    expect(await woocommerceOrders.countTarget(database.db, window)).toBe(expected);
  });

  it('finds where the source starts', async () => {
    const [oldest] = (await listOrders(emulator, { order: 'asc', per_page: 1 })).orders;
    expect(await woocommerceOrders.sourceStart(source)).toBe(`${oldest?.date_created_gmt}Z`);
  });
});
