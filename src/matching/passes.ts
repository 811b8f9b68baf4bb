import type { MatchRule, MatchRules } from './rules.js';
import { inDateWindow, num, toleranceOf } from './sql.js';

/**
 * The matching rules as SQL over one partition's invoices and payments (`part_invoices`, `part_payments`: see
 * partition.ts), which carry what is still open of each. Each rule fills `match_proposals` with
 * allocations (payment, invoice, cents, confidence) and, for ambiguous payments, review candidates; `applyProposals`
 * then writes them. A pass only proposes what leaves no doubt: one candidate, or one clearly best; everything
 * else is a tie, and a tie is listed for review, never matched.
 */
export const PROPOSALS_TABLE = `create temp table match_proposals (
  payment_id text not null, invoice_id text not null, amount_cents bigint not null,
  confidence numeric(4, 3) not null, review boolean not null
)`;

/** A rule's statements: each fills `match_proposals`, which is applied before the next runs. */
type Pass<R extends MatchRule> = (rule: R, rules: MatchRules) => string[];

/** Open items of the partition; a payment nobody reviews. Untouched, or with more left than a rounding difference. */
const isOpen = (rules: MatchRules) =>
  `(open_cents = amount_cents or open_cents > ${num(rules.remnantCents)}) and open_cents > 0`;
const openPayments = (rules: MatchRules) =>
  `select * from part_payments where ${isOpen(rules)} and not in_review and customer_id is not null`;
const openInvoices = (rules: MatchRules) => `select * from part_invoices where ${isOpen(rules)}`;

/**
 * Allocations for pairs where one side is shared by no other pair: a payment settling several invoices (each
 * invoice gets what is left of the payment, oldest first) or an invoice settled by several payments (each
 * payment gives what is left of the invoice, earliest first). A pair in a web of several on both sides is a
 * review item.
 */
const ALLOCATE_PAIRS = `
  counted as (
    select *, count(*) over (partition by payment_id) as invoices_of_payment,
              count(*) over (partition by invoice_id) as payments_of_invoice
    from pairs
  ), grouped as (
    select *, bool_and(payments_of_invoice = 1) over (partition by payment_id) as by_payment,
              bool_and(invoices_of_payment = 1) over (partition by invoice_id) as by_invoice
    from counted
  )
  select payment_id, invoice_id,
    case when by_payment
      then least(invoice_open, greatest(0, payment_open - coalesce(sum(invoice_open) over (
        partition by payment_id order by issued_on, invoice_id rows between unbounded preceding and 1 preceding), 0)))
      else least(payment_open, greatest(0, invoice_open - coalesce(sum(payment_open) over (
        partition by invoice_id order by paid_on, payment_id rows between unbounded preceding and 1 preceding), 0)))
    end as amount_cents,
    confidence, not (by_payment or by_invoice) as review
  from grouped`;

/**
 * The invoice numbers the payment's reference names, exactly once normalised. A payment above what it names (more
 * than a rounding difference) has a mistyped reference that happens to name another invoice: left to later rules.
 */
const referencePass: Pass<Extract<MatchRule, { rule: 'reference' }>> = (rule, rules) => [
  `insert into match_proposals
     with named as (
       select distinct p.payment_id, i.invoice_id, p.open_cents as payment_open, i.open_cents as invoice_open,
              p.paid_on, i.issued_on, ${num(rule.confidence)} as confidence
       from (${openPayments(rules)}) p
       join match_payment_refs r on r.payment_id = p.payment_id
       join (${openInvoices(rules)}) i on i.number_key = r.ref_key and i.customer_id = p.customer_id
     ), pairs as (
       select * from (select *, sum(invoice_open) over (partition by payment_id) as named_open from named) n
       where named_open >= payment_open - ${num(rules.remnantCents)}
     ), ${ALLOCATE_PAIRS}`,
];

/** The one open invoice of the payment's customer, in the date window, with the open amount the payment has. */
const amountPass: Pass<Extract<MatchRule, { rule: 'amount' }>> = (rule, rules) => [
  `insert into match_proposals
     with pairs as (
       select p.payment_id, i.invoice_id, p.open_cents,
              count(*) over (partition by p.payment_id) as candidates,
              count(*) over (partition by i.invoice_id) as takers
       from (${openPayments(rules)}) p
       join (${openInvoices(rules)}) i on i.customer_id = p.customer_id and i.open_cents = p.open_cents
         and ${inDateWindow(rules, 'i', 'p')}
     )
     -- Several candidates are left to the fuzzy rule, which may tell them apart or list them for review.
     select payment_id, invoice_id, open_cents, ${num(rule.confidence)}, false
     from pairs where candidates = 1 and takers = 1`,
];

/**
 * Open invoices of the payment's customer within the amount tolerance and the date window, scored by pg_trgm
 * similarity: the reference to the invoice number, the description's best-matching words to it, the payer's
 * name to the customer's. The best is matched when it is clearly better than the next; a tie goes to review.
 */
