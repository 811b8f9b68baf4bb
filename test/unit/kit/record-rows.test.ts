import { describe, expect, it } from 'vitest';
import { columns as c, defineTarget, fieldsRead, RecordRows, table, z } from '../../../src/kit/index.js';

const stamp = (value: unknown) => (typeof value === 'string' ? `${value}Z` : value);

const people = table('people', {
  columns: {
    id: c.generatedId(),
    email: c.text().parse(z.email().toLowerCase()),
    name: c.text().from('full_name'),
    member_since: c.date().nullable().from('$.member_since'),
  },
  key: ['email'],
});
const invoices = table('invoices', {
  columns: {
    number: c.text(),
    person_id: c.bigint().references('people.id'),
    issued_at: c.timestamptz().from('issued_gmt', stamp),
    total: c.decimal(12, 2),
    note: c.text().nullable(),
    due: c.date().from(['year', 'month'], (year, month) => `${year}-${month}-01`),
  },
  key: ['number'],
});
const lines = table('invoice_lines', {
  columns: {
    number: c.text(),
    line: c.integer().from('position'),
    quantity: c.integer().parse(z.int().positive()),
    currency: c.text().from('$.currency'),
  },
  key: ['number', 'line'],
});
const target = defineTarget({
  record: invoices,
  children: [{ table: lines, parentColumn: 'number', from: 'rows' }],
  dimensions: [{ table: people, referencedBy: 'person_id', from: 'customer' }],
});

const invoice = (number: string, changes: Record<string, unknown> = {}) => ({
  number,
  issued_gmt: '2024-03-01T10:00:00',
  total: '12.50',
  year: '2024',
  month: '03',
  currency: 'EUR',
  member_since: null,
  customer: { email: 'Ann@Example.com', full_name: 'Ann' },
  rows: [{ position: 1, quantity: 2 }],
  ...changes,
});

describe('records mapped to rows by the columns', () => {
  it('reads each column from its field, converted, checked and normalised; children get their record key', () => {
    const rows = new RecordRows(target).add([invoice('INV-001')]).build();
    expect(rows).toEqual({
      people: [{ email: 'ann@example.com', name: 'Ann', member_since: null }],
      invoices: [
        {
          number: 'INV-001',
          person_id: 'ann@example.com',
          issued_at: '2024-03-01T10:00:00Z',
          total: '12.50',
          note: null,
          due: '2024-03-01',
        },
      ],
      invoice_lines: [{ number: 'INV-001', line: 1, quantity: 2, currency: 'EUR' }],
    });
  });

  it('rejects a record with the field and what is wrong, and writes the others', () => {
    const rows = new RecordRows(target).add([
      invoice('INV-001', { total: 'twelve' }),
      invoice('INV-002', { rows: [{ position: 1, quantity: -1 }] }),
      invoice('INV-003', { customer: { full_name: 'Bob' } }),
      invoice('INV-004', { issued_gmt: '2019-13-45T25:61:00' }),
      invoice('INV-005'),
    ]);
    expect(rows.rejected.map(({ sourceKey, reason }) => [sourceKey, reason])).toEqual([
      ['INV-001', 'total is not an amount'],
      ['INV-002', expect.stringMatching(/^quantity .*>0/)],
      ['INV-003', 'email is required'],
      ['INV-004', 'issued_gmt is not a valid date'],
    ]);
    expect(rows.keys).toEqual(['INV-005']);
    expect(rows.recordCount).toBe(5);
  });

  it('keeps the last listing of a record listed twice, good or bad, and one row per dimension key', () => {
    const rows = new RecordRows(target).add([
      invoice('A', { total: '1' }),
      invoice('B', { total: 'x' }),
      invoice('A', { total: '2' }),
      invoice('B', { total: '3' }),
    ]);
    expect(rows.rejected).toEqual([]);
    expect(rows.build().invoices?.map((row) => [row.number, row.total])).toEqual([
      ['A', '2'],
      ['B', '3'],
    ]);
    expect(rows.build().people).toHaveLength(1);
  });

  it('names the top-level fields the columns read, for `_fields` or `$select`', () => {
    expect(fieldsRead(target).sort()).toEqual(
      [
        'number',
        'issued_gmt',
        'total',
        'note',
        'year',
        'month',
        'rows',
        'currency',
        'customer',
        'member_since',
      ].sort(),
    );
  });
});

