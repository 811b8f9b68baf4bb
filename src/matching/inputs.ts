import type { Knex } from 'knex';
import { z } from 'zod';
import { FerryError } from '../errors.js';
import { withIndexesBuiltAfter } from './bulk-load.js';
import { INPUT_KINDS, type InputKind } from './input-kinds.js';
import type { MatchRules } from './rules.js';
import { BUCKETS } from './sql.js';

/**
 * Where a match run reads its invoices, payments and customers: tables (or views) other migrations fill, or CSV
 * files, and the columns that hold each thing. Names only, never SQL, so a mapping cannot inject any.
 */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const NAME_MESSAGE = 'a table or column name (letters, digits, _)';
const tableName = z
  .string()
  .refine(
    (value) => value.split('.').length <= 2 && value.split('.').every((part) => IDENTIFIER.test(part)),
    {
      message: NAME_MESSAGE,
    },
  );
/** A column of the table, or a header of the CSV file (any text: `Bedrag excl. BTW`). */
const column = z.string().min(1);

/**
 * One kind of input: a table or view (`table`), its columns named by identifiers; or a CSV file (`csv`) the run
 * loads first into a table of its own (match_csv_customers, …; see csv-inputs.ts), its columns named by headers.
 */
function inputSchema<S extends z.ZodRawShape>(columns: S) {
  return z
    .strictObject({ table: tableName.optional(), csv: z.string().min(1).optional(), ...columns })
    .superRefine((input, context) => {
      const { table, csv, ...named } = input as Record<string, unknown>;
      if ((table === undefined) === (csv === undefined)) {
        context.addIssue({
          code: 'custom',
          message: 'give either table (a table or view) or csv (a file): one of them',
        });
      }
      if (table === undefined) return;
      for (const [role, value] of Object.entries(named)) {
        if (typeof value === 'string' && !IDENTIFIER.test(value))
          context.addIssue({ code: 'custom', path: [role], message: NAME_MESSAGE });
      }
    });
}

export const matchInputsSchema = z.strictObject({
  customers: inputSchema({
    id: column,
    name: column,
    /** The customer's bank account: a payment from it names its customer. */
    iban: column.optional(),
  }),
  invoices: inputSchema({
    id: column,
    number: column,
    customer: column,
    amount: column,
    issuedOn: column,
  }),
  payments: inputSchema({
    id: column,
    amount: column,
    paidOn: column,
    reference: column.optional(),
    payerName: column.optional(),
    payerIban: column.optional(),
    description: column.optional(),
  }),
  /** Whether amounts are in currency units (12.34, the default) or in cents (1234). */
  amountsIn: z.enum(['units', 'cents']).default('units'),
});
export type MatchInputsDeclaration = z.input<typeof matchInputsSchema>;
export type MatchInputs = z.output<typeof matchInputsSchema>;
/** Inputs once every CSV file is loaded: each kind in a table. */
export type TableInputs = Omit<MatchInputs, InputKind> & {
  [K in InputKind]: Omit<MatchInputs[K], 'table' | 'csv'> & { table: string };
};

const cents = (inputs: TableInputs, column: string) =>
  inputs.amountsIn === 'cents' ? `(${column})::bigint` : `round((${column})::numeric * 100)::bigint`;
const optional = (column: string | undefined) => (column ? column : 'null');

/**
 * Every table and column the inputs name exists, or one error that names each one missing: before anything is
 * staged, and from the CLI before a run is started.
 */
export async function checkInputs(db: Knex, inputs: MatchInputs): Promise<void> {
  const problems: string[] = [];
  for (const kind of INPUT_KINDS) {
    // A CSV input's columns are its header's, checked with the file (checkCsvFile).
    const { table, csv: _file, ...columns } = inputs[kind];
    if (table === undefined) continue;
    const [schema, name] = table.includes('.') ? table.split('.') : [null, table];
    const found = await db.raw(
      `select column_name from information_schema.columns
       where table_name = ? and table_schema = coalesce(?, current_schema())`,
      [name, schema],
    );
    const present = new Set((found.rows as { column_name: string }[]).map((row) => row.column_name));
    if (present.size === 0) {
      problems.push(`${kind}: no table or view ${table}`);
      continue;
    }
    for (const [role, column] of Object.entries(columns)) {
      if (column !== undefined && !present.has(column))
        problems.push(`${kind}.${role}: ${table} has no column ${column}`);
    }
  }
  if (problems.length > 0)
    throw new FerryError(`The match inputs name what the database lacks: ${problems.join('; ')}`);
}

/** A customer's bucket: a hash of its id. */
export const bucketOf = (id: string) => `hashtext(${id}) & ${BUCKETS - 1}`;

/** An account number without spaces, in capitals. */
const ibanKey = (column: string) =>
  `nullif(upper(regexp_replace((${column})::text, '[[:space:]]', '', 'g')), '')`;

/**
 * The customer an account belongs to, if it belongs to one customer only: a payment from it names its customer.
 * A lateral look-up by index, one per payment (the planner cannot tell how many accounts a grouped subquery has,
 * guessed one, and joined a million payments to forty thousand accounts by a nested loop).
 */
export const ownerOf = (ibanKey: string) =>
  `lateral (select min(customer_id) as customer_id from match_customers
     where iban_key = ${ibanKey} having count(*) = 1) owner on true`;

export interface StagedCounts {
  customers: number;
  invoices: number;
  payments: number;
}

/**
 * Copies the inputs into the matching tables, set-based: customers are brought up to date; invoices and payments
 * not staged before are added (those staged before keep their matches, so a second run matches only what is
 * new). Amounts of 0 or less (credit notes, refunds) are not matched.
 */
