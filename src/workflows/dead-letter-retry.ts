import { continueAsNew, proxyActivities } from '@temporalio/workflow';
import type { RetryCounts } from '../activities/dead-letters.js';
import type { Activities } from '../activities/index.js';
import type { DeadLetterFilter } from '../target/dead-letters.js';
import { historyIsLong } from './history.js';
import { CHUNK_ACTIVITY_OPTIONS } from './retry.js';

const { retryDeadLetterBatch } = proxyActivities<Activities>(CHUNK_ACTIVITY_OPTIONS);

export interface DeadLetterRetryInput {
  migration: string;
  connection: string;
  filter: DeadLetterFilter;
  batchSize: number;
  maxHistoryEvents: number;
  /** The run options its migration needs (a field migration's plan); absent in retries an older ferry started. */
  options?: unknown;
  /** Carried across continue-as-new. */
  afterId?: number;
  totals?: RetryCounts;
}

/** `ferry dlq retry`: the open dead letters that match, batch by batch, in id order; counts only in history. */
export async function deadLetterRetry(input: DeadLetterRetryInput): Promise<RetryCounts> {
  let afterId = input.afterId ?? 0;
  const totals: RetryCounts = input.totals ?? { retried: 0, resolved: 0, stillFailing: 0, notAtSource: 0 };
  for (;;) {
    const batch = await retryDeadLetterBatch({
      migration: input.migration,
      connection: input.connection,
      filter: input.filter,
      afterId,
      batchSize: input.batchSize,
      ...(input.options === undefined ? {} : { options: input.options }),
    });
    if (batch.lastId === null) return totals;
    totals.retried += batch.retried;
    totals.resolved += batch.resolved;
    totals.stillFailing += batch.stillFailing;
    totals.notAtSource += batch.notAtSource;
    afterId = batch.lastId;
    if (historyIsLong(input.maxHistoryEvents)) {
      await continueAsNew<typeof deadLetterRetry>({ ...input, afterId, totals });
    }
  }
}
