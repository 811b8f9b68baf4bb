import type { Knex } from 'knex';
import type pg from 'pg';
import { FerryError } from '../errors.js';
import { assignCustomers } from './assign.js';
import { PASSES, PROPOSALS_TABLE } from './passes.js';
import type { MatchRule, MatchRules } from './rules.js';
import { type BucketRange, inRange, type Sql } from './sql.js';

/** What one step (a rule over a partition, or finding customers for a range of payments) did. */
export interface StepCounts {
  matched: number;
  reviewed: number;
  matchedCents: number;
}

type Phase = 'customers' | 'match';
interface Step {
  runId: string;
  phase: Phase;
  range: BucketRange;
  rule: string;
}

/**
 * Runs `body` with a connection of its own, holding a lock on each bucket of the range for as long (see below): a
 * retried activity whose earlier attempt still runs waits for it (or for its connection to die with its worker),
 * so two attempts never work on one range at once. The partition's temporary tables live on this connection.
 */
async function onPartitionConnection<T>(
  db: Knex,
  locks: { key: string; range: BucketRange },
  body: (sql: Sql) => Promise<T>,
): Promise<T> {
  const client = (await db.client.acquireConnection()) as pg.PoolClient;
  const sql: Sql = (text, values) => client.query(text, values as unknown[]);
  try {
    // One lock per bucket, taken in order (so two holders of overlapping ranges cannot deadlock).
    await sql(
      'select pg_advisory_lock(hashtext($1), bucket) from generate_series($2::int, $3::int - 1) as bucket order by bucket',
      [locks.key, locks.range.from, locks.range.to],
    );
    return await body(sql);
  } finally {
    // The pool hands this connection to others next: nothing of the partition may stay on it.
    await sql('rollback').catch(() => undefined);
    await sql('discard temp').catch(() => undefined);
    await sql('select pg_advisory_unlock_all()').catch(() => undefined);
    await db.client.releaseConnection(client);
  }
}

/**
 * The locks on customer buckets: a partition holds those of its range while it matches, and a reviewer's
 * confirmation takes its invoice's. A partition reads what is open once, when it starts; with these, nothing
 * else allocates in its customers meanwhile (another run's partition, a confirmation), so nothing is taken twice.
 */
export const CUSTOMER_BUCKET_LOCK = 'ferry:match:customers';
/** Finding customers works on ranges of payment buckets: a retried attempt waits for one still running. */
const PAYMENT_BUCKET_LOCK = 'ferry:match:payments';

const stepKey = (step: Step) => [step.runId, step.phase, step.range.from, step.rule];

/**
 * Runs `body` in a transaction that first records the step as done: a step already recorded (committed by an
 * earlier attempt, whose result was lost) is not run again, and its recorded counts are returned. A resumed run
 * therefore takes exactly the steps an uninterrupted one takes, in the same order, and makes the same matches.
 */
async function onceInRun(sql: Sql, step: Step, body: () => Promise<StepCounts>): Promise<StepCounts> {
  await sql('begin');
  try {
    const claimed = await sql(
      `insert into match_steps (run_id, phase, bucket_from, rule, bucket_to, matched, reviewed, matched_cents)
       values ($1, $2, $3, $4, $5, 0, 0, 0) on conflict do nothing returning run_id`,
      [...stepKey(step), step.range.to],
    );
    if (claimed.rows.length === 0) {
      const done = await sql(
        `select matched, reviewed, matched_cents, bucket_to from match_steps
         where run_id = $1 and phase = $2 and bucket_from = $3 and rule = $4`,
        stepKey(step),
      );
      await sql('rollback');
      const row = done.rows[0] as {
        matched: number;
        reviewed: number;
        matched_cents: string;
        bucket_to: number;
      };
      if (Number(row.bucket_to) !== step.range.to) {
        // Another split of the customers under the same run id: the recorded step covers other buckets.
        throw new FerryError(
          `Run ${step.runId} recorded its ${step.phase} step for buckets ${step.range.from}–${row.bucket_to}, and this attempt splits them ${step.range.from}–${step.range.to}: a run's partitions cannot change; start a new run`,
        );
      }
      return { matched: row.matched, reviewed: row.reviewed, matchedCents: Number(row.matched_cents) };
    }
    const counts = await body();
    await sql(
      `update match_steps set matched = $5, reviewed = $6, matched_cents = $7
       where run_id = $1 and phase = $2 and bucket_from = $3 and rule = $4`,
      [...stepKey(step), counts.matched, counts.reviewed, counts.matchedCents],
    );
    await sql('commit');
    return counts;
  } catch (error) {
    await sql('rollback').catch(() => undefined);
    throw error;
  }
}