describe('a record checked as a whole', () => {
  it('refuses a record a rule across its fields refuses, and the columns read what the schema returns', () => {
    const balanced = z
      .object({ total: z.string(), rows: z.array(z.object({ quantity: z.number() }).loose()) })
      .loose()
      .refine((record) => record.rows.length > 0, { message: 'has no rows', path: ['rows'] });
    const rows = new RecordRows(target, balanced).add([invoice('A'), invoice('B', { rows: [] })]);
    expect(rows.rejected.map(({ sourceKey, reason }) => [sourceKey, reason])).toEqual([
      ['B', 'rows has no rows'],
    ]);
    expect(rows.keys).toEqual(['A']);
  });
});

describe('columns looked up at the source', () => {
  const entries = table('entries', {
    columns: {
      id: c.bigint(),
      relation: c.text().lookup('relation', 'relationId'),
      ledger: c.text().nullable().lookup('ledger', 'ledgerId'),
    },
    key: ['id'],
  });
  const lookups = new Map([
    ['relation', new Map([['7', 'Atlas B.V.']])],
    ['ledger', new Map([['1100', 'Bank']])],
  ]);

  it('takes what the lookup found, and names a key the source does not know instead of writing null', () => {
    const rows = new RecordRows(defineTarget({ record: entries })).add(
      [
        { id: 1, relationId: 7, ledgerId: 1100 },
        { id: 2, relationId: 7, ledgerId: 9999 },
        { id: 3, relationId: 8, ledgerId: 1100 },
      ],
      lookups,
    );
    expect(rows.build().entries).toEqual([
      { id: 1, relation: 'Atlas B.V.', ledger: 'Bank' },
      { id: 2, relation: 'Atlas B.V.', ledger: null },
    ]);
    expect(rows.rejected.map(({ sourceKey, reason }) => [sourceKey, reason])).toEqual([
      ['3', 'relationId 8 is not known at the source (lookup relation)'],
    ]);
  });
});

describe('line numbers and looked-up fields', () => {
  const entries = table('entries', {
    columns: { id: c.integer(), relation: c.text().nullable() },
    key: ['id'],
  });
  const entryLines = table('entry_lines', {
    columns: {
      entry_id: c.integer(),
      line_no: c.integer().position(),
      ledger_code: c.text().lookup('ledger', 'ledgerId', (ledger: { code: string }) => ledger.code),
    },
    key: ['entry_id', 'line_no'],
  });
  const lined = defineTarget({
    record: entries,
    children: [{ table: entryLines, parentColumn: 'entry_id', from: 'rows' }],
  });
  const ledgers = new Map([['ledger', new Map([['7', { code: '8000' }]])]]);

  it('numbers each line by its place in the list, from 1, and converts what a lookup found', () => {
    const rows = new RecordRows(lined)
      .add([{ id: 1, relation: null, rows: [{ ledgerId: 7 }, { ledgerId: 7 }] }], ledgers)
      .build();
    expect(rows.entry_lines).toEqual([
      { entry_id: 1, line_no: 1, ledger_code: '8000' },
      { entry_id: 1, line_no: 2, ledger_code: '8000' },
    ]);
    expect(fieldsRead(lined).sort()).toEqual(['id', 'relation', 'rows']);
  });

  it('dead-letters a line whose key the lookup does not know, naming key and lookup', () => {
    const rows = new RecordRows(lined).add([{ id: 2, relation: null, rows: [{ ledgerId: 9 }] }], ledgers);
    expect(rows.rejected.map((rejected) => rejected.reason)).toEqual([
      'ledgerId 9 is not known at the source (lookup ledger)',
    ]);
  });
});
