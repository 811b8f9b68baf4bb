import type { Knex } from 'knex';

/**
 * The seed's matcher, for comparison: in the worker, each payment compared with every invoice by fuzzy
 * similarity of its reference to the invoice number and of its payer to the customer's name (trigrams, as
 * pg_trgm counts them), the best kept. It is run for a sample of payments and its time per payment multiplied
 * out: the whole loop would take days at a million.
 */
function trigrams(text: string): Set<string> {
  const found = new Set<string>();
  for (const word of text.toLowerCase().split(/[^a-z0-9]+/)) {
    if (word === '') continue;
    const padded = `  ${word} `;
    for (let at = 0; at + 3 <= padded.length; at++) found.add(padded.slice(at, at + 3));
  }
  return found;
}

function similarity(a: Set<string>, text: string): number {
  const b = trigrams(text);
  let shared = 0;
  for (const trigram of b) if (a.has(trigram)) shared++;
  const union = a.size + b.size - shared;
  return union === 0 ? 0 : shared / union;
}

interface Invoice {
  number: string;
  customer: string;
  cents: number;
}

export async function naiveMatchSample(db: Knex, sample: number) {
  const invoices: Invoice[] = (
    await db.raw(
      `select i.number, c.name as customer, round(i.amount * 100)::int as cents
       from ledger_invoices i join ledger_customers c on c.id = i.customer_id`,
    )
  ).rows;
  const payments = (
    await db.raw(
      `select coalesce(reference, '') as reference, coalesce(payer_name, '') as payer, round(amount * 100)::int as cents
       from bank_payments order by id limit ?`,
      [sample],
    )
  ).rows as { reference: string; payer: string; cents: number }[];
  const started = performance.now();
  let found = 0;
  for (const payment of payments) {
    const reference = trigrams(payment.reference);
    const payer = trigrams(payment.payer);
    let best = 0;
    for (const invoice of invoices) {
      const score =
        Math.max(similarity(reference, invoice.number), similarity(payer, invoice.customer)) -
        (Math.abs(invoice.cents - payment.cents) > 5 ? 0.5 : 0);
      if (score > best) best = score;
    }
    if (best >= 0.45) found++;
  }
  const seconds = (performance.now() - started) / 1000;
  return { sampled: payments.length, found, seconds, secondsPerPayment: seconds / payments.length };
}
