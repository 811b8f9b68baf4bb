import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  columns as c,
  defineTarget,
  prepareTarget,
  RecordRows,
  routedTarget,
  table,
  writeTargets,
} from '../../src/kit/index.js';
import { writeRecordRows } from '../../src/kit/migration/write-records.js';
import { upgradeEngineSchema } from '../../src/target/schema.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

// Invoices keyed by their number with the booking they came from beside it; payments keyed by the booking.
const invoices = table('routed_invoices', {
  columns: {
    number: c.text().from('ref'),
    booking_id: c.bigint().from('id').unique(),
    total: c.decimal(12, 2),
  },
  key: ['number'],
});
const lines = table('routed_invoice_lines', {
  columns: {
    number: c.text().references('routed_invoices.number'),
    line: c.integer().from('n'),
    amount: c.decimal(12, 2),
  },
  key: ['number', 'line'],
});
const payments = table('routed_payments', {
  columns: { booking_id: c.bigint().from('id'), total: c.decimal(12, 2) },
  key: ['booking_id'],
});
const invoiceTarget = defineTarget({
  record: invoices,
  sourceKey: 'booking_id',
  children: [{ table: lines, parentColumn: 'number', from: 'lines' }],
});
const paymentTarget = defineTarget({ record: payments });
const target = routedTarget({
  by: 'kind',
  routes: [
    { when: ['invoice'], target: invoiceTarget },
    { when: ['payment'], target: paymentTarget },
  ],
});

const invoice = (id: number, ref: string, amount = '10.00') => ({
  id,
  kind: 'invoice',
  ref,
  total: amount,
  lines: [{ n: 1, amount }],
});
const payment = (id: number, total: string) => ({ id, kind: 'payment', total });

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  await upgradeEngineSchema(database.db);
  await prepareTarget(database.db, 'routed-test', target);
});
afterAll(() => database.drop());

const write = (records: unknown[]) => {
  const rows = new RecordRows(target).add(records);
  return database.db.transaction((trx) => writeTargets(trx, target, rows.build(), rows.keysByTarget()));
};
const stored = async () => ({
  invoices: await database.db('routed_invoices').orderBy('number').select('number', 'booking_id', 'total'),
  lines: await database.db('routed_invoice_lines').orderBy('number').select('number', 'amount'),
  payments: await database.db('routed_payments').orderBy('booking_id').select('booking_id', 'total'),
});

it('writes each route, leaves equal rows alone, and moves a record whose route changed with its children', async () => {
  const first = [invoice(1, 'F-1'), invoice(2, 'F-2'), payment(3, '10.00')];
  expect(await write(first)).toEqual({
    inserted: 3,
    updated: 0,
    unchanged: 0,
    deleted: 0,
    refused: [],
    rowsByTable: { routed_invoices: 2, routed_invoice_lines: 2, routed_payments: 1 },
  });
  expect(await write(first)).toEqual({
    inserted: 0,
    updated: 0,
    unchanged: 3,
    deleted: 0,
    refused: [],
    rowsByTable: {},
  });
  // Booking 2 became a payment: its invoice and line leave; an edit of invoice 1 updates it.
  expect(await write([invoice(1, 'F-1', '11.00'), payment(2, '4.00')])).toEqual({
    inserted: 1,
    updated: 1,
    unchanged: 0,
    deleted: 1,
    refused: [],
    rowsByTable: { routed_invoices: 1, routed_invoice_lines: 1, routed_payments: 1 },
  });
  expect(await stored()).toEqual({
    invoices: [{ number: 'F-1', booking_id: '1', total: '11.00' }],
    lines: [{ number: 'F-1', amount: '11.00' }],
    payments: [
      { booking_id: '2', total: '4.00' },
      { booking_id: '3', total: '10.00' },
    ],
  });
});

it('moves a renumbered invoice to its new number, and refuses a number another booking already holds', async () => {
  // Booking 1 (F-1) becomes F-10; booking 8 asks for F-10 too, in a later chunk.
  expect(await write([invoice(1, 'F-10', '11.00')])).toMatchObject({ refused: [] });
  const taken = await write([invoice(8, 'F-10')]);
  expect(taken.refused).toEqual([
    expect.objectContaining({ sourceKey: '8', reason: 'number F-10 is already taken by booking_id 1' }),
  ]);
  expect(taken).toMatchObject({ inserted: 0, updated: 0, unchanged: 0 });
  expect((await stored()).invoices).toEqual([{ number: 'F-10', booking_id: '1', total: '11.00' }]);
  expect((await stored()).lines).toEqual([{ number: 'F-10', amount: '11.00' }]);
});

it('a dry run reports what it would write in every route, by source key, and writes nothing', async () => {
  const before = await stored();
  const rows = new RecordRows(target).add([
    invoice(1, 'F-10', '12.00'),
    invoice(20, 'F-20'),
    payment(3, '9.00'),
  ]);
  const counts = await writeRecordRows(
    database.db,
    'routed-test',
    target,
    {
      onPage: () => undefined,
      runScope: 'test-run',
      deadLetters: { runId: 'test', partitionKey: null },
      dryRun: true,
      differencesLimit: 10,
    },
    rows,
  );
  expect(counts).toMatchObject({ inserted: 1, updated: 2, unchanged: 0 });
  expect(counts.differences).toEqual(
    expect.arrayContaining([
      { key: '1', change: 'update', fields: ['total'] },
      { key: '20', change: 'insert', fields: [] },
      { key: '3', change: 'update', fields: ['total'] },
    ]),
  );
  expect(await stored()).toEqual(before);
});
