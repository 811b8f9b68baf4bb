import type { Knex } from 'knex';
import type { DeadLetterScope, RejectedRecord, TimeWindow } from '../migrations/types.js';

/** What the dead-letter table holds for one record or page, as `ferry dlq` shows it. */
export interface DeadLetter {
  id: number;
  runId: string;
  migration: string;
  partitionKey: string | null;
  sourceKey: string;
  payload: unknown;
  errorClass: string;
  errorMessage: string;
  attempts: number;
  firstSeenAt: Date;
  lastSeenAt: Date;
  resolvedAt: Date | null;
  resolution: 'written' | 'discarded' | null;
}

/** Which dead letters an operator means: `ferry dlq list|retry|discard` filters. */
export interface DeadLetterFilter {
  migration?: string;
  runId?: string;
  errorClass?: string;
  ids?: number[];
  /** open (the default), resolved, or all. */
  state?: 'open' | 'resolved' | 'all';
}

const COLUMNS = {
  id: 'id',
  runId: 'run_id',
  migration: 'migration',
  partitionKey: 'partition_key',
  sourceKey: 'source_key',
  payload: 'payload',
  errorClass: 'error_class',
  errorMessage: 'error_message',
  attempts: 'attempts',
  firstSeenAt: 'first_seen_at',
  lastSeenAt: 'last_seen_at',
  resolvedAt: 'resolved_at',
  resolution: 'resolution',
} as const;

function filtered(db: Knex, filter: DeadLetterFilter) {
  const query = db('ferry_dead_letters');
  if (filter.migration) query.where('migration', filter.migration);
  if (filter.runId) query.where('run_id', filter.runId);
  if (filter.errorClass) query.where('error_class', filter.errorClass);
  if (filter.ids) query.whereIn('id', filter.ids);
  const state = filter.state ?? 'open';
  if (state === 'open') query.whereNull('resolved_at');
  if (state === 'resolved') query.whereNotNull('resolved_at');
  return query;
}

/** Dead letters in id order, after `afterId`; payloads only when asked (they can be large). */
export async function listDeadLetters(
  db: Knex,
  filter: DeadLetterFilter,
  page: { afterId?: number; limit: number; withPayload?: boolean },
): Promise<DeadLetter[]> {
  const { payload, ...withoutPayload } = COLUMNS;
  const rows = await filtered(db, filter)
    .where('id', '>', page.afterId ?? 0)
    .orderBy('id')
    .limit(page.limit)
    .select(page.withPayload ? COLUMNS : withoutPayload);
  return rows.map((row: DeadLetter) => ({ ...row, id: Number(row.id) }));
}

export async function countDeadLetters(db: Knex, filter: DeadLetterFilter): Promise<number> {
  const row = await filtered(db, filter).count<{ count: string }[]>({ count: '*' }).first();
  return Number(row?.count ?? 0);
}

/** Closes open dead letters without writing them: the operator decided they are not wanted. */
export async function discardDeadLetters(db: Knex, filter: DeadLetterFilter): Promise<number> {
  return filtered(db, { ...filter, state: 'open' }).update({
    resolved_at: db.fn.now(),
    resolution: 'discarded',
  });
}

/** Source keys of failed pages start with this, so they never meet a record's key. */
export const PAGE_KEY_PREFIX = 'page:';

/**
 * Files rejected records (or failed pages) in the chunk's transaction. A key seen before counts one more attempt
 * and is open again, with this run's reason, so the table holds one row per record however often it fails.
 */
export async function fileDeadLetters(
  trx: Knex.Transaction,
  migration: string,
  scope: DeadLetterScope,
  errorClass: string,
  rejected: readonly RejectedRecord[],
): Promise<void> {
  if (rejected.length === 0) return;
  await trx.raw(
    `insert into ferry_dead_letters
       (run_id, migration, partition_key, window_from, window_to, source_key, payload, error_class, error_message)
     select ?, ?, ?, ?::timestamptz, ?::timestamptz, input.source_key, input.payload, ?, input.reason
     from unnest(?::text[], ?::jsonb[], ?::text[]) as input (source_key, payload, reason)
     on conflict (migration, source_key) do update set
       run_id = excluded.run_id,
       partition_key = excluded.partition_key,
       window_from = excluded.window_from,
       window_to = excluded.window_to,
       payload = excluded.payload,
       error_class = excluded.error_class,
       error_message = excluded.error_message,
       attempts = ferry_dead_letters.attempts + 1,
       last_seen_at = now(),
       resolved_at = null,
       resolution = null`,
    [
      scope.runId,
      migration,
      scope.partitionKey,
      scope.window?.from ?? null,
      scope.window?.to ?? null,
      errorClass,
      rejected.map((record) => record.sourceKey),
      rejected.map((record) => JSON.stringify(record.payload ?? null)),
      rejected.map((record) => record.reason),
    ],
  );
}

/** Records written at last (fixed at the source, or retried) close their dead letters in the same transaction. */
export async function resolveDeadLetters(
  trx: Knex.Transaction,
  migration: string,
  sourceKeys: readonly string[],
): Promise<void> {
  if (sourceKeys.length === 0) return;
  await trx.raw(
    `update ferry_dead_letters set resolved_at = now(), resolution = 'written'
     where migration = ? and source_key = any(?::text[]) and resolved_at is null`,
    [migration, [...sourceKeys]],
  );
}

/** A page of a window's listing, as a failed page's dead letter names it. */
export interface PageAddress {
  window: { from: string; to: string };
  page: number;
  pageSize: number;
}

export function pageKey(address: PageAddress): string {
  return `${PAGE_KEY_PREFIX}${address.window.from}..${address.window.to}#${address.page}/${address.pageSize}`;
}

/** Unresolved dead letters of records (not pages) filed by chunks of windows that lie within `window`. */
export async function openRecordDeadLetters(
  db: Knex,
  migration: string,
  window: TimeWindow,
): Promise<number> {
  const row = await db('ferry_dead_letters')
    .where({ migration, resolved_at: null })
    .andWhere('window_from', '>=', window.from)
    .andWhere('window_to', '<=', window.to)
    .andWhereNot('source_key', 'like', `${PAGE_KEY_PREFIX}%`)
    .count<{ count: string }[]>({ count: '*' })
    .first();
  return Number(row?.count ?? 0);
}
