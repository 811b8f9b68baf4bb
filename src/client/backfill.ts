import { createHash } from 'node:crypto';
import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { z } from 'zod';
import { FerryError } from '../errors.js';
import { checkedPageSize, getMigration } from '../migrations/registry.js';
import type { Migration } from '../migrations/types.js';
import { ferrySearchAttributes } from '../search-attributes.js';
import type { BackfillInput, backfill } from '../workflows/backfill.js';
import { MAX_PAGES_PER_CHUNK } from '../workflows/chunk-size.js';
import { CONCURRENCY_RANGE, RATE_RANGE } from '../workflows/control.js';
import { backfillSummary, optionsDetails } from '../workflows/details.js';
import { invalidOption } from './options.js';

const CALENDAR_DATE = z.iso.date();
const INSTANT = z.iso.datetime({ offset: true });

/**
 * A date or an instant as the CLI takes it, as an ISO instant: '2024-01-31' is midnight UTC, an instant needs its
 * offset. Strict on purpose: Date.parse reads 2024-02-30 as March 1 and 2024-1-5 in the local time zone.
 */
export const isoInstant = z.string().transform((value, context) => {
  if (CALENDAR_DATE.safeParse(value).success) return `${value}T00:00:00.000Z`;
  if (INSTANT.safeParse(value).success) return new Date(value).toISOString();
  context.addIssue({
    code: 'custom',
    message: `'${value}' is not a date such as 2024-01-31 or an instant such as 2024-01-31T12:00:00Z`,
  });
  return z.NEVER;
});

/** For a schema with --from and --to: --to must come after --from, and the message shows both. */
export function toAfterFrom(range: { from?: string; to?: string }, context: z.RefinementCtx): void {
  if (range.from && range.to && range.from >= range.to) {
    context.addIssue({
      code: 'custom',
      path: ['to'],
      message: `${range.to} is not after --from ${range.from}`,
    });
  }
}

export const backfillOptionsSchema = z
  .object({
    migration: z.string().min(1),
    connection: z.string().min(1).optional(),
    from: isoInstant.optional(),
    to: isoInstant.optional(),
    partitionDays: z.number().int().min(1).max(3660).optional(),
    concurrency: z.number().int().min(CONCURRENCY_RANGE.min).max(CONCURRENCY_RANGE.max).optional(),
    requestsPerMinute: z.number().int().min(RATE_RANGE.min).max(RATE_RANGE.max).optional(),
    pageSize: z.number().int().min(1).optional(),
    pagesPerChunk: z.number().int().min(1).max(MAX_PAGES_PER_CHUNK).optional(),
    maxPasses: z.number().int().min(1).max(10).default(3),
    maxHistoryEvents: z.number().int().min(100).max(40_000).default(5_000),
    catchUp: z.boolean().default(true),
    catchUpLookbackSeconds: z.number().int().min(0).max(86_400).default(60),
    id: z.string().min(1).optional(),
    dryRun: z.boolean().default(false),
    /** Write: a migration that writes back into an API runs dry unless told this. */
    apply: z.boolean().default(false),
    verifySample: z.number().int().min(0).max(100_000).optional(),
    /** The run's options for its migration (a field migration's plan), checked by the migration. */
    options: z.unknown().optional(),
  })
  .superRefine(toAfterFrom);

export type BackfillOptions = z.input<typeof backfillOptionsSchema>;

