import { bucketOf, ownerOf } from './inputs.js';
import type { MatchRules } from './rules.js';
import { type BucketRange, inDateWindow, inRange, num, type Sql, toleranceOf } from './sql.js';

/** How many payments of a range found their customer, by how it was found. */
export interface CustomersFound {
  reference: number;
  iban: number;
  name: number;
  /** Payments with no customer found but a few invoices of their amount: listed for review. */
  reviewed: number;
}

/** A reference at least this like an invoice number may be that number mistyped (pg_trgm similarity). */
const MISTYPED_SIMILARITY = 0.5;
/** More invoices than this of one amount are no tie but a common amount: nothing to review. */
const MAX_TIED = 5;

const found = (how: string) =>
  `customer_id = found.customer_id, customer_rule = '${how}', bucket = ${bucketOf('found.customer_id')}`;

/**
 * Finds the customer of each payment of a range of payment buckets that has none yet, as ERPNext does: the
 * customer whose bank account paid (most are found so when staged); else the customer of the invoices its
 * reference names, if the payer's name or the amount agrees; else, among the customers with an invoice of
 * the payment's amount in the date window (exact first, then within the tolerance), the one whose
 * name is clearly the most like the payer's. A payment no rule finds stays without one (reported unmatched);
 * one with a few invoices of exactly its amount is listed for review. Set-based: a few statements per range.
 * What is matched already plays no part: a second run finds the customers the first found, and no others.
 */
export async function assignCustomers(
  sql: Sql,
  runId: string,
  range: BucketRange,
  rules: MatchRules,
): Promise<CustomersFound> {
  const unassigned = `p.customer_id is null and ${inRange('p.payment_bucket', range)}
    and not exists (select 1 from match_review r where r.payment_id = p.payment_id and r.status = 'open')`;
  const byIban = await sql(
    `update match_payments p set ${found('iban')}
     from (select p.payment_id, owner.customer_id from match_payments p join ${ownerOf('p.iban_key')}
           where p.iban_key is not null and ${unassigned}) found
     where p.payment_id = found.payment_id`,
  );
  const byReference = await sql(
    `update match_payments p set ${found('reference')}
     from (select p.payment_id, min(i.customer_id) as customer_id
           from match_payments p
           join match_payment_refs r on r.payment_id = p.payment_id
           join match_invoices i on i.number_key = r.ref_key
           join match_customers c on c.customer_id = i.customer_id
           where ${unassigned}
           group by p.payment_id, p.amount_cents, p.name_key, p.reference, p.paid_on
           having count(distinct i.customer_id) = 1
              and (abs(sum(i.amount_cents) - p.amount_cents) <= ${toleranceOf(rules.customer.tolerance, 'p.amount_cents')}
                   -- Amounts differ (a part payment, or a mistyped reference that names another invoice): the
                   -- payer's name must agree, and no invoice of exactly the amount may have a number like it.
                   or ((p.name_key is null or bool_or(similarity(p.name_key, c.name_key) >= ${num(rules.customer.nameThreshold)}))
                       and not exists (
                         select 1 from match_invoices other
                         where other.amount_cents = p.amount_cents and ${inDateWindow(rules, 'other', 'p')}
                           and similarity(other.number_key, ferry_reference_key(p.reference)) >= ${num(MISTYPED_SIMILARITY)})))) found
     where p.payment_id = found.payment_id`,
  );
  let byName = 0;
  const { tolerance, nameThreshold, margin } = rules.customer;
  const withins =
    tolerance.cents > 0 || tolerance.percent > 0 ? ['0', toleranceOf(tolerance, 'p.amount_cents')] : ['0'];
  for (const within of withins) {
    const named = await sql(
      `with candidates as (
         select p.payment_id, i.customer_id, max(similarity(p.name_key, c.name_key)) as score
         from match_payments p
         join match_invoices i on i.amount_cents between p.amount_cents - ${within} and p.amount_cents + ${within}
           and ${inDateWindow(rules, 'i', 'p')}
         join match_customers c on c.customer_id = i.customer_id
         where ${unassigned}
         group by p.payment_id, i.customer_id
       ), ranked as (
         select payment_id, customer_id, score, row_number() over w as rank, lead(score) over w as next_score
         from candidates where score >= ${num(nameThreshold)}
         window w as (partition by payment_id order by score desc, customer_id)
       )
       update match_payments p set ${found('name')}
       from (select payment_id, customer_id from ranked
             where rank = 1 and (next_score is null or score - next_score >= ${num(margin)})) found
       where p.payment_id = found.payment_id`,
    );
    byName += named.rowCount ?? 0;
  }
  const tied = await sql(
    `with candidates as (
       select p.payment_id, i.invoice_id, count(*) over (partition by p.payment_id) as count
       from match_payments p
       join match_invoices i on i.amount_cents = p.amount_cents and ${inDateWindow(rules, 'i', 'p')}
       where ${unassigned}
     )
     , listed as (
       insert into match_review (payment_id, invoice_id, rule, score, run_id)
       select payment_id, invoice_id, 'customer', null, $1 from candidates
       where count between 2 and ${num(MAX_TIED)}
       on conflict (payment_id, invoice_id) do nothing
       returning payment_id
     )
     select count(distinct payment_id)::int as payments from listed`,
    [runId],
  );
  return {
    reference: byReference.rowCount ?? 0,
    iban: byIban.rowCount ?? 0,
    name: byName,
    reviewed: (tied.rows[0] as { payments: number }).payments,
  };
}
