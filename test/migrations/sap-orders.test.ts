import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Source, unpacedSource } from '../../src/connectors/source.js';
import { sapOrders } from '../../src/migrations/sap-orders/index.js';
import type { ChunkContext, Cursor, TimeWindow } from '../../src/migrations/types.js';
import { type SapEmulator, startSapEmulator } from '../../src/sandbox/emulators/sap/server.js';
import { upgradeEngineSchema } from '../../src/target/schema.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

let sap: SapEmulator;
let database: TestDatabase;
let source: Source;
const context: ChunkContext = {
  onPage: () => undefined,
  runScope: 'test-run',
  deadLetters: { runId: 'test', partitionKey: null },
  dryRun: false,
};

beforeAll(async () => {
  sap = await startSapEmulator({ orders: 600, seed: 23, endDate: '2026-06-30T00:00:00Z' });
  source = unpacedSource('sap', sap.connection);
  database = await createTestDatabase();
  await upgradeEngineSchema(database.db);
  await sapOrders.prepareTarget(database.db);
});
afterAll(async () => {
  await sap.close();
  await database.drop();
});

describe("sap-orders' catch-up (changes within a window)", () => {
  it('reads only the orders of its window, and an order changed again behind the cursor is read again', async () => {
    const all = sap.store.all();
    // About 60 orders: the first page of 50 ends at the order changed again, the next lists the rest and it.
    const middle = [...all].sort((x, y) => (x.DocDate < y.DocDate ? -1 : 1))[all.length - 60]
      ?.DocDate as string;
    const window: TimeWindow = { from: `${middle}T00:00:00.000Z`, to: '2026-07-01T00:00:00.000Z' };
    const inWindow = all.filter((order) => order.DocDate >= middle);
    const copyChanges = sapOrders.copyChanges as NonNullable<typeof sapOrders.copyChanges>;
    const request = (cursor: Cursor) => ({ window, cursor, pageSize: 50, pages: 1 });

    let cursor: Cursor | null = { page: 1, after: '2000-01-01T00:00:00.000Z', skipIds: [] };
    const first = await copyChanges(database.db, source, request(cursor), context);
    cursor = first.next as Cursor;
    // The last order read changes again: it moves behind the cursor, and must be read again.
    const lastRead = Number(cursor.skipIds?.[0]);
    sap.store.change(lastRead, 'edit-line', Date.parse('2026-07-05T12:00:00Z'));
    let again = 0;
    while (cursor) {
      const chunk = await copyChanges(database.db, source, request(cursor), context);
      again += chunk.updated;
      cursor = chunk.next;
    }
    expect(again).toBe(1);
    const rows = await database.db('sales_orders').select<{ doc_date: Date }[]>('doc_date');
    expect(rows).toHaveLength(inWindow.length);
    expect(rows.every((row) => row.doc_date.toISOString().slice(0, 10) >= middle)).toBe(true);
    expect(await sapOrders.countTarget(database.db, window)).toBe(
      await sapOrders.countSource(source, window),
    );
  });
});
