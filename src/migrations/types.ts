import type { Knex } from 'knex';
import type { Source } from '../connectors/source.js';
import type { ChunkTimer } from '../target/chunk-timing.js';

/** A half-open window [from, to) of creation time, as ISO instants. */
export interface TimeWindow {
  from: string;
  to: string;
}

export interface WriteCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

/**
 * Where a listing continues: the one position the engine keeps between chunks and hands back to the migration
 * without reading it. A positional listing moves `page` (from 1); a keyset stands `after` a stamp or a key,
 * skipping `skipIds` already read at that stamp; a listing that hands out links keeps the next one in `link`.
 * Plain JSON, small: it is a workflow's checkpoint.
 */
export interface Cursor {
  page: number;
  after?: string;
  skipIds?: (string | number)[];
  link?: string;
}

/** The start of a listing. */
export const FIRST_PAGE: Cursor = Object.freeze({ page: 1 });

/**
 * The cursor of a request from a workflow that an earlier ferry started (its history still holds it): a page
 * number (backfill chunks), a record key (sync chunks), or already a cursor.
 */
export function cursorOf(request: {
  cursor?: Cursor;
  page?: number;
  after?: string | number | null;
}): Cursor {
  if (request.cursor) return request.cursor;
  if (request.page !== undefined) return { page: request.page };
  return request.after === undefined || request.after === null
    ? FIRST_PAGE
    : { page: 1, after: String(request.after) };
}

export interface ChunkRequest {
  window: TimeWindow;
  /** Where the window's listing (in creation order) continues. */
  cursor: Cursor;
  pageSize: number;
  /** Pages fetched, transformed and written in one transaction. */
  pages: number;
  /**
   * Stop reading pages once the chunk has taken this long, and write what it has: a source that suddenly slows
   * does not hold a chunk sized for a fast one past its timeout. Absent: read all `pages`.
   */
  readForMs?: number;
}

/** A source record the transform cannot turn into rows: it is dead-lettered, the rest of its chunk written. */
export interface RejectedRecord {
  sourceKey: string;
  payload: unknown;
  reason: string;
}

/** Where a chunk's dead letters are filed: the run (backfill or sync), the partition's workflow, the window. */
export interface DeadLetterScope {
  runId: string;
  partitionKey: string | null;
  /** The chunk's window, when it has one: that window's count check accounts for these letters. */
  window?: TimeWindow;
}

/** What the activity layer hands a migration's chunk besides the request. */
export interface ChunkContext {
  /** Called after each page fetched (heartbeats). */
  onPage(): void;
  /**
   * The run as one execution: a backfill's first run id (the same across its continue-as-new, new when a
   * workflow id is used again). What a migration keeps per run is keyed by it.
   */
  runScope: string;
  deadLetters: DeadLetterScope;
  /** Fetch, transform and write as usual, then roll the transaction back: exact counts, nothing changed. */
  dryRun: boolean;
  /** How many differences a dry-run chunk lists (3 unless told: a sample; verification lists them all). */
  differencesLimit?: number;
  /** Times the chunk; its row is written in the chunk's transaction (`ferry report` reads them). */
  timer?: ChunkTimer;
}

/** A record a dry run would insert or update; `fields` are the columns of its own row that would change. */
export interface DryRunDifference {
  key: string;
  change: 'insert' | 'update';
  fields: string[];
}

/** Counts of a chunk: records fetched are written (inserted, updated or unchanged) or dead-lettered. */
export interface ChunkCounts extends WriteCounts {
  fetched: number;
  deadLettered: number;
  /** Pages that stayed malformed after retries: recorded as dead letters of their own, to fetch again later. */
  failedPages: number;
  /** A dry run's sample of what would change (keys and column names only). */
  differences?: DryRunDifference[];
  /** Rows the chunk inserted or changed, by table: a handful of names, for the worker's metrics. */
  rowsByTable?: Record<string, number>;
}

export interface ChunkResult extends ChunkCounts {
  /** Where to continue, or null when the window is exhausted. */
  next: Cursor | null;
  /** How long the chunk's activity took (set by the engine): the partition sizes its next chunk by it. */
  elapsedMs?: number;
}

export interface ChangesRequest {
  window: TimeWindow;
  /** Where the listing of the window's changes (oldest first) continues; `after` the instant they are read from. */
  cursor: Cursor;
  pageSize: number;
  pages: number;
}

export interface ChangesResult extends ChunkCounts {
  /** Where to continue, or null when every change up to now has been copied. */
  next: Cursor | null;
  /** How long the chunk's activity took (set by the engine). */
  elapsedMs?: number;
}

/** One chunk of an incremental sync: the records changed since an instant, plus any the migration re-reads. */
export interface SyncRequest {
  /** Changes stamped at or after this instant (the source's clock) are read. */
  since: string;
  /** Where the listing of changes (in key order) continues: `after` the last key read. */
  cursor: Cursor;
  pageSize: number;
  pages: number;
}

export interface SyncCounts extends ChunkCounts {
  /** Child rows deleted because the source removed them (an order's lines). */
  deleted: number;
}

export interface SyncChunkResult extends SyncCounts {
  /** Where the next chunk continues, or null when this chunk was the last. */
  next: Cursor | null;
}

