import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { Ledger, Mutation, Relation } from './emulators/eboekhouden/shapes.js';

/**
 * A fingerprint of e-Boekhouden mutations in ferry's tables, derived apart from the migration's columns: from the
 * source's JSON on one side and from SQL on the other. Each canonical line is hashed and the hashes summed, so
 * that millions of lines compare in constant memory and in any order.
 */
export interface Fingerprint {
  lines: number;
  /** The sum of every line's hash (its md5's first 60 bits), as decimal text. */
  sum: string;
}

const money = (amount: number) => amount.toFixed(2);
const hashOf = (line: string) => BigInt(`0x${createHash('md5').update(line).digest('hex').slice(0, 15)}`);

/** What the source knows of the relations and ledgers a mutation names; undefined: not known at the source. */
export interface Lookups {
  relation(id: number): Relation | undefined;
  ledger(id: number): Ledger | undefined;
}

/**
 * The canonical lines one mutation becomes in the target, or undefined when the target must not have it (a
 * relation or ledger the source does not know: it is dead-lettered).
 */
export function mutationLines(mutation: Mutation, lookups: Lookups): string[] | undefined {
  const ledgerCode = (id: number) => lookups.ledger(id)?.code;
  const codes = [mutation.ledgerId, ...mutation.rows.map((row) => row.ledgerId)].map(ledgerCode);
  if (codes.includes(undefined)) return undefined;
  const relation = mutation.relationId === undefined ? undefined : lookups.relation(mutation.relationId);
  const own = [
    mutation.type,
    mutation.date,
    mutation.ledgerId,
    codes[0],
    mutation.description,
    mutation.entryNumber,
  ];
  const id = mutation.id;
  /** A line per row of the mutation, under the key its table names the mutation by. */
  const rowLines = (kind: string, parent: string | number) =>
    mutation.rows.map((row, n) => [
      kind,
      parent,
      n + 1,
      row.ledgerId,
      codes[n + 1],
      row.vatCode,
      money(row.amount),
      row.description,
    ]);
  let lines: (string | number | undefined)[][];
  if (mutation.type === 1 || mutation.type === 2) {
    if (!relation) return undefined;
    const number = mutation.invoiceNumber as string;
    lines = [
      ['invoice', number, id, ...own, mutation.relationId, relation.code, relation.name],
      ['invoice_terms', number, mutation.termOfPayment, mutation.inExVat],
      ...rowLines('invoice_line', number),
      ...mutation.vat.map((vat) => ['invoice_tax', number, vat.vatCode, money(vat.amount)]),
    ];
  } else if (mutation.type === 3 || mutation.type === 4) {
    lines = [
      ['payment', id, ...own, mutation.relationId ?? '', relation?.code ?? '', mutation.invoiceNumber ?? ''],
      ...mutation.rows.map((row, n) => [
        'allocation',
        id,
        n + 1,
        row.invoiceNumber,
        row.ledgerId,
        money(row.amount),
      ]),
    ];
  } else {
    lines = [
      ['journal', id, ...own, mutation.relationId ?? '', relation?.code ?? ''],
      ...rowLines('journal_line', id),
    ];
  }
  return lines.map((line) => line.join('|'));
}

/** The fingerprint the target must have for these mutations, and how many must be dead letters instead. */
export function sourceFingerprint(
  mutations: Iterable<Mutation>,
  lookups: Lookups,
): Fingerprint & { mutations: number; refused: number } {
  let lines = 0;
  let sum = 0n;
  let count = 0;
  let refused = 0;
  for (const mutation of mutations) {
    const found = mutationLines(mutation, lookups);
    if (!found) {
      refused++;
      continue;
    }
    count++;
    for (const line of found) {
      lines++;
      sum += hashOf(line);
    }
  }
  return { lines, sum: sum.toString(), mutations: count, refused };
}

/** The same canonical lines, rendered by SQL from ferry's tables; summed in the database. */
const TARGET_LINES = `
  select concat_ws('|', 'invoice', invoice_number, mutation_id, mutation_type, to_char(mutation_date, 'YYYY-MM-DD'),
    ledger_id, ledger_code, description, entry_number, relation_id, relation_code, relation_name) as line
  from invoices
  union all
  select concat_ws('|', 'invoice_terms', invoice_number, term_of_payment, in_ex_vat) from invoices
  union all
  select concat_ws('|', 'invoice_line', invoice_number, line_no, ledger_id, ledger_code, vat_code, amount, description)
  from invoice_lines
  union all
  select concat_ws('|', 'invoice_tax', invoice_number, vat_code, amount) from invoice_taxes
  union all
  select concat_ws('|', 'payment', mutation_id, mutation_type, to_char(mutation_date, 'YYYY-MM-DD'), ledger_id,
    ledger_code, description, entry_number, coalesce(relation_id::text, ''), coalesce(relation_code, ''),
    invoice_numbers)
  from payments
  union all
  select concat_ws('|', 'allocation', mutation_id, line_no, invoice_number, ledger_id, amount) from payment_allocations
  union all
  select concat_ws('|', 'journal', mutation_id, mutation_type, to_char(mutation_date, 'YYYY-MM-DD'), ledger_id,
    ledger_code, description, entry_number, coalesce(relation_id::text, ''), coalesce(relation_code, ''))
  from journal_entries
  union all
  select concat_ws('|', 'journal_line', mutation_id, line_no, ledger_id, ledger_code, vat_code, amount, description)
  from journal_lines`;

export async function targetFingerprint(db: Knex): Promise<Fingerprint & { mutations: number }> {
  const { rows } = await db.raw<{ rows: { lines: string; sum: string | null }[] }>(
    `select count(*)::text as lines, sum(('x' || substr(md5(line), 1, 15))::bit(60)::bigint::numeric)::text as sum
     from (${TARGET_LINES}) as lines`,
  );
  const { rows: counted } = await db.raw<{ rows: { mutations: string }[] }>(
    `select ((select count(*) from invoices) + (select count(*) from payments)
      + (select count(*) from journal_entries))::text as mutations`,
  );
  const [found] = rows;
  return {
    lines: Number(found?.lines ?? 0),
    sum: found?.sum ?? '0',
    mutations: Number(counted[0]?.mutations ?? 0),
  };
}
