import type { Knex } from 'knex';

/** How the matches compare with the truth of a generated ledger, and whether any allocation is too large. */
export interface MatchScores {
  /** Automatic matches (made by a rule, not confirmed by a reviewer). */
  matches: number;
  correct: number;
  /** True allocations a rule may make (those only a reviewer can tell apart left out). */
  truePairs: number;
  precision: number;
  recall: number;
  ties: number;
  tiesReviewed: number;
  tiesMatched: number;
  /** Payments or invoices whose matches take more than their amount: must be 0. */
  overAllocated: number;
}

/** Precision and recall of the automatic matches against `match_truth` (see loadGeneratedLedger). */
export async function scoreMatches(db: Knex): Promise<MatchScores> {
  const result = await db.raw(`
    with auto as (select invoice_id, payment_id from matches where rule <> 'confirmed'),
    truth as (select invoice_id, payment_id, review from match_truth)
    select
      (select count(*) from auto)::int as matches,
      (select count(*) from auto join truth using (invoice_id, payment_id) where not truth.review)::int as correct,
      (select count(*) from truth where not review)::int as true_pairs,
      (select count(*) from truth where review)::int as ties,
      (select count(*) from truth t where review
         and exists (select 1 from match_review r where r.payment_id = t.payment_id))::int as ties_reviewed,
      (select count(*) from truth t where review
         and exists (select 1 from auto m where m.payment_id = t.payment_id))::int as ties_matched,
      ((select count(*) from (select m.payment_id from matches m join match_payments p using (payment_id)
          group by m.payment_id, p.amount_cents having sum(m.amount_cents) > p.amount_cents) over_paid)
       + (select count(*) from (select m.invoice_id from matches m join match_invoices i using (invoice_id)
          group by m.invoice_id, i.amount_cents having sum(m.amount_cents) > i.amount_cents) over_invoiced))::int
        as over_allocated`);
  const row = result.rows[0] as Record<string, number>;
  const matches = row.matches as number;
  const correct = row.correct as number;
  const truePairs = row.true_pairs as number;
  return {
    matches,
    correct,
    truePairs,
    precision: matches === 0 ? 0 : correct / matches,
    recall: truePairs === 0 ? 0 : correct / truePairs,
    ties: row.ties as number,
    tiesReviewed: row.ties_reviewed as number,
    tiesMatched: row.ties_matched as number,
    overAllocated: row.over_allocated as number,
  };
}
