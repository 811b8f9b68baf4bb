import { describe, expect, it } from 'vitest';
import { parseDeclaration } from '../../../src/client/declaration.js';
import { csvLoadSchema, csvTable } from '../../../src/kit/csv/declaration.js';
import { planTable } from '../../../src/kit/records/column-plan.js';
import { writtenColumns } from '../../../src/kit/target/table.js';
import { asTableInputs, csvInputLoads } from '../../../src/matching/csv-inputs.js';
import { matchInputsSchema } from '../../../src/matching/inputs.js';

const target = {
  table: 'payments',
  columns: {
    id: 'bigint',
    amount: 'decimal(14, 2)',
    paid_on: { type: 'date', from: 'Booked on' },
    note: { type: 'text', nullable: true },
  },
  key: ['id'],
};

describe('a CSV load declared as data', () => {
  it("makes the kit's table: typed columns read from their headers, NOT NULL unless nullable", () => {
    const table = csvTable(target);
    expect(writtenColumns(table)).toEqual([
      { name: 'id', type: 'bigint' },
      { name: 'amount', type: 'numeric' },
      { name: 'paid_on', type: 'date' },
      { name: 'note', type: 'text' },
    ]);
    expect(table.columns.note?.specification.nullable).toBe(true);
    expect(table.columns.paid_on?.specification.nullable).toBe(false);
    expect(planTable(table, { flat: true }).map((plan) => plan.paths)).toEqual([
      ['id'],
      ['amount'],
      ['Booked on'],
      ['note'],
    ]);
    // A line's values are checked by the column's type; a refusal names the header.
    const row = { id: '7', amount: '12.50', 'Booked on': '2024-02-29', note: null };
    expect(planTable(table).map((plan) => plan.value(row, row, new Map()))).toEqual([
      '7',
      '12.50',
      '2024-02-29',
      null,
    ]);
    const bad = { ...row, 'Booked on': '2023-02-29' };
    expect(() => planTable(table).map((plan) => plan.value(bad, bad, new Map()))).toThrow(
      'Booked on is not a valid date',
    );
  });

  it('reads a header whole: a dot in it is part of its name, not a path', () => {
    const table = csvTable({
      table: 'amounts',
      columns: { id: 'bigint', net: { type: 'decimal(14,2)', from: 'Bedrag excl. BTW' } },
      key: ['id'],
    });
    const line = { id: '1', 'Bedrag excl. BTW': '99.95' };
    expect(planTable(table, { flat: true }).map((plan) => plan.value(line, line, new Map()))).toEqual([
      '1',
      '99.95',
    ]);
  });

  it('names every problem of a declaration at once', () => {
    expect(() =>
      parseDeclaration(
        csvLoadSchema,
        {
          file: 'x.csv',
          target: { table: 'bad-name', columns: { id: 'money' }, key: ['number'] },
          chunkLines: 0,
        },
        'CSV load declaration',
      ),
    ).toThrow(
      [
        'The CSV load declaration has 4 problems:',
        '- target.table: a table or column name (letters, digits, _)',
        '- target.columns.id: one of text, bigint, integer, date, timestamptz, boolean, decimal(precision, scale)',
        '- target.key: key column number is not a declared column',
        '- chunkLines: Too small: expected number to be >=1',
      ].join('\n'),
    );
  });
});

describe("a match's inputs given as CSV files", () => {
  const inputs = matchInputsSchema.parse({
    customers: { table: 'crm_customers', id: 'id', name: 'name' },
    invoices: {
      csv: 'inv.csv',
      id: 'nr',
      number: 'nr',
      customer: 'debtor',
      amount: 'total',
      issuedOn: 'date',
    },
    payments: {
      csv: 'bank.csv',
      id: 'id',
      amount: 'cents',
      paidOn: 'Booked on',
      reference: 'Ref. (free text)',
    },
    amountsIn: 'cents',
  });

  it('are loaded into tables of their own, columns named by role and read from any header; tables stay as they are', () => {
    expect(csvInputLoads(inputs)).toEqual([
      {
        kind: 'invoices',
        file: 'inv.csv',
        target: {
          table: 'match_csv_invoices',
          // The invoice number is its id here: two columns read from one header.
          columns: {
            id: { type: 'text', from: 'nr', nullable: false },
            number: { type: 'text', from: 'nr', nullable: true },
            customer_id: { type: 'text', from: 'debtor', nullable: false },
            amount: { type: 'bigint', from: 'total', nullable: false },
            issued_on: { type: 'date', from: 'date', nullable: false },
          },
          key: ['id'],
        },
      },
      {
        kind: 'payments',
        file: 'bank.csv',
        target: {
          table: 'match_csv_payments',
          columns: {
            id: { type: 'text', from: 'id', nullable: false },
            amount: { type: 'bigint', from: 'cents', nullable: false },
            paid_on: { type: 'date', from: 'Booked on', nullable: false },
            reference: { type: 'text', from: 'Ref. (free text)', nullable: true },
          },
          key: ['id'],
        },
      },
    ]);
    const tables = asTableInputs(inputs);
    expect(tables.customers).toEqual({ table: 'crm_customers', id: 'id', name: 'name' });
    expect(tables.invoices).toEqual({
      table: 'match_csv_invoices',
      id: 'id',
      number: 'number',
      customer: 'customer_id',
      amount: 'amount',
      issuedOn: 'issued_on',
    });
    expect(tables.payments).toEqual({
      table: 'match_csv_payments',
      id: 'id',
      amount: 'amount',
      paidOn: 'paid_on',
      reference: 'reference',
    });
  });

  it('a table input still takes only identifiers; every kind takes a table or a file, one of them', () => {
    const problems = matchInputsSchema.safeParse({
      customers: { table: 'crm_customers', id: 'id', name: 'full name' },
      invoices: { id: 'nr', number: 'nr', customer: 'debtor', amount: 'total', issuedOn: 'date' },
      payments: { table: 'bank', csv: 'bank.csv', id: 'id', amount: 'cents', paidOn: 'booked' },
    });
    expect(problems.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)).toEqual([
      'customers.name: a table or column name (letters, digits, _)',
      'invoices: give either table (a table or view) or csv (a file): one of them',
      'payments: give either table (a table or view) or csv (a file): one of them',
    ]);
  });
});