/** Resolves the migration's defaults so that the workflow receives complete, plain options. */
export function resolveBackfill(options: BackfillOptions): { workflowId: string; input: BackfillInput } {
  const parsed = backfillOptionsSchema.safeParse(options);
  if (!parsed.success) throw invalidOption(parsed.error);
  const o = parsed.data;
  const migration = getMigration(o.migration);
  if (migration.windowed === false && o.partitionDays !== undefined) {
    throw new FerryError(
      `Migration "${migration.name}" reads its source whole (the source cannot filter by creation time); --partition-days does not apply`,
    );
  }
  if (o.apply && !migration.writesBack) {
    throw new FerryError(
      `--apply is for migrations that write back into an API; ${migration.name} writes tables`,
    );
  }
  if (o.apply && o.dryRun) throw new FerryError('--dry-run and --apply exclude each other');
  const dryRun = migration.writesBack ? !o.apply : o.dryRun;
  const runOptions = runOptionsOf(migration, o.options);
  const day = (iso: string | undefined, fallback: string) => (iso ? iso.slice(0, 10) : fallback);
  // Runs of different options (plans) have ids of their own.
  const optionsPart =
    runOptions === undefined
      ? ''
      : `/${createHash('sha256').update(JSON.stringify(runOptions)).digest('hex').slice(0, 8)}`;
  return {
    // A dry run has its own id, so that it never blocks (or is taken for) the real run of the same range.
    workflowId:
      o.id ??
      `ferry/${migration.name}${optionsPart}/${day(o.from, 'start')}..${day(o.to, 'now')}${dryRun ? '/dry-run' : ''}`,
    input: {
      migration: migration.name,
      connection: o.connection ?? migration.defaultConnection,
      from: o.from,
      to: o.to,
      partitionDays: o.partitionDays ?? migration.defaults.partitionDays,
      // Days when asked for them; else the migration's way.
      ...(o.partitionDays === undefined && migration.defaults.partitionBy === 'records'
        ? { partitionBy: 'records' as const }
        : {}),
      concurrency: o.concurrency ?? migration.defaults.concurrency,
      requestsPerMinute: o.requestsPerMinute ?? null,
      pageSize: checkedPageSize(migration, o.pageSize),
      pagesPerChunk: o.pagesPerChunk ?? migration.defaults.pagesPerChunk,
      // Chunks of about five seconds unless the operator fixed their size; a field migration's stay as declared.
      ...(o.pagesPerChunk === undefined && !migration.writesBack ? { adaptChunkSize: true } : {}),
      maxPasses: o.maxPasses,
      maxHistoryEvents: o.maxHistoryEvents,
      // Nothing is written in a dry run, so there is nothing to catch up on; nor without a listing of changes.
      catchUp: o.catchUp && !dryRun && migration.copyChanges !== undefined,
      catchUpLookbackSeconds: o.catchUpLookbackSeconds,
      ...(dryRun ? { dryRun: true } : {}),
      // A field migration's end check is `ferry verify --plan`, over every record: no sample of its own.
      ...(o.verifySample !== undefined || migration.writesBack ? { verifySample: o.verifySample ?? 0 } : {}),
      ...(runOptions === undefined ? {} : { options: runOptions }),
    },
  };
}

/** A run's options as its migration checks them; a migration that takes none refuses any. */
export function runOptionsOf(migration: Migration, given: unknown): unknown {
  if (!migration.runOptions) {
    if (given !== undefined)
      throw new FerryError(`Migration "${migration.name}" takes no plan or other options`);
    return undefined;
  }
  try {
    return migration.runOptions.parse(given);
  } catch (error) {
    if (error instanceof z.ZodError) {
      throw new FerryError(`The plan for ${migration.name} is not valid:\n${z.prettifyError(error)}`);
    }
    throw error;
  }
}

export type ResolvedBackfill = ReturnType<typeof resolveBackfill>;

/** Starts a backfill; a run of the same id that is still going is refused with a clear message. */
export function startBackfill(
  client: Client,
  taskQueue: string,
  options: BackfillOptions,
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof backfill>> {
  return startResolvedBackfill(client, taskQueue, resolveBackfill(options));
}

/** Starts a backfill whose options were checked before Temporal was contacted (the CLI's way). */
export async function startResolvedBackfill(
  client: Client,
  taskQueue: string,
  { workflowId, input }: ResolvedBackfill,
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof backfill>> {
  try {
    return await client.workflow.start<typeof backfill>('backfill', {
      taskQueue,
      workflowId,
      args: [input],
      typedSearchAttributes: ferrySearchAttributes(input.migration, 'backfill'),
      // What the Web UI shows above the run: the migration and range, then every option it runs with.
      staticSummary: backfillSummary(input.migration, input.from, input.to),
      staticDetails: optionsDetails({ ...input, requestsPerMinute: input.requestsPerMinute ?? 'none' }),
    });
  } catch (error) {
    if ((error as Error).name === 'WorkflowExecutionAlreadyStartedError') {
      throw new FerryError(
        `A run with id ${workflowId} is already running; watch it with \`ferry status ${workflowId}\` or pass --id`,
      );
    }
    throw error;
  }
}
