import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { writeMatchingCsv } from '../../../src/sandbox/matching/csv.js';
import { generateMatchingCases } from '../../../src/sandbox/matching/generator.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-matching-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** The fields of a CSV line (RFC 4180 quoting). */
function fieldsOf(line: string): string[] {
  const fields: string[] = [];
  let at = 0;
  while (at <= line.length) {
    if (line[at] === '"') {
      let value = '';
      at++;
      for (;;) {
        const quote = line.indexOf('"', at);
        value += line.slice(at, quote);
        at = quote + 1;
        if (line[at] !== '"') break;
        value += '"';
        at++;
      }
      fields.push(value);
      at++;
    } else {
      const comma = line.indexOf(',', at);
      const end = comma < 0 ? line.length : comma;
      fields.push(line.slice(at, end));
      at = end + 1;
    }
  }
  return fields;
}

it('writes the ledger as CSV, every record as generated, and the broken lines where it says', async () => {
  const files = await writeMatchingCsv(dir, { seed: 9, invoices: 3000, brokenLines: 6 });
  const cases = [...generateMatchingCases({ seed: 9, invoices: 3000 })];
  const lines = async (name: string) => (await readFile(join(dir, name), 'utf8')).trimEnd().split('\n');
  const [invoices, payments, truth] = await Promise.all([
    lines('invoices.csv'),
    lines('payments.csv'),
    lines('truth.csv'),
  ]);
  expect(invoices[0]).toBe('id,number,customer_id,customer_name,amount,issued_on,due_on');

  expect(files.broken).toHaveLength(6);
  expect(files.broken.map((b) => b.file)).toEqual([
    'invoices.csv',
    'payments.csv',
    'invoices.csv',
    'payments.csv',
    'invoices.csv',
    'payments.csv',
  ]);
  for (const { file, line } of files.broken) {
    expect((file === 'invoices.csv' ? invoices : payments)[line - 1]).toMatch(/^0,INV-BROKEN,/);
  }
  const records = (all: string[]) =>
    all
      .slice(1)
      .filter((line) => !line.startsWith('0,INV-BROKEN,'))
      .map(fieldsOf);
  const generatedInvoices = cases.flatMap((c) => c.invoices);
  expect(
    records(invoices).map((f) => [Number(f[0]), f[1], f[3], Math.round(Number(f[4]) * 100), f[5]]),
  ).toEqual(generatedInvoices.map((i) => [i.id, i.number, i.customerName, i.amountCents, i.issuedOn]));
  const generatedPayments = cases.flatMap((c) => c.payments);
  expect(
    records(payments).map((f) => [
      Number(f[0]),
      f[1] === '' ? null : f[1],
      f[2],
      Math.round(Number(f[4]) * 100),
    ]),
  ).toEqual(generatedPayments.map((p) => [p.id, p.reference, p.payerName, p.amountCents]));
  expect(files.invoices.rows).toBe(generatedInvoices.length);
  expect(files.payments.rows).toBe(generatedPayments.length);
  expect(truth.length - 1).toBe(cases.flatMap((c) => c.truth).length);
});
