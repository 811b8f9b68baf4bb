import { describe, expect, it } from 'vitest';
import {
  columns as c,
  defineTarget,
  fieldsRead,
  RecordRows,
  routedTarget,
  table,
} from '../../../src/kit/index.js';

// Bookings of one ledger, routed by their kind: invoices (keyed by their number, the booking id kept beside it)
// with lines, and payments (keyed by the booking id) with one allocation per settled invoice.
const invoices = table('invoices', {
  columns: {
    number: c.text().from('ref'),
    booking_id: c.bigint().from('id').unique(),
    booked_on: c.date().from('date'),
  },
  key: ['number'],
});
const invoiceLines = table('invoice_lines', {
  columns: { number: c.text(), line: c.integer().from('n'), amount: c.decimal(12, 2) },
  key: ['number', 'line'],
});
const payments = table('payments', {
  columns: { booking_id: c.bigint().from('id'), booked_on: c.date().from('date') },
  key: ['booking_id'],
});
const allocations = table('payment_allocations', {
  columns: { booking_id: c.bigint(), invoice: c.text().from('ref') },
  key: ['booking_id', 'invoice'],
});
const invoiceTarget = defineTarget({
  record: invoices,
  sourceKey: 'booking_id',
  children: [{ table: invoiceLines, parentColumn: 'number', from: 'lines' }],
});
const paymentTarget = defineTarget({
  record: payments,
  children: [{ table: allocations, parentColumn: 'booking_id', from: 'lines' }],
});
const target = routedTarget({
  by: 'kind',
  routes: [
    { when: ['invoice', 'credit'], target: invoiceTarget },
    { when: ['payment'], target: paymentTarget },
  ],
});

const invoice = (id: number, ref: string) => ({
  id,
  kind: 'invoice',
  ref,
  date: '2024-01-02',
  lines: [
    { n: 1, amount: '10.00' },
    { n: 2, amount: '5.50' },
  ],
});
const payment = (id: number, refs: string[]) => ({
  id,
  kind: 'payment',
  date: '2024-01-09',
  lines: refs.map((ref) => ({ ref })),
});

describe('a routed target', () => {
  it("sends each record to its route's tables, children keyed by each table's own record key", () => {
    const rows = new RecordRows(target).add([invoice(1, 'F-1'), payment(2, ['F-1', 'F-0'])]);
    expect(rows.build()).toEqual({
      invoices: [{ number: 'F-1', booking_id: 1, booked_on: '2024-01-02' }],
      invoice_lines: [
        { number: 'F-1', line: 1, amount: '10.00' },
        { number: 'F-1', line: 2, amount: '5.50' },
      ],
      payments: [{ booking_id: 2, booked_on: '2024-01-09' }],
      payment_allocations: [
        { booking_id: 2, invoice: 'F-1' },
        { booking_id: 2, invoice: 'F-0' },
      ],
    });
    expect(rows.keysByTarget()).toEqual(
      new Map([
        [invoiceTarget, ['1']],
        [paymentTarget, ['2']],
      ]),
    );
    expect(rows.keyField).toBe('id');
  });

  it('dead-letters a record whose route field no route takes, naming the value', () => {
    const rows = new RecordRows(target).add([{ ...invoice(3, 'F-3'), kind: 'transfer' }, invoice(4, 'F-4')]);
    expect(rows.rejected).toEqual([
      expect.objectContaining({ sourceKey: '3', reason: 'kind transfer has no route' }),
    ]);
    expect(rows.keys).toEqual(['4']);
  });

  it('keeps a record listed twice in one route only, as listed last', () => {
    const rows = new RecordRows(target).add([invoice(5, 'F-5'), payment(5, ['F-1'])]);
    expect(rows.build().invoices).toEqual([]);
    expect(rows.build().payments).toEqual([{ booking_id: 5, booked_on: '2024-01-09' }]);
    expect(rows.recordCount).toBe(1);
  });

  it('refuses a second record with an invoice number another record of the chunk holds, naming the holder', () => {
    const rows = new RecordRows(target).add([invoice(6, 'F-6'), invoice(7, 'F-6'), invoice(6, 'F-6')]);
    expect(rows.build().invoices).toEqual([{ number: 'F-6', booking_id: 6, booked_on: '2024-01-02' }]);
    expect(rows.rejected).toEqual([
      expect.objectContaining({ sourceKey: '7', reason: 'number F-6 is already taken by booking_id 6' }),
    ]);
    // Listed again with another number, booking 6 frees F-6 for booking 7.
    const renumbered = new RecordRows(target).add([invoice(6, 'F-6'), invoice(6, 'F-60'), invoice(7, 'F-6')]);
    expect(renumbered.rejected).toEqual([]);
    expect(renumbered.build().invoices?.map((row) => row.number)).toEqual(['F-60', 'F-6']);
  });

  it('asks the source for the route field and every route’s fields', () => {
    expect(fieldsRead(target).sort()).toEqual(['date', 'id', 'kind', 'lines', 'ref']);
  });

  it('refuses routes that cannot work, naming what is wrong', () => {
    expect(() =>
      routedTarget({
        by: 'kind',
        routes: [
          { when: ['invoice'], target: invoiceTarget },
          { when: ['invoice'], target: paymentTarget },
        ],
      }),
    ).toThrow('kind invoice is routed to both invoices and payments; a record goes one way');
    const byRef = defineTarget({
      record: table('by_ref', { columns: { ref: c.text(), date: c.date() }, key: ['ref'] }),
    });
    expect(() =>
      routedTarget({
        by: 'kind',
        routes: [
          { when: ['invoice'], target: invoiceTarget },
          { when: ['note'], target: byRef },
        ],
      }),
    ).toThrow('routes by kind must read the source key from one field: invoices reads id, by_ref reads ref');
    expect(() => defineTarget({ record: invoices, sourceKey: 'booked_on' })).toThrow(
      'record table invoices: the source key booked_on must be declared unique()',
    );
  });
});
