import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Knex } from 'knex';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { MatchInputsDeclaration } from '../../matching/inputs.js';
import { copyLine } from '../../target/copy-text.js';
import { euros } from './csv.js';
import { customerCount, customerOf, generateMatchingCases } from './generator.js';

/**
 * A generated ledger as the tables an ERP and a bank export would fill: `ledger_customers`, `ledger_invoices`,
 * `bank_payments`, and the truth beside them (`match_truth`: which payment pays which invoice, and whether only a
 * reviewer can tell). For `ferry dev`, the tests and the bench; loaded with COPY, streamed from the generator.
 */
export const GENERATED_INPUTS: MatchInputsDeclaration = {
  customers: { table: 'ledger_customers', id: 'id', name: 'name', iban: 'iban' },
  invoices: {
    table: 'ledger_invoices',
    id: 'id',
    number: 'number',
    customer: 'customer_id',
    amount: 'amount',
    issuedOn: 'issued_on',
  },
  payments: {
    table: 'bank_payments',
    id: 'id',
    amount: 'amount',
    paidOn: 'paid_on',
    reference: 'reference',
    payerName: 'payer_name',
    payerIban: 'payer_iban',
    description: 'description',
  },
};

/** The same ledger as CSV files (writeMatchingCsv) beside the declaration: each input a file, not a table. */
export const GENERATED_CSV_INPUTS: MatchInputsDeclaration = {
  customers: { ...withoutTable(GENERATED_INPUTS.customers), csv: 'customers.csv' },
  invoices: { ...withoutTable(GENERATED_INPUTS.invoices), csv: 'invoices.csv' },
  payments: { ...withoutTable(GENERATED_INPUTS.payments), csv: 'payments.csv' },
};

function withoutTable<T extends { table?: string }>(input: T): Omit<T, 'table'> {
  const { table: _table, ...columns } = input;
  return columns;
}

const TABLES = `
  create table ledger_customers (id bigint primary key, name text not null, iban text);
  create table ledger_invoices (id bigint primary key, number text not null, customer_id bigint not null,
    amount numeric(14, 2) not null, issued_on date not null, due_on date);
  create table bank_payments (id bigint primary key, reference text, payer_name text, payer_iban text,
    amount numeric(14, 2) not null, paid_on date not null, description text);
  create table match_truth (invoice_id text not null, payment_id text not null, amount_cents bigint not null,
    review boolean not null, kind text not null)`;

const line = (...values: (string | number | boolean | null)[]) => copyLine(values);

export interface GeneratedLedger {
  customers: number;
  invoices: number;
  payments: number;
  truth: number;
}

/** Creates the tables (they must not exist) and fills them with the ledger of (seed, invoices). */
export async function loadGeneratedLedger(
  db: Knex,
  options: { seed: number; invoices: number },
): Promise<GeneratedLedger> {
  await db.raw(TABLES);
  const counts: GeneratedLedger = {
    customers: customerCount(options.invoices),
    invoices: 0,
    payments: 0,
    truth: 0,
  };
  const client = (await db.client.acquireConnection()) as pg.PoolClient;
  try {
    const copy = (table: string, lines: Iterable<string>) =>
      pipeline(Readable.from(lines), client.query(copyFrom(`copy ${table} from stdin`)));
    await copy(
      'ledger_customers',
      (function* () {
        for (let id = 0; id < counts.customers; id++) {
          const customer = customerOf(options.seed, id);
          yield line(customer.id, customer.name, customer.iban);
        }
      })(),
    );
    // Each file is one pass over the generator: the cases are made again, never held.
    await copy(
      'ledger_invoices',
      (function* () {
        for (const c of generateMatchingCases(options))
          for (const i of c.invoices) {
            counts.invoices++;
            yield line(i.id, i.number, i.customerId, euros(i.amountCents), i.issuedOn, i.dueOn);
          }
      })(),
    );
    await copy(
      'bank_payments',
      (function* () {
        for (const c of generateMatchingCases(options))
          for (const p of c.payments) {
            counts.payments++;
            yield line(
              p.id,
              p.reference,
              p.payerName,
              p.payerIban,
              euros(p.amountCents),
              p.paidOn,
              p.description,
            );
          }
      })(),
    );
    await copy(
      'match_truth',
      (function* () {
        for (const c of generateMatchingCases(options))
          for (const a of c.truth) {
            counts.truth++;
            yield line(a.invoiceId, a.paymentId, a.amountCents, c.review, c.kind);
          }
      })(),
    );
  } finally {
    await db.client.releaseConnection(client);
  }
  await db.raw('analyze ledger_customers, ledger_invoices, bank_payments, match_truth');
  return counts;
}