/**
 * Room left on each page, so that taking from what is open (the only column the rules update, and not indexed)
 * rewrites a row in place and leaves the indexes be.
 */
const FILLFACTOR = 70;
const TEMP_BUFFERS = '64MB';

/**
 * The partition's invoices and payments, each with what is still open (its amount less what its matches took)
 * and, for a payment, whether it waits in review. Temporary: the rules change what is open here as they match,
 * in the same transaction as the matches they write, so a rolled-back rule leaves both as they were.
 */
async function loadPartition(sql: Sql, range: BucketRange): Promise<void> {
  // Temporary tables live in the session's own buffers (8 MB unless raised, which is only allowed before the
  // session's first temporary table): a partition of a million-record run needs a few tens of MB.
  await sql(`select set_config('temp_buffers', '${TEMP_BUFFERS}', false)`).catch(() => undefined);
  await sql(
    `create temp table part_invoices with (fillfactor = ${FILLFACTOR}) as
     select i.invoice_id, i.customer_id, i.number_key, i.amount_cents, i.issued_on,
            i.amount_cents - coalesce((select sum(m.amount_cents) from matches m where m.invoice_id = i.invoice_id), 0)
              as open_cents
     from match_invoices i where ${inRange('i.bucket', range)}`,
  );
  await sql(
    `create temp table part_payments with (fillfactor = ${FILLFACTOR}) as
     select p.payment_id, p.customer_id, p.reference, p.name_key, p.description, p.amount_cents, p.paid_on,
            p.amount_cents - coalesce((select sum(m.amount_cents) from matches m where m.payment_id = p.payment_id), 0)
              as open_cents,
            exists (select 1 from match_review r where r.payment_id = p.payment_id and r.status = 'open') as in_review
     from match_payments p where ${inRange('p.bucket', range)}`,
  );
  // A match may never take more than is open: a rule that tried would fail here, not write it.
  await sql('alter table part_invoices add primary key (invoice_id), add check (open_cents >= 0)');
  await sql('alter table part_payments add primary key (payment_id), add check (open_cents >= 0)');
  await sql('create index on part_invoices (customer_id, issued_on)');
  await sql('create index on part_invoices (number_key)');
  await sql('create index on part_payments (customer_id)');
  // Autovacuum never analyses temporary tables: without this the planner guesses their size.
  await sql('analyze part_invoices, part_payments');
  await sql(PROPOSALS_TABLE);
}

