import {
  countDeadLetters,
  type DeadLetterFilter,
  listDeadLetters,
  PAGE_KEY_PREFIX,
  type PageAddress,
} from '../target/dead-letters.js';
import type { ActivityDeps } from './deps.js';
import type { SourceInput, WithMigration } from './source-scope.js';

export interface RetryBatchInput extends SourceInput {
  filter: DeadLetterFilter;
  /** Dead letters with a larger id are retried; the workflow moves it on batch by batch. */
  afterId: number;
  batchSize: number;
}

export interface RetryCounts {
  retried: number;
  /** Written at last: their dead letters are resolved. */
  resolved: number;
  /** Refused again (filed again, with one more attempt). */
  stillFailing: number;
  /** Records the source no longer has: left open, for an operator to discard. */
  notAtSource: number;
}

export interface RetryBatchResult extends RetryCounts {
  /** The last id of this batch, or null when there was nothing left to retry. */
  lastId: number | null;
}

/**
 * `ferry dlq retry`, one batch at a time: records are fetched again from the source (a record fixed there is
 * written as it now is) and sent through the migration's own transform and writer; failed pages are fetched
 * again as pages. Writing a record resolves its dead letter in the same transaction; one that fails again is
 * filed again. Retrying a batch twice is harmless: resolved letters are no longer selected.
 */
export function createDeadLetterActivities(deps: ActivityDeps, withMigration: WithMigration) {
  return {
    retryDeadLetterBatch: (input: RetryBatchInput): Promise<RetryBatchResult> =>
      withMigration(input, async (migration, source, context) => {
        const letters = await listDeadLetters(
          deps.db,
          { ...input.filter, migration: migration.name, state: 'open' },
          { afterId: input.afterId, limit: input.batchSize, withPayload: true },
        );
        const last = letters[letters.length - 1];
        if (!last) return { retried: 0, resolved: 0, stillFailing: 0, notAtSource: 0, lastId: null };
        const pages = letters.filter((letter) => letter.sourceKey.startsWith(PAGE_KEY_PREFIX));
        const recordKeys = letters
          .filter((letter) => !letter.sourceKey.startsWith(PAGE_KEY_PREFIX))
          .map((letter) => letter.sourceKey);
        const fresh = await migration.fetchByKeys(source, recordKeys);
        if (fresh.length > 0) await migration.writeRecords(deps.db, source, fresh, context);
        for (const page of pages) {
          const address = page.payload as PageAddress;
          const { window, page: at, pageSize } = address;
          await migration.copyChunk(
            deps.db,
            source,
            { window, cursor: { page: at }, pageSize, pages: 1 },
            context,
          );
        }
        // What happened is read back from the table: a letter is resolved in the transaction that wrote it.
        const resolved = await countDeadLetters(deps.db, {
          ids: letters.map((letter) => letter.id),
          state: 'resolved',
        });
        const notAtSource = recordKeys.length - fresh.length;
        return {
          retried: letters.length,
          resolved,
          stillFailing: letters.length - resolved - notAtSource,
          notAtSource,
          lastId: last.id,
        };
      }),
  };
}
