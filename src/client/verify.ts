import type { Client } from '@temporalio/client';
import { getMigration, migrationNames } from '../migrations/registry.js';
import { ferrySearchAttributes } from '../search-attributes.js';
import type { VerifyInput, VerifyReport, verify } from '../workflows/verify.js';
import { backfillInputOf } from './run-handle.js';
import { readRunStatus } from './run-status.js';

export interface VerifyOptions {
  /** Records compared field by field; 0 for counts only. */
  sample: number;
  repair: boolean;
  connection?: string;
}

/**
 * What `ferry verify` checks: a migration's whole range in its default windows, or a backfill's own range and
 * windows (its dead letters then account for the records they hold).
 */
export async function resolveVerify(
  client: Client,
  runOrMigration: string,
  options: VerifyOptions,
): Promise<VerifyInput> {
  const common = { sample: options.sample, repair: options.repair };
  if (migrationNames().includes(runOrMigration)) {
    const migration = getMigration(runOrMigration);
    return {
      ...common,
      migration: migration.name,
      connection: options.connection ?? migration.defaultConnection,
      partitionDays: migration.defaults.partitionDays,
      pageSize: migration.defaults.pageSize,
      pagesPerChunk: migration.defaults.pagesPerChunk,
    };
  }
  const { input } = await backfillInputOf(
    client,
    runOrMigration,
    'ferry verify checks backfills and migrations',
  );
  const status = await readRunStatus(client, runOrMigration);
  return {
    ...common,
    migration: input.migration,
    connection: options.connection ?? input.connection,
    runId: runOrMigration,
    from: status.range?.from ?? input.from,
    to: status.range?.to ?? input.to,
    partitionDays: input.partitionDays,
    pageSize: input.pageSize,
    pagesPerChunk: input.pagesPerChunk,
  };
}

/** Runs the verification on the workers (where the connection's secrets are) and waits for its report. */
export async function runVerification(
  client: Client,
  taskQueue: string,
  input: VerifyInput,
): Promise<VerifyReport & { workflowId: string }> {
  const workflowId = `ferry/verify/${input.migration}/${new Date().toISOString()}`;
  const handle = await client.workflow.start<typeof verify>('verify', {
    taskQueue,
    workflowId,
    typedSearchAttributes: ferrySearchAttributes(input.migration, 'verify'),
    args: [input],
  });
  return { workflowId, ...(await handle.result()) };
}
