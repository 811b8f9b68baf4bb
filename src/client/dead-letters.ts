import type { Client } from '@temporalio/client';
import type { RetryCounts } from '../activities/dead-letters.js';
import { getMigration } from '../migrations/registry.js';
import { ferrySearchAttributes } from '../search-attributes.js';
import type { DeadLetterFilter } from '../target/dead-letters.js';
import type { deadLetterRetry } from '../workflows/dead-letter-retry.js';
import { runOptionsOf } from './backfill.js';

export interface DeadLetterRetryOptions {
  migration: string;
  connection?: string;
  filter: Omit<DeadLetterFilter, 'migration' | 'state'>;
  batchSize?: number;
  /** The run options of a migration that takes them (a field migration's plan), as the user gave them. */
  options?: unknown;
}

/**
 * Runs `ferry dlq retry` as a workflow on the workers, where the connection's secrets are, and waits for its
 * counts. Its id names the migration and the moment, so that two retries never share one.
 */
export async function retryDeadLetters(
  client: Client,
  taskQueue: string,
  options: DeadLetterRetryOptions,
): Promise<RetryCounts & { workflowId: string }> {
  const migration = getMigration(options.migration);
  const runOptions = runOptionsOf(migration, options.options);
  const workflowId = `ferry/dlq-retry/${migration.name}/${new Date().toISOString()}`;
  const handle = await client.workflow.start<typeof deadLetterRetry>('deadLetterRetry', {
    taskQueue,
    workflowId,
    typedSearchAttributes: ferrySearchAttributes(migration.name, 'dlq-retry'),
    args: [
      {
        migration: migration.name,
        connection: options.connection ?? migration.defaultConnection,
        filter: options.filter,
        batchSize: options.batchSize ?? 500,
        maxHistoryEvents: 5_000,
        ...(runOptions === undefined ? {} : { options: runOptions }),
      },
    ],
  });
  return { workflowId, ...(await handle.result()) };
}