const fuzzyPass: Pass<Extract<MatchRule, { rule: 'fuzzy' }>> = (rule, rules) => [
  `insert into match_proposals
     with pairs as (
       select p.payment_id, i.invoice_id, least(p.open_cents, i.open_cents) as amount_cents,
         greatest(
           coalesce(similarity(ferry_reference_key(p.reference), i.number_key), 0),
           coalesce(word_similarity(i.number_key, ferry_reference_key(p.description)), 0),
           coalesce(similarity(p.name_key, c.name_key), 0))::numeric as score
       from (${openPayments(rules)}) p
       join (${openInvoices(rules)}) i on i.customer_id = p.customer_id
         and abs(i.open_cents - p.open_cents) <= ${toleranceOf(rule.tolerance, 'p.open_cents')}
         and ${inDateWindow(rules, 'i', 'p')}
       join match_customers c on c.customer_id = i.customer_id
     ), ranked as (
       select *, row_number() over w as rank, first_value(score) over w as best
       from pairs
       window w as (partition by payment_id order by score desc, invoice_id)
     ), decided as (
       select *, count(*) filter (where best - score < ${num(rule.margin)}) over (partition by payment_id) as contenders
       from ranked
     ), chosen as (
       select *, count(*) over (partition by invoice_id) as takers
       from decided where rank = 1 and contenders = 1 and score >= ${num(rule.threshold)}
     )
     select payment_id, invoice_id, amount_cents, round(${num(rule.confidence)} * score, 3), false
     from chosen where takers = 1
     union all
     -- Candidates as alike as the best, whether or not any reaches the threshold: a tie.
     select payment_id, invoice_id, amount_cents, round(score, 3), true
     from decided where contenders > 1 and best - score < ${num(rule.margin)}
     union all
     select payment_id, invoice_id, amount_cents, round(score, 3), true from chosen where takers > 1`,
];

/** Sums of 2..maxParts open items of one side equal (within the tolerance) to one open item of the other. */
function combinations(
  side: 'invoices' | 'payments',
  rule: Extract<MatchRule, { rule: 'split' }>,
  rules: MatchRules,
): string {
  const parts = Array.from({ length: rule.maxParts - 1 }, (_, n) => n + 2);
  const one = side === 'invoices' ? 'p' : 'i';
  const many = side === 'invoices' ? openInvoices(rules) : openPayments(rules);
  const manyId = side === 'invoices' ? 'invoice_id' : 'payment_id';
  const oneId = side === 'invoices' ? 'payment_id' : 'invoice_id';
  const window = (m: string) =>
    side === 'invoices' ? inDateWindow(rules, m, 'p') : inDateWindow(rules, 'i', m);
  return parts
    .map((count) => {
      const aliases = Array.from({ length: count }, (_, n) => `m${n}`);
      const joins = aliases
        .map(
          (m, n) =>
            `join (${many}) ${m} on ${m}.customer_id = ${one}.customer_id and ${window(m)}` +
            (n > 0 ? ` and ${m}.${manyId} > ${aliases[n - 1]}.${manyId}` : ''),
        )
        .join('\n');
      const total = aliases.map((m) => `${m}.open_cents`).join(' + ');
      return `select ${one}.${oneId} as one_id, array[${aliases.map((m) => `${m}.${manyId}`).join(', ')}] as many_ids
        from (${side === 'invoices' ? openPayments(rules) : openInvoices(rules)}) ${one}
        ${joins}
        where abs(${total} - ${one}.open_cents) <= ${toleranceOf(rule.tolerance, `${one}.open_cents`)}`;
    })
    .join('\nunion all\n');
}

/**
 * One payment settling several invoices, then several payments settling one invoice: the only combination of
 * the customer's open items whose sum is the amount. Two combinations for one item, or an item in two, are
 * ties: listed for review.
 */
const splitPass: Pass<Extract<MatchRule, { rule: 'split' }>> = (rule, rules) =>
  (['invoices', 'payments'] as const).map((side) => {
    const [paymentOf, invoiceOf] = side === 'invoices' ? ['one_id', 'many_id'] : ['many_id', 'one_id'];
    return `insert into match_proposals
       with combos as (${combinations(side, rule, rules)}),
       counted as (select *, count(*) over (partition by one_id) as combos_of_one from combos),
       members as (
         select c.one_id, m.many_id, m.place, c.combos_of_one,
                count(*) over (partition by m.many_id) as combos_of_many
         from counted c cross join lateral unnest(c.many_ids) with ordinality as m(many_id, place)
       ), decided as (
         select *, bool_and(combos_of_one = 1 and combos_of_many = 1) over (partition by one_id) as clear from members
       ), pairs as (
         select d.${paymentOf} as payment_id, d.${invoiceOf} as invoice_id, d.clear, d.place,
                p.open_cents as payment_open, i.open_cents as invoice_open
         from decided d
         join part_payments p on p.payment_id = d.${paymentOf}
         join part_invoices i on i.invoice_id = d.${invoiceOf}
       )
       select payment_id, invoice_id,
         least(${side === 'invoices' ? 'invoice_open' : 'payment_open'}, greatest(0, ${
           side === 'invoices' ? 'payment_open' : 'invoice_open'
         } - coalesce(sum(${side === 'invoices' ? 'invoice_open' : 'payment_open'}) over (
           partition by ${side === 'invoices' ? 'payment_id' : 'invoice_id'} order by place
           rows between unbounded preceding and 1 preceding), 0))),
         ${num(rule.confidence)}, not clear
       from pairs`;
  });

export const PASSES: { [R in MatchRule as R['rule']]: Pass<R> } = {
  reference: referencePass,
  amount: amountPass,
  fuzzy: fuzzyPass,
  split: splitPass,
};
