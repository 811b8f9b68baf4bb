import type { Knex } from 'knex';

/** What a match run did and what is left open: the data of `ferry match report`. */
export interface MatchReport {
  runId: string;
  /** The latest date in the inputs: ages are counted back from it. */
  asOf: string | null;
  staged: { invoices: number; payments: number };
  matches: { count: number; amountCents: number };
  byRule: { rule: string; matches: number; amountCents: number }[];
  byConfidence: { band: string; matches: number }[];
  review: { open: number; confirmed: number; rejected: number };
  /** What a match may leave open and settle: the run's rule (0 for a run ferry has no rules of). */
  remnantCents: number;
  /** Invoices and payments with something still open (more than a remnant, once matched), by how old they are. */
  unmatched: { kind: 'invoices' | 'payments'; age: string; count: number; openCents: number }[];
  largestOpenInvoices: { invoiceId: string; customerId: string; issuedOn: string; openCents: number }[];
}

/** An amount as a report shows it: 1234567 → 12,345.67. */
export const formatAmount = (cents: number) =>
  (cents / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** The largest open invoices as a report's table rows, text and HTML alike. */
export const LARGEST_OPEN_HEADERS = ['invoice', 'customer', 'issued', 'open'];
export const largestOpenRows = (report: MatchReport): string[][] =>
  report.largestOpenInvoices.map((row) => [
    row.invoiceId,
    row.customerId,
    row.issuedOn,
    formatAmount(row.openCents),
  ]);

const AGE_BANDS = `case when age <= 30 then '0-30 days' when age <= 60 then '31-60 days'
  when age <= 90 then '61-90 days' else 'over 90 days' end`;

/** Everything a report needs, in a few set-based statements (a million-record run reports in seconds). */
export async function matchReport(db: Knex, runId: string, largest = 10): Promise<MatchReport> {
  const one = async <T>(sql: string, bindings: unknown[] = []) =>
    (await db.raw(sql, bindings as Knex.RawBinding[])).rows as T[];
  const [asOf] = await one<{ as_of: string | null }>(
    `select greatest((select max(issued_on) from match_invoices), (select max(paid_on) from match_payments))::text as as_of`,
  );
  const [staged] = await one<{ invoices: number; payments: number }>(
    'select (select count(*) from match_invoices)::int as invoices, (select count(*) from match_payments)::int as payments',
  );
  const byRule = await one<{ rule: string; matches: number; amount_cents: string }>(
    `select rule, count(*)::int as matches, sum(amount_cents)::bigint as amount_cents
     from matches where run_id = ? group by rule order by matches desc`,
    [runId],
  );
  const byConfidence = await one<{ band: string; matches: number }>(
    `select case when confidence >= 1 then '1.00' when confidence >= 0.9 then '0.90-0.99'
                 when confidence >= 0.8 then '0.80-0.89' else 'below 0.80' end as band, count(*)::int as matches
     from matches where run_id = ? group by band order by min(confidence) desc`,
    [runId],
  );
  const review = await one<{ status: string; count: number }>(
    'select status, count(*)::int as count from match_review where run_id = ? group by status',
    [runId],
  );
  // What the run settled on purpose: a match that leaves this much or less leaves a rounding difference.
  const [run] = await one<{ remnant_cents: string | null }>(
    `select (rules->>'remnantCents')::bigint as remnant_cents from match_runs where run_id = ?`,
    [runId],
  );
  const remnantCents = Number(run?.remnant_cents ?? 0);
  // Open: something left, and not only a remnant of a match (an item never matched is open whatever its size).
  const isOpen = (open: string, matched: string) => `(${open} > 0 and not (${matched} > 0 and ${open} <= ?))`;
  const unmatched = await one<{
    kind: 'invoices' | 'payments';
    age: string;
    count: number;
    open_cents: string;
  }>(
    `with open_items as (
       select 'invoices' as kind, (?::date - i.issued_on) as age,
              i.amount_cents - coalesce(sum(m.amount_cents), 0) as open_cents,
              coalesce(sum(m.amount_cents), 0) as matched_cents
       from match_invoices i left join matches m using (invoice_id)
       group by i.invoice_id
       union all
       select 'payments', (?::date - p.paid_on), p.amount_cents - coalesce(sum(m.amount_cents), 0),
              coalesce(sum(m.amount_cents), 0)
       from match_payments p left join matches m using (payment_id)
       group by p.payment_id
     )
     select kind, ${AGE_BANDS} as age, count(*)::int as count, sum(open_cents)::bigint as open_cents
     from open_items where ${isOpen('open_cents', 'matched_cents')} group by 1, 2 order by 1, min(age)`,
    [asOf?.as_of ?? null, asOf?.as_of ?? null, remnantCents],
  );
  const largestOpen = await one<{
    invoice_id: string;
    customer_id: string;
    issued_on: string;
    open_cents: string;
  }>(
    `select i.invoice_id, i.customer_id, i.issued_on::text as issued_on,
            i.amount_cents - coalesce(sum(m.amount_cents), 0) as open_cents
     from match_invoices i left join matches m using (invoice_id)
     group by i.invoice_id
     having ${isOpen('i.amount_cents - coalesce(sum(m.amount_cents), 0)', 'coalesce(sum(m.amount_cents), 0)')}
     order by open_cents desc, i.invoice_id limit ?`,
    [remnantCents, largest],
  );
  const reviewed = Object.fromEntries(review.map((row) => [row.status, row.count]));
  return {
    runId,
    asOf: asOf?.as_of ?? null,
    remnantCents,
    staged: staged ?? { invoices: 0, payments: 0 },
    matches: {
      count: byRule.reduce((sum, row) => sum + row.matches, 0),
      amountCents: byRule.reduce((sum, row) => sum + Number(row.amount_cents), 0),
    },
    byRule: byRule.map((row) => ({
      rule: row.rule,
      matches: row.matches,
      amountCents: Number(row.amount_cents),
    })),
    byConfidence,
    review: {
      open: reviewed.open ?? 0,
      confirmed: reviewed.confirmed ?? 0,
      rejected: reviewed.rejected ?? 0,
    },
    unmatched: unmatched.map((row) => ({
      kind: row.kind,
      age: row.age,
      count: row.count,
      openCents: Number(row.open_cents),
    })),
    largestOpenInvoices: largestOpen.map((row) => ({
      invoiceId: row.invoice_id,
      customerId: row.customer_id,
      issuedOn: row.issued_on,
      openCents: Number(row.open_cents),
    })),
  };
}
