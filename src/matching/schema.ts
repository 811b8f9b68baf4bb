import type { Knex } from 'knex';
import { upgradeTargetSchema } from '../target/schema.js';

/**
 * The matching step's own tables, versioned apart from ferry's engine tables and created when matching is first
 * used. `match_invoices` and `match_payments` are the inputs staged into one shape; `matches` and `match_review` are
 * the results. Amounts are in cents (bigint): sums and tolerances stay exact.
 */
const steps = [
  [
    '001-matching',
    {
      async up(db: Knex) {
        // pg_trgm is a trusted extension: any user who may create objects in the database may install it.
        await db.raw('create extension if not exists pg_trgm');
        // The keys text is compared by: a reference without case, spaces or punctuation; a name without case,
        // punctuation or legal form ("Jansen B.V." and "JANSEN BV" are one name).
        await db.raw(`
          create or replace function ferry_reference_key(reference text) returns text
          language sql immutable parallel safe
          return nullif(upper(regexp_replace(reference, '[^[:alnum:]]+', '', 'g')), '')`);
        await db.raw(`
          create or replace function ferry_name_key(name text) returns text
          language sql immutable parallel safe
          return nullif(btrim(regexp_replace(
            regexp_replace(regexp_replace(lower(name), '[^[:alnum:][:space:]]+', '', 'g'),
              '\\m(bv|vof|nv|cv|holding|bvba|gmbh|ltd|inc)\\M', ' ', 'g'),
            '[[:space:]]+', ' ', 'g')), '')`);
        await db.schema.createTable('match_customers', (table) => {
          table.text('customer_id').primary();
          table.text('name_key');
          table.text('iban_key');
          table.index(['iban_key']);
        });
        // What is open of each is not kept here but derived from `matches` when a partition starts: a match is one
        // insert, never an update of these tables (and of all their indexes).
        await db.schema.createTable('match_invoices', (table) => {
          table.text('invoice_id').primary();
          table.text('customer_id').notNullable();
          // The customer's hash bucket (0–1023): partitions are ranges of buckets.
          table.smallint('bucket').notNullable();
          table.text('number_key');
          table.bigInteger('amount_cents').notNullable();
          table.date('issued_on').notNullable();
          table.index(['number_key']);
          table.index(['amount_cents', 'issued_on']);
          table.index(['bucket']);
        });
        await db.schema.createTable('match_payments', (table) => {
          table.text('payment_id').primary();
          table.text('reference');
          table.text('name_key');
          table.text('iban_key');
          table.text('description');
          table.bigInteger('amount_cents').notNullable();
          table.date('paid_on').notNullable();
          // The payment's own hash bucket, for finding customers in parallel partitions.
          table.smallint('payment_bucket').notNullable();
          // Its customer once found (and how), and that customer's bucket.
          table.text('customer_id');
          table.text('customer_rule');
          table.smallint('bucket');
          table.index(['payment_bucket']);
          table.index(['bucket']);
        });
        // The invoice numbers a payment's reference may name: the whole reference, and each word of it.
        await db.schema.createTable('match_payment_refs', (table) => {
          table.text('payment_id').notNullable();
          table.text('ref_key').notNullable();
          table.primary(['payment_id', 'ref_key']);
          table.index(['ref_key']);
        });
        // Which pass of which partition of a run has committed: a resumed run skips those, so it makes the same
        // matches as one never interrupted.
        await db.schema.createTable('match_steps', (table) => {
          table.text('run_id').notNullable();
          table.text('phase').notNullable();
          table.integer('bucket_from').notNullable();
          table.text('rule').notNullable();
          table.integer('bucket_to').notNullable();
          table.integer('matched').notNullable();
          table.integer('reviewed').notNullable();
          table.bigInteger('matched_cents').notNullable();
          table.timestamp('done_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
          table.primary(['run_id', 'phase', 'bucket_from', 'rule']);
        });
        await db.schema.createTable('matches', (table) => {
          table.text('invoice_id').notNullable();
          table.text('payment_id').notNullable();
          table.bigInteger('amount_cents').notNullable();
          table.text('rule').notNullable();
          table.decimal('confidence', 4, 3).notNullable();
          table.text('run_id').notNullable();
          table.timestamp('matched_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
          // By invoice (the key) and by payment: what is open of each is what its matches left.
          table.primary(['invoice_id', 'payment_id']);
          table.index(['payment_id']);
        });
        await db.schema.createTable('match_review', (table) => {
          table.bigIncrements('review_id');
          table.text('payment_id').notNullable();
          table.text('invoice_id').notNullable();
          table.text('rule').notNullable();
          table.decimal('score', 4, 3);
          // open, confirmed or rejected; confirming one candidate of a payment closes the others.
          table.text('status').notNullable().defaultTo('open');
          table.text('run_id').notNullable();
          table.timestamp('listed_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
          table.timestamp('decided_at', { useTz: true });
          table.unique(['payment_id', 'invoice_id']);
          table.index(['run_id', 'status']);
        });
      },
      async down(db: Knex) {
        for (const name of [
          'match_review',
          'matches',
          'match_steps',
          'match_payment_refs',
          'match_payments',
          'match_invoices',
          'match_customers',
        ])
          await db.schema.dropTableIfExists(name);
        await db.raw('drop function if exists ferry_name_key(text), ferry_reference_key(text)');
      },
    },
  ],
  [
    '002-match-runs',
    {
      // What each run was asked to do: the report reads its rules (a remnant the run left on purpose is settled).
      async up(db: Knex) {
        await db.schema.createTable('match_runs', (table) => {
          table.text('run_id').primary();
          table.jsonb('rules').notNullable();
          // How the run splits its customers: its steps are recorded by bucket range, so this cannot change.
          table.integer('partitions').notNullable();
          table.timestamp('started_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
        });
      },
      async down(db: Knex) {
        await db.schema.dropTableIfExists('match_runs');
      },
    },
  ],
] as const;

export function upgradeMatchingSchema(db: Knex): Promise<void> {
  return upgradeTargetSchema(db, 'matching', steps);
}