export async function stageInputs(db: Knex, inputs: TableInputs): Promise<StagedCounts> {
  const q = (identifier: string) => db.raw('??', [identifier]).toQuery();
  const { customers } = inputs;
  return db.transaction(async (trx) => {
    const customerRows = await trx.raw(
      `insert into match_customers (customer_id, name_key, iban_key)
       select ${q(customers.id)}::text, ferry_name_key(${q(customers.name)}),
              ${customers.iban ? ibanKey(q(customers.iban)) : 'null'}
       from ${q(customers.table)}
       on conflict (customer_id) do update set name_key = excluded.name_key, iban_key = excluded.iban_key
       where (match_customers.name_key, match_customers.iban_key) is distinct from (excluded.name_key, excluded.iban_key)`,
    );
    const fresh = await trx.raw(
      'select not exists (select 1 from match_invoices) and not exists (select 1 from match_payments) as fresh',
    );
    const isFresh = (fresh.rows[0] as { fresh: boolean }).fresh;
    const load = () => loadInvoicesAndPayments(trx, inputs, isFresh);
    const loaded = isFresh
      ? await withIndexesBuiltAfter(trx, ['match_invoices', 'match_payments', 'match_payment_refs'], load)
      : await load();
    // Fresh statistics, or the planner takes a million staged rows for a few and picks nested loops.
    await trx.raw('analyze match_customers, match_invoices, match_payments, match_payment_refs, matches');
    return { customers: customerRows.rowCount ?? 0, ...loaded };
  });
}

/**
 * The run, the rules it matches by (the report reads its remnant from them) and its partitions. A run resumed
 * under its id after a failure may bring other rules (they are what it matches by from now on), but not other
 * partitions: its recorded steps are ranges of buckets.
 */
export async function recordMatchRun(
  db: Knex,
  run: { runId: string; rules: MatchRules; partitions: number },
): Promise<void> {
  const [recorded] = await db('match_runs')
    .insert({ run_id: run.runId, rules: JSON.stringify(run.rules), partitions: run.partitions })
    .onConflict('run_id')
    .merge(['rules'])
    .returning('partitions');
  if (recorded && Number(recorded.partitions) !== run.partitions)
    throw new FerryError(
      `Run ${run.runId} was started with ${recorded.partitions} partitions and is resumed with ${run.partitions}: a run's partitions cannot change (its steps are recorded by range); resume it with ${recorded.partitions}, or start a new run`,
    );
}

/** The invoices and payments not staged before, with the words of each payment's reference. */
async function loadInvoicesAndPayments(
  trx: Knex.Transaction,
  inputs: TableInputs,
  fresh: boolean,
): Promise<Omit<StagedCounts, 'customers'>> {
  const q = (identifier: string) => trx.raw('??', [identifier]).toQuery();
  const { invoices, payments } = inputs;
  // Into empty tables without their keys (see withIndexesBuiltAfter): a source's repeated id is left out here.
  const once = (id: string) => (fresh ? `distinct on (${id})` : '');
  const unlessStaged = (key: string) => (fresh ? '' : `on conflict (${key}) do nothing`);
  const invoiceRows = await trx.raw(
    `insert into match_invoices (invoice_id, customer_id, bucket, number_key, amount_cents, issued_on)
       select ${once('id')} id, customer_id, ${bucketOf('customer_id')}, number_key, amount_cents, issued_on
       from (select ${q(invoices.id)}::text as id, ${q(invoices.customer)}::text as customer_id,
                    ferry_reference_key(${q(invoices.number)}) as number_key,
                    ${cents(inputs, q(invoices.amount))} as amount_cents, ${q(invoices.issuedOn)}::date as issued_on
             from ${q(invoices.table)}) source
       where amount_cents > 0
       ${unlessStaged('invoice_id')}`,
  );
  const paymentRows = await trx.raw(
    `with added as (
         insert into match_payments (payment_id, reference, name_key, iban_key, description, amount_cents, paid_on,
                                     payment_bucket, customer_id, customer_rule, bucket)
         -- A payment from a customer's own account names its customer (found here, the rest when a run starts).
         select ${once('source.id')} source.id, reference, ferry_name_key(payer_name), source.iban_key, description, amount_cents, paid_on,
                ${bucketOf('source.id')}, owner.customer_id, case when owner.customer_id is not null then 'iban' end,
                ${bucketOf('owner.customer_id')}
         from (select ${q(payments.id)}::text as id, ${optional(payments.reference && q(payments.reference))}::text as reference,
                      ${optional(payments.payerName && q(payments.payerName))}::text as payer_name,
                      ${ibanKey(optional(payments.payerIban && q(payments.payerIban)))} as iban_key,
                      ${optional(payments.description && q(payments.description))}::text as description,
                      ${cents(inputs, q(payments.amount))} as amount_cents, ${q(payments.paidOn)}::date as paid_on
               from ${q(payments.table)}) source
         left join ${ownerOf('source.iban_key')}
         where amount_cents > 0
         ${unlessStaged('payment_id')}
         returning payment_id, reference),
       refs as (
       insert into match_payment_refs (payment_id, ref_key)
       select distinct payment_id, key from added
       cross join lateral unnest(
         array_append(regexp_split_to_array(reference, '[[:space:],;]+'), reference)) as word
       cross join lateral ferry_reference_key(word) as key
       -- Odoo's rule: words under 4 characters name nothing.
       where reference is not null and length(key) >= 4)
       select count(*)::int as added from added`,
  );
  return {
    invoices: invoiceRows.rowCount ?? 0,
    payments: (paymentRows.rows[0] as { added: number }).added,
  };
}
