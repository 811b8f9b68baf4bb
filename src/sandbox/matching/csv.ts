import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { intBetween } from '../emulators/prng.js';
import { customerCount, customerOf, generateMatchingCases } from './generator.js';

/** A line that is no valid record, put into a file on purpose: where it is, and what is wrong with it. */
export interface BrokenLine {
  file: 'invoices.csv' | 'payments.csv';
  /** 1-based, the header being line 1. */
  line: number;
  reason: string;
}

export interface MatchingFiles {
  customers: { path: string; rows: number };
  invoices: { path: string; rows: number };
  payments: { path: string; rows: number };
  /** The true allocations: invoice_id, payment_id, amount, review. */
  truth: { path: string; rows: number };
  broken: BrokenLine[];
}

const HEADERS = {
  customers: 'id,name,iban',
  invoices: 'id,number,customer_id,customer_name,amount,issued_on,due_on',
  payments: 'id,reference,payer_name,payer_iban,amount,paid_on,description',
  truth: 'invoice_id,payment_id,amount,review',
};

/** A CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break; empty for null. */
function field(value: string | number | boolean | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Cents as the amount a file or a table holds: 1234 → 12.34. */
export const euros = (cents: number) =>
  `${cents < 0 ? '-' : ''}${Math.floor(Math.abs(cents) / 100)}.${String(Math.abs(cents) % 100).padStart(2, '0')}`;

/** Writes a line, waiting when the stream asks to (the files of a million rows never sit in memory). */
async function writeLine(stream: WriteStream, line: string): Promise<void> {
  if (!stream.write(`${line}\n`)) await once(stream, 'drain');
}

const BROKEN: readonly { reason: string; invoice: string; payment: string }[] = [
  {
    reason: 'amount is not a number',
    invoice: '0,INV-BROKEN,1,Broken B.V.,12.3x,2024-01-01,2024-01-31',
    payment: '0,INV-BROKEN,Broken B.V.,,12.3x,2024-01-01,broken',
  },
  {
    reason: 'a column missing',
    invoice: '0,INV-BROKEN,1,Broken B.V.,12.30,2024-01-01',
    payment: '0,INV-BROKEN,Broken B.V.,,12.30,2024-01-01',
  },
  {
    reason: 'date is not a date',
    invoice: '0,INV-BROKEN,1,Broken B.V.,12.30,2024-02-30,2024-03-31',
    payment: '0,INV-BROKEN,Broken B.V.,,12.30,31/01/2024,broken',
  },
];

/**
 * The generated ledger as CSV files in `dir` (customers.csv, invoices.csv, payments.csv, truth.csv), streamed. `brokenLines`
 * lines that are no valid record are put between the records (ids 0, so they never stand for one), and where
 * they went is returned: a loader must dead-letter exactly those, with their line numbers.
 */
export async function writeMatchingCsv(
  dir: string,
  options: { seed: number; invoices: number; brokenLines?: number },
): Promise<MatchingFiles> {
  const streams = {
    customers: createWriteStream(join(dir, 'customers.csv')),
    invoices: createWriteStream(join(dir, 'invoices.csv')),
    payments: createWriteStream(join(dir, 'payments.csv')),
    truth: createWriteStream(join(dir, 'truth.csv')),
  };
  const lines = { customers: 1, invoices: 1, payments: 1, truth: 1 };
  for (const [name, stream] of Object.entries(streams))
    await writeLine(stream, HEADERS[name as keyof typeof HEADERS]);
  const broken: BrokenLine[] = [];
  const brokenLines = options.brokenLines ?? 0;
  // Where the broken lines go: after these invoice ids, spread over the ledger.
  const after = new Set<number>();
  for (let n = 0; after.size < Math.min(brokenLines, options.invoices); n++) {
    after.add(intBetween(1, options.invoices, options.seed, n, 99));
  }
  for (let id = 0; id < customerCount(options.invoices); id++) {
    const customer = customerOf(options.seed, id);
    await writeLine(streams.customers, [customer.id, customer.name, customer.iban].map(field).join(','));
    lines.customers++;
  }
  let brokenWritten = 0;
  for (const c of generateMatchingCases(options)) {
    for (const invoice of c.invoices) {
      await writeLine(
        streams.invoices,
        [
          invoice.id,
          invoice.number,
          invoice.customerId,
          invoice.customerName,
          euros(invoice.amountCents),
          invoice.issuedOn,
          invoice.dueOn,
        ]
          .map(field)
          .join(','),
      );
      lines.invoices++;
      if (after.has(invoice.id) && brokenWritten < brokenLines) {
        const kind = BROKEN[brokenWritten % BROKEN.length] as (typeof BROKEN)[number];
        const inPayments = brokenWritten % 2 === 1;
        const file = inPayments ? 'payments.csv' : 'invoices.csv';
        await writeLine(
          inPayments ? streams.payments : streams.invoices,
          inPayments ? kind.payment : kind.invoice,
        );
        const line = inPayments ? ++lines.payments : ++lines.invoices;
        broken.push({ file, line, reason: kind.reason });
        brokenWritten++;
        after.delete(invoice.id);
      }
    }
    for (const payment of c.payments) {
      await writeLine(
        streams.payments,
        [
          payment.id,
          payment.reference,
          payment.payerName,
          payment.payerIban,
          euros(payment.amountCents),
          payment.paidOn,
          payment.description,
        ]
          .map(field)
          .join(','),
      );
      lines.payments++;
    }
    for (const allocation of c.truth) {
      await writeLine(
        streams.truth,
        [allocation.invoiceId, allocation.paymentId, euros(allocation.amountCents), c.review]
          .map(field)
          .join(','),
      );
      lines.truth++;
    }
  }
  await Promise.all(Object.values(streams).map((stream) => new Promise((resolve) => stream.end(resolve))));
  return {
    customers: { path: join(dir, 'customers.csv'), rows: lines.customers - 1 },
    invoices: {
      path: join(dir, 'invoices.csv'),
      rows: lines.invoices - 1 - broken.filter((b) => b.file === 'invoices.csv').length,
    },
    payments: {
      path: join(dir, 'payments.csv'),
      rows: lines.payments - 1 - broken.filter((b) => b.file === 'payments.csv').length,
    },
    truth: { path: join(dir, 'truth.csv'), rows: lines.truth - 1 },
    broken,
  };
}