/** Writes what a statement proposed: matches (taking from what is open), and review items. */
async function applyProposals(sql: Sql, runId: string, rule: string): Promise<StepCounts> {
  const result = await sql(
    `with reviewed as (
       insert into match_review (payment_id, invoice_id, rule, score, run_id)
       select distinct on (payment_id, invoice_id) payment_id, invoice_id, $1, confidence, $2
       from match_proposals where review
       on conflict (payment_id, invoice_id) do nothing
       returning payment_id
     ), flagged as (
       -- In review now: a candidate listed, or one listed before and still open (a resumed partition loads the
       -- same); a pair a reviewer rejected or confirmed does not put the payment back in review.
       update part_payments set in_review = true
       where payment_id in (select payment_id from reviewed)
          or payment_id in (select r.payment_id from match_review r
                            join match_proposals proposed on proposed.payment_id = r.payment_id and proposed.review
                            where r.status = 'open')
     ), made as (
       insert into matches (invoice_id, payment_id, amount_cents, rule, confidence, run_id)
       select invoice_id, payment_id, amount_cents, $1, confidence, $2 from match_proposals
       where not review and amount_cents > 0
         and payment_id not in (select payment_id from match_proposals where review)
       on conflict do nothing
       returning invoice_id, payment_id, amount_cents
     ), invoices as (
       update part_invoices i set open_cents = i.open_cents - made.cents
       from (select invoice_id, sum(amount_cents) as cents from made group by invoice_id) made
       where i.invoice_id = made.invoice_id
     ), payments as (
       update part_payments p set open_cents = p.open_cents - made.cents
       from (select payment_id, sum(amount_cents) as cents from made group by payment_id) made
       where p.payment_id = made.payment_id
     )
     select (select count(*) from made)::int as matched,
            (select coalesce(sum(amount_cents), 0) from made)::bigint as matched_cents,
            (select count(distinct payment_id) from reviewed)::int as reviewed`,
    [rule, runId],
  );
  await sql('truncate match_proposals');
  const row = result.rows[0] as { matched: number; matched_cents: string; reviewed: number };
  return { matched: row.matched, reviewed: row.reviewed, matchedCents: Number(row.matched_cents) };
}

/** Finds the customers of a range of payment buckets, once per run. */
export function findCustomers(db: Knex, runId: string, range: BucketRange, rules: MatchRules) {
  const step: Step = { runId, phase: 'customers', range, rule: 'customer' };
  return onPartitionConnection(db, { key: PAYMENT_BUCKET_LOCK, range }, (sql) =>
    onceInRun(sql, step, async () => {
      const found = await assignCustomers(sql, runId, range, rules);
      return {
        matched: found.reference + found.iban + found.name,
        reviewed: found.reviewed,
        matchedCents: 0,
      };
    }),
  );
}

/**
 * A match frees nothing, but it can end a doubt: once one of two candidates is taken, the other is the only one
 * left. The rules run again while a round matched anything (a few rounds at most), so that a run leaves nothing
 * a rule could still match and a second run over the same inputs matches nothing.
 */
const MAX_ROUNDS = 3;

/**
 * Every rule, in order, over one partition of customers, in rounds (see MAX_ROUNDS): each rule one transaction,
 * recorded as done with it. `onRule` hears each rule's counts as it commits (an activity's heartbeat).
 */
export function matchPartition(
  db: Knex,
  runId: string,
  range: BucketRange,
  rules: MatchRules,
  onRule: (rule: string, counts: StepCounts) => void = () => undefined,
): Promise<Record<string, StepCounts>> {
  return onPartitionConnection(db, { key: CUSTOMER_BUCKET_LOCK, range }, async (sql) => {
    await loadPartition(sql, range);
    const done: Record<string, StepCounts> = {};
    for (let round = 1; round <= MAX_ROUNDS; round++) {
      let matchedInRound = 0;
      for (const rule of rules.rules) {
        const step = round === 1 ? rule.rule : `${rule.rule}#${round}`;
        const counts = await onceInRun(sql, { runId, phase: 'match', range, rule: step }, async () => {
          const total: StepCounts = { matched: 0, reviewed: 0, matchedCents: 0 };
          for (const statement of statementsOf(rule, rules)) {
            await sql(statement);
            const applied = await applyProposals(sql, runId, rule.rule);
            total.matched += applied.matched;
            total.reviewed += applied.reviewed;
            total.matchedCents += applied.matchedCents;
          }
          return total;
        });
        const sum = done[rule.rule] ?? { matched: 0, reviewed: 0, matchedCents: 0 };
        done[rule.rule] = {
          matched: sum.matched + counts.matched,
          reviewed: sum.reviewed + counts.reviewed,
          matchedCents: sum.matchedCents + counts.matchedCents,
        };
        matchedInRound += counts.matched;
        onRule(step, counts);
      }
      if (matchedInRound === 0) break;
    }
    return done;
  });
}

const statementsOf = (rule: MatchRule, rules: MatchRules) =>
  (PASSES[rule.rule] as (rule: MatchRule, rules: MatchRules) => string[])(rule, rules);