/** What a migration offers to scheduled incremental syncs. */
export interface IncrementalSync {
  defaultLookbackSeconds: number;
  /** The latest change stamp at the source (its own clock), or null when it holds nothing. */
  latestChange(source: Source): Promise<string | null>;
  /**
   * Fetches, transforms and writes one chunk in one transaction. On the last chunk, `finish` runs inside that
   * same transaction (it advances the watermark), so the watermark never moves without the data before it.
   */
  syncChunk(
    db: Knex,
    source: Source,
    request: SyncRequest,
    finish: (trx: Knex.Transaction) => Promise<void>,
    context: ChunkContext,
  ): Promise<SyncChunkResult>;
}

export interface MigrationDefaults {
  pageSize: number;
  pagesPerChunk: number;
  partitionDays: number;
  concurrency: number;
  /**
   * How a backfill cuts its range unless `--partition-days` is given: `records`, into windows of about equal
   * record counts from the source's own counts (every slot busy on a small store, a skewed store cut where its
   * records are); `days`, into partitionDays-long windows (a source that must be read in fixed
   * stretches, or whole). A migration that says nothing gets `days`; the kit's declarations get `records` unless
   * they say otherwise.
   */
  partitionBy?: 'records' | 'days';
}

/** What a worker does for a migration; definitions are registered by name, never sent through Temporal. */
export interface Migration {
  name: string;
  description: string;
  defaultConnection: string;
  defaults: MigrationDefaults;
  /** The largest page the source serves (its paginator's): `--page-size` cannot ask for more. */
  maxPageSize?: number;
  /**
   * False when the source cannot narrow its listing to a window of creation times (WooCommerce's customers): a
   * backfill then reads it whole, in one partition.
   */
  windowed?: boolean;
  /** What the source's window filter resolves: whole seconds (the default) or days; windows are cut on it. */
  windowGranularity?: 'second' | 'day';
  /** Creates or updates the target tables; idempotent. */
  prepareTarget(db: Knex): Promise<void>;
  /** The earliest creation time at the source, to plan partitions when no start is given. */
  sourceStart(source: Source): Promise<string | null>;
  /** Fetches, transforms and writes a chunk in one transaction. */
  copyChunk(db: Knex, source: Source, request: ChunkRequest, context: ChunkContext): Promise<ChunkResult>;
  /**
   * Copies records of the window modified since the cursor (deleted ones included), a chunk at a time. Absent
   * when the source cannot list changes: a backfill then has no catch-up.
   */
  copyChanges?(
    db: Knex,
    source: Source,
    request: ChangesRequest,
    context: ChunkContext,
  ): Promise<ChangesResult>;
  /**
   * The target tables with one row per source record (one, or one per route), each with its column of the
   * source's record key; every source record has its row in one of them.
   */
  recordTables: readonly { table: string; key: string }[];
  /** The field (a path, such as `meta.id`) of a source record that holds that key (WooCommerce `id`, SAP `DocEntry`). */
  recordKeyField: string;
  /** The source's current version of these records; keys the source no longer has are left out. */
  fetchByKeys(source: Source, keys: readonly string[]): Promise<unknown[]>;
  /** Sends records through the same transform and writer as a chunk (`ferry dlq retry`, `ferry verify`). */
  writeRecords(db: Knex, source: Source, records: unknown[], context: ChunkContext): Promise<ChunkCounts>;
  countSource(source: Source, window: TimeWindow): Promise<number>;
  /**
   * Brings over what paging cannot see, such as records deleted at the source (WooCommerce: trashed orders,
   * kept with status 'trash'); returns how many records it wrote.
   */
  reconcileWindow(db: Knex, source: Source, window: TimeWindow, context: ChunkContext): Promise<number>;
  /** Records of the window in the target; `context` names the run (a migration that counts per run reads it). */
  countTarget(db: Knex, window: TimeWindow, context?: ChunkContext): Promise<number>;
  /** Present when the migration can run as a scheduled incremental sync. */
  incremental?: IncrementalSync;
  /**
   * Writes back into the source's API rather than into tables (a field migration): a run is a dry run unless
   * it is told to apply (`ferry start --apply`).
   */
  writesBack?: boolean;
  /**
   * Options each run names (a field migration's plan): plain JSON carried with the run through Temporal.
   * `parse` checks them before anything starts (and returns them as they are sent); `bind` gives the migration
   * that runs with them.
   */
  runOptions?: { parse(options: unknown): unknown; bind(options: unknown): Migration };
  /**
   * The window's counts for the check that ends a partition, when the migration counts them itself (a field
   * migration, whose writes move what its search selects): otherwise the source's and the target's counts.
   */
  countWindow?(
    db: Knex,
    source: Source,
    window: TimeWindow,
    context: ChunkContext,
  ): Promise<{ sourceCount: number; targetCount: number; deadLettered: number }>;
  /** A line to show when a run starts (the strategy a field migration picked, and why). */
  runNote?(): string | undefined;
  /** What a finished run did, from the target database: printed after the run (`json` with --json). */
  summarizeRun?(db: Knex, runId: string): Promise<{ lines: string[]; json: unknown }>;
}
