import type { Knex } from 'knex';
import type { FieldValue } from './catalogue.js';

/** What happened to one record in one run (see the ferry_api_writes table). */
export type WriteStatus = 'unchanged' | 'planned' | 'pending' | 'written' | 'failed';
export type FieldChanges = Record<string, { name: string; before: FieldValue; after: FieldValue }>;

export interface LedgerRow {
  key: string;
  status: WriteStatus;
  changes?: FieldChanges;
}

const TABLE = 'ferry_api_writes';

/**
 * Records of this run whose write was sent, or about to be, when their chunk last ran (pending: it may have
 * landed; written: it did), with the changes it carried.
 */
export async function sentBefore(
  db: Knex,
  runId: string,
  keys: readonly string[],
): Promise<Map<string, FieldChanges>> {
  if (keys.length === 0) return new Map();
  const rows: { record_key: string; changes: FieldChanges | null }[] = await db(TABLE)
    .where({ run_id: runId })
    .whereIn('status', ['pending', 'written'])
    .whereIn('record_key', [...keys])
    .select('record_key', 'changes');
  return new Map(rows.map((row) => [row.record_key, row.changes ?? {}]));
}

/** Records each row's outcome for the run, replacing what an earlier attempt of its chunk recorded. */
export async function recordOutcomes(
  trx: Knex | Knex.Transaction,
  migration: string,
  runId: string,
  rows: readonly LedgerRow[],
): Promise<void> {
  if (rows.length === 0) return;
  await trx.raw(
    `insert into ${TABLE} (run_id, record_key, migration, status, changes)
     select ?, input.record_key, ?, input.status, nullif(input.changes, 'null'::jsonb)
     from unnest(?::text[], ?::text[], ?::jsonb[]) as input (record_key, status, changes)
     on conflict (run_id, record_key) do update set
       -- a record written stays written when a later pass of the run finds it as planned
       status = case when ${TABLE}.status = 'written' and excluded.status = 'unchanged' then 'written'
                     else excluded.status end,
       changes = coalesce(excluded.changes, ${TABLE}.changes),
       updated_at = now()`,
    [
      runId,
      migration,
      rows.map((row) => row.key),
      rows.map((row) => row.status),
      // JSON's null (no changes) becomes SQL's, so that marking a pending record written keeps its changes.
      rows.map((row) => (row.changes ? JSON.stringify(row.changes) : 'null')),
    ],
  );
}

/** Records of the run by outcome (the run: its backfill's first execution, so a reused workflow id is a new run). */
export async function outcomesOf(db: Knex, runId: string): Promise<Record<WriteStatus, number>> {
  const rows: { status: WriteStatus; count: string }[] = await db(TABLE)
    .where({ run_id: runId })
    .groupBy('status')
    .select('status')
    .count({ count: '*' });
  const counts: Record<WriteStatus, number> = { unchanged: 0, planned: 0, pending: 0, written: 0, failed: 0 };
  for (const row of rows) counts[row.status] = Number(row.count);
  return counts;
}

export interface FieldSummary {
  /** The field's key (a custom field's id) and name. */
  field: string;
  name: string;
  /** Records whose value of this field changes (or would, in a dry run). */
  records: number;
  sample: { key: string; before: FieldValue; after: FieldValue }[];
}

/** Per field, how many records the run changed (or would change) and a few of them, before → after. */
export async function fieldSummaries(db: Knex, runId: string, sampleSize = 3): Promise<FieldSummary[]> {
  const result = await db.raw(
    `select change.key as field, min(change.value->>'name') as name, count(*)::int as records,
            (array_agg(jsonb_build_object('key', w.record_key, 'before', change.value->'before',
                                          'after', change.value->'after')
                        -- values that change rather than fill an empty field first; keys in number order
                        order by change.value->'before' = 'null'::jsonb, length(w.record_key), w.record_key))[1:?]
              as sample
     from ${TABLE} w, jsonb_each(w.changes) as change
     where w.run_id = ? and w.status in ('planned', 'pending', 'written')
     group by change.key
     order by change.key`,
    [sampleSize, runId],
  );
  return (result.rows as FieldSummary[]).map((row) => ({ ...row, sample: row.sample ?? [] }));
}
