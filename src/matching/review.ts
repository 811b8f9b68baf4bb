import type { Knex } from 'knex';
import { FerryError } from '../errors.js';
import { bucketOf } from './inputs.js';
import { CUSTOMER_BUCKET_LOCK } from './partition.js';

export interface ReviewItem {
  reviewId: number;
  paymentId: string;
  invoiceId: string;
  rule: string;
  score: number | null;
  status: string;
}

/** Open review items, oldest first: a payment's candidates together. */
export async function openReviewItems(db: Knex, limit: number): Promise<ReviewItem[]> {
  const rows = await db('match_review')
    .where({ status: 'open' })
    .orderBy([{ column: 'payment_id' }, { column: 'review_id' }])
    .limit(limit)
    .select('review_id', 'payment_id', 'invoice_id', 'rule', 'score', 'status');
  return rows.map((row) => ({
    reviewId: Number(row.review_id),
    paymentId: row.payment_id,
    invoiceId: row.invoice_id,
    rule: row.rule,
    score: row.score === null ? null : Number(row.score),
    status: row.status,
  }));
}

async function openItem(trx: Knex.Transaction, reviewId: number) {
  const item = await trx('match_review').where({ review_id: reviewId }).forUpdate().first();
  if (!item) throw new FerryError(`No review item ${reviewId}; list them with ferry match review`);
  if (item.status !== 'open') throw new FerryError(`Review item ${reviewId} is ${item.status} already`);
  return item as { review_id: string; payment_id: string; invoice_id: string; run_id: string };
}

/**
 * A reviewer's yes: the payment pays the invoice what both still have open (a match of rule `confirmed`), and the
 * payment's other candidates are closed. A payment whose customer was unknown takes the invoice's customer.
 */
export async function confirmReviewItem(db: Knex, reviewId: number): Promise<{ amountCents: number }> {
  return db.transaction(async (trx) => {
    const item = await openItem(trx, reviewId);
    // No partition may be matching these customers meanwhile (it would not see this match), and a second
    // confirmation of the invoice or the payment waits for this one: the customers' bucket locks, in order.
    await trx.raw(
      `select pg_advisory_xact_lock(hashtext(?), bucket) from (
         select bucket from match_invoices where invoice_id = ?
         union select bucket from match_payments where payment_id = ? and bucket is not null
       ) buckets order by bucket`,
      [CUSTOMER_BUCKET_LOCK, item.invoice_id, item.payment_id],
    );
    // Read after the locks are held: this statement sees every match committed before.
    const open = await trx.raw(
      `select least(
         (select amount_cents from match_payments where payment_id = ?)
           - coalesce((select sum(amount_cents) from matches where payment_id = ?), 0),
         (select amount_cents from match_invoices where invoice_id = ?)
           - coalesce((select sum(amount_cents) from matches where invoice_id = ?), 0))::bigint as cents`,
      [item.payment_id, item.payment_id, item.invoice_id, item.invoice_id],
    );
    const cents = Number((open.rows[0] as { cents: string }).cents);
    if (!(cents > 0)) {
      throw new FerryError(
        `Nothing is open between payment ${item.payment_id} and invoice ${item.invoice_id} any more; reject the item instead`,
      );
    }
    // A part of this invoice matched to this payment already: the confirmation adds to it.
    await trx.raw(
      `insert into matches (invoice_id, payment_id, amount_cents, rule, confidence, run_id)
       values (?, ?, ?, 'confirmed', 1, ?)
       on conflict (invoice_id, payment_id) do update set amount_cents = matches.amount_cents + excluded.amount_cents,
         rule = 'confirmed', confidence = 1`,
      [item.invoice_id, item.payment_id, cents, item.run_id],
    );
    await trx('match_review')
      .where({ review_id: reviewId })
      .update({ status: 'confirmed', decided_at: trx.fn.now() });
    await trx('match_review')
      .where({ payment_id: item.payment_id, status: 'open' })
      .update({ status: 'rejected', decided_at: trx.fn.now() });
    await trx.raw(
      `update match_payments p set customer_id = i.customer_id, customer_rule = 'review', bucket = ${bucketOf('i.customer_id')}
       from match_invoices i where i.invoice_id = ? and p.payment_id = ? and p.customer_id is null`,
      [item.invoice_id, item.payment_id],
    );
    return { amountCents: cents };
  });
}

/** A reviewer's no: this invoice is not what the payment pays. */
export async function rejectReviewItem(db: Knex, reviewId: number): Promise<void> {
  await db.transaction(async (trx) => {
    await openItem(trx, reviewId);
    await trx('match_review')
      .where({ review_id: reviewId })
      .update({ status: 'rejected', decided_at: trx.fn.now() });
  });
}
