import { columns as c, defineTarget, routedTarget, table, z } from '../../kit/index.js';

interface Relation {
  code: string;
  name: string;
}
interface Ledger {
  code: string;
}

const money = () => c.decimal(14, 2);
const mutationId = () => c.bigint().from('id').parse(z.int().positive()).comment('e-Boekhouden mutation id');
const ledgerCode = () => c.text().lookup('ledger', 'ledgerId', (ledger: Ledger) => ledger.code);
/** The columns every mutation has, whichever table it goes to. */
const booking = {
  mutation_type: c.integer().from('type').comment('0 opening … 7 journal, as e-Boekhouden numbers them'),
  mutation_date: c.date().from('date'),
  ledger_id: c.bigint().from('ledgerId'),
  ledger_code: ledgerCode(),
  description: c.text(),
  entry_number: c.text().from('entryNumber'),
};
/** A field of the relation the mutation names, found by the relation lookup. */
const ofRelation = (field: (relation: Relation) => unknown) =>
  c.text().lookup('relation', 'relationId', field);
/**
 * The relation a mutation names: its id and code. An invoice must name one the source knows; a payment or journal
 * entry may name none, or one the source no longer has (its id kept, its code empty).
 */
const relation = ({ optional }: { optional: boolean }) => {
  const id = c.bigint().from('relationId');
  const code = ofRelation((found) => found.code);
  return optional
    ? { relation_id: id.nullable(), relation_code: code.nullable() }
    : { relation_id: id, relation_code: code };
};
/** A mutation's row: a ledger, its VAT code and amount. */
const row = {
  line_no: c.integer().position().comment("the row's place in the mutation, from 1"),
  ledger_id: c.bigint().from('ledgerId'),
  ledger_code: ledgerCode(),
  vat_code: c.text().from('vatCode'),
  amount: money(),
  description: c.text(),
};

const invoices = table('invoices', {
  columns: {
    invoice_number: c.text().from('invoiceNumber').parse(z.string().min(1)),
    mutation_id: mutationId().unique(),
    ...booking,
    ...relation({ optional: false }),
    relation_name: ofRelation((found) => found.name),
    term_of_payment: c.integer().from('termOfPayment'),
    in_ex_vat: c
      .text()
      .from('inExVat')
      .parse(z.enum(['IN', 'EX'])),
  },
  key: ['invoice_number'],
  indexes: [['mutation_date']],
});
const invoiceLines = table('invoice_lines', {
  columns: { invoice_number: c.text().references('invoices.invoice_number', { cascade: true }), ...row },
  key: ['invoice_number', 'line_no'],
});
const invoiceTaxes = table('invoice_taxes', {
  columns: {
    invoice_number: c.text().references('invoices.invoice_number', { cascade: true }),
    vat_code: c.text().from('vatCode'),
    amount: money(),
  },
  key: ['invoice_number', 'vat_code'],
});

const payments = table('payments', {
  columns: {
    mutation_id: mutationId(),
    ...booking,
    ...relation({ optional: true }),
    invoice_numbers: c.text().from('invoiceNumber').comment('the settled invoices, comma-separated'),
  },
  key: ['mutation_id'],
  indexes: [['mutation_date']],
});
const paymentAllocations = table('payment_allocations', {
  columns: {
    mutation_id: c.bigint().references('payments.mutation_id', { cascade: true }),
    // By row: a payment may settle one invoice in two rows.
    line_no: c.integer().position().comment("the row's place in the payment, from 1"),
    invoice_number: c.text().from('invoiceNumber').parse(z.string().min(1)),
    ledger_id: c.bigint().from('ledgerId'),
    amount: money(),
  },
  key: ['mutation_id', 'line_no'],
  indexes: [['invoice_number']],
});

const journalEntries = table('journal_entries', {
  columns: {
    mutation_id: mutationId(),
    ...booking,
    ...relation({ optional: true }),
  },
  key: ['mutation_id'],
  indexes: [['mutation_date']],
});
const journalLines = table('journal_lines', {
  columns: { mutation_id: c.bigint().references('journal_entries.mutation_id', { cascade: true }), ...row },
  key: ['mutation_id', 'line_no'],
});

/**
 * Mutations by type: invoices (1 received, 2 sent) with their lines and taxes, keyed by the invoice number;
 * payments of invoices (3 received, 4 sent) with one allocation per settled invoice; every other type (0 opening
 * balance, 5 money received, 6 money spent, 7 journal) as a journal entry with its lines.
 */
export const target = routedTarget({
  by: 'type',
  routes: [
    {
      when: [1, 2],
      target: defineTarget({
        record: invoices,
        sourceKey: 'mutation_id',
        children: [
          { table: invoiceLines, parentColumn: 'invoice_number', from: 'rows' },
          { table: invoiceTaxes, parentColumn: 'invoice_number', from: 'vat' },
        ],
      }),
    },
    {
      when: [3, 4],
      target: defineTarget({
        record: payments,
        children: [{ table: paymentAllocations, parentColumn: 'mutation_id', from: 'rows' }],
      }),
    },
    {
      when: [0, 5, 6, 7],
      target: defineTarget({
        record: journalEntries,
        children: [{ table: journalLines, parentColumn: 'mutation_id', from: 'rows' }],
      }),
    },
  ],
});
