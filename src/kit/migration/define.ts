import type { Knex } from 'knex';
import type { z } from 'zod';
import { MalformedPageError } from '../../connectors/errors.js';
import type { Source } from '../../connectors/source.js';
import { FerryError } from '../../errors.js';
import { fetchOrGiveUp } from '../../migrations/failed-pages.js';
import {
  type ChunkContext,
  type Cursor,
  FIRST_PAGE,
  type Migration,
  type MigrationDefaults,
  type RejectedRecord,
  type TimeWindow,
} from '../../migrations/types.js';
import { pageKey } from '../../target/dead-letters.js';
import { valueAt } from '../records/field-path.js';
import {
  columnValueOf,
  type FoundLookups,
  fieldsOfColumn,
  fieldsRead,
  lookupKeys,
  lookupsUsed,
  RecordRows,
} from '../records/record-rows.js';
import { type Detail, fetchDetails, fetchEach } from '../source/detail.js';
import { allPages, fetchPage, type Listing, mergeParams, type Params } from '../source/listing.js';
import { PageReader } from '../source/read-ahead.js';
import type { RestApi, RestClient } from '../source/rest-api.js';
import type { WindowFilter } from '../source/window.js';
import { routeChooser, routesOf, type Targets } from '../target/routes.js';
import { prepareTarget, type Target } from '../target/target.js';
import type { ChangesListing, Stamped } from './changes.js';
import { type ChunkRows, type IncrementalDeclaration, incrementalSync } from './incremental.js';
import { type ChunkPages, writeRecordRows } from './write-records.js';

/** A lookup of values by key at the source (an item's manufacturer), asked in batches, remembered for the run. */
export interface Lookup {
  /**
   * The values of keys this run has not asked yet, many per call; a key left out has none. `cached` remembers a
   * lookup of its own for the run (a lookup that goes through another, as an item to its manufacturer).
   */
  load(
    keys: string[],
    client: RestClient,
    cached: (
      kind: string,
      keys: readonly string[],
      load: (missing: string[]) => Promise<Map<string, unknown>>,
    ) => Promise<Map<string, unknown>>,
  ): Promise<Map<string, unknown>>;
}

/** A migration declared from parts: where the records are, how they are paged and filtered, where they go. */
export interface MigrationDeclaration {
  name: string;
  description: string;
  /** The connection used when a run names none. */
  connection: string;
  api: RestApi;
  /** Where records go: one target, or several by a field of the record (`routedTarget`). */
  target: Targets;
  /** The record tables' column of the creation time, by which windows are cut and counted. */
  created: string;
  /** The record tables' column of the last modification, which changes cursors follow. */
  modified?: string;
  /**
   * The records, oldest first, a window at a time: the backfill's listing. Without a window filter the source
   * cannot narrow its listing by creation time, and a backfill reads it whole in one partition.
   */
  list: Listing & { window?: WindowFilter };
  /**
   * What a record must be as a whole before its columns are read (a rule across fields); a record it refuses is
   * dead-lettered with the reason. Each column checks its own value anyway.
   */
  record?: z.ZodType;
  /** Each listed record fetched again in full (list + detail sources), in parallel within the run's pace. */
  detail?: Detail;
  /** Parameters that list the oldest record first, when the listing's own order does not. */
  oldestFirst?: Params;
  /** A window's count at the source; the listing's total on a one-record page unless given. */
  count?: (client: RestClient, params: Params) => Promise<number>;
  /** Records modified since a cursor, for the backfill's catch-up of what changed while it ran. */
  changes?: ChangesListing;
  /**
   * Records by key, for dead-letter retry and verify: `batch` keys per request of the listing
   * (`include=1,2,3`), or one request per key at `path(key)` (a source with no such filter; a 404 is a record
   * the source no longer has). `keys` says what a key the source can be asked for looks like; another (a broken
   * record's) is left out, as not at the source.
   */
  byKeys?:
    | { params: (keys: readonly string[]) => Params; batch: number; keys?: RegExp }
    | { path: (key: string) => string; concurrency?: number; keys?: RegExp };
  /**
   * Records of a window that the listing leaves out but the target must reflect (WooCommerce's trashed orders),
   * read once a partition has copied its window.
   */
  removed?: { params: Params };
  /** Lookups the target's columns name (`columns.text().lookup('manufacturer', 'ItemCode')`). */
  lookups?: Readonly<Record<string, Lookup>>;
  incremental?: IncrementalDeclaration;
  /** Narrows the target's count of a window to what the source counts (WooCommerce: trashed orders left out). */
  countTarget?: (query: Knex.QueryBuilder) => Knex.QueryBuilder;
  defaults?: Partial<MigrationDefaults>;
  /** The name of the schema step that creates the tables (kept for databases an older ferry created). */
  schemaStep?: string;
}

const DEFAULTS: MigrationDefaults = {
  pageSize: 100,
  pagesPerChunk: 10,
  partitionDays: 90,
  concurrency: 4,
  partitionBy: 'records',
};
/** A source read whole is one window: longer than any store has existed. */
const WHOLE_SOURCE_DAYS = 1_000_000;

/** A declaration that cannot work is refused when it is made, naming what is wrong. */
function checkDeclaration(declaration: MigrationDeclaration): void {
  const { name, target } = declaration;
  for (const { target: routed } of routesOf(target)) {
    for (const column of [declaration.created, declaration.modified]) {
      if (column !== undefined && !(column in routed.record.columns)) {
        throw new Error(`migration ${name}: the record table ${routed.record.name} has no column ${column}`);
      }
    }
  }
  for (const lookup of lookupsUsed(target)) {
    if (!declaration.lookups?.[lookup])
      throw new Error(`migration ${name}: a column uses lookup ${lookup}, which is not declared`);
  }
  if ((declaration.changes || declaration.incremental?.latestFirst) && !declaration.modified) {
    throw new Error(`migration ${name}: changes need the column of the last modification (modified)`);
  }
  const { byKeys, detail, list } = declaration;
  if (byKeys && 'batch' in byKeys && (byKeys.batch < 1 || byKeys.batch > list.paginate.maxSize)) {
    throw new Error(
      `migration ${name}: byKeys.batch must be from 1 to ${list.paginate.maxSize}, the most one page of the listing holds`,
    );
  }
  const concurrencies: [string, number | undefined][] = [
    ['detail.concurrency', detail?.concurrency],
    ['byKeys.concurrency', byKeys && 'path' in byKeys ? byKeys.concurrency : undefined],
  ];
  for (const [part, concurrency] of concurrencies) {
    if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency >= 1)) {
      throw new Error(`migration ${name}: ${part} must be a whole number of requests, at least 1`);
    }
  }
  if (declaration.changes?.pagesBySecond && !declaration.list.paginate.positional) {
    throw new Error(
      `migration ${name}: changes.modifiedAfter pages through a busy second by page number; its listing needs paginate.pageNumber or paginate.offsetLimit`,
    );
  }
}

/**
 * A migration from its declaration: the engine's whole contract (chunks, changes, counts, retries of dead
 * letters, verify, dry runs, incremental syncs) derived from the parts, each record mapped to rows by the
 * target's columns.
 */
export function defineMigration(declaration: MigrationDeclaration): Migration {
  checkDeclaration(declaration);
  const { api, target, list, name } = declaration;
  const fields = [...new Set([...fieldsRead(target), ...(list.fields ?? [])])];
  const pageSize = Math.min(declaration.defaults?.pageSize ?? DEFAULTS.pageSize, list.paginate.maxSize);
  const newRows = () => new RecordRows(target, declaration.record);
  const keyField = newRows().keyField;
  const routes = routesOf(target);
  const choose = routeChooser(target);
  /** A column of the record's own table, as its route maps it (the first route's when it has none). */
  const recordColumn = (name: string, record: unknown) =>
    columnValueOf((choose(record) ?? (routes[0] as { target: Target }).target).record, name, record);
  const windowParams = (window: TimeWindow): Params =>
    list.window ? list.window.params(list.window.bounds(window)) : {};

  /** What the declared lookups find for these records, each key asked once per run. */
  async function findLookups(
    source: Source,
    client: RestClient,
    records: readonly unknown[],
  ): Promise<FoundLookups> {
    const found = new Map<string, Map<string, unknown>>();
    const cached = (
      kind: string,
      keys: readonly string[],
      load: (missing: string[]) => Promise<Map<string, unknown>>,
    ) => source.lookups.getMany(`${name}:${kind}`, keys, load);
    for (const [lookup, keys] of lookupKeys(target, records)) {
      const declared = declaration.lookups?.[lookup] as Lookup;
      found.set(lookup, await cached(lookup, [...keys], (missing) => declared.load(missing, client, cached)));
    }
    return found;
  }
  /** The listed records as the detail requests return them, and those the source answered 404 for. */
  const detailed = async (client: RestClient, listed: readonly unknown[]) =>
    declaration.detail
      ? fetchDetails(client, declaration.detail, listed)
      : { records: [...listed], gone: [] as unknown[] };
  /** Records as the record schema returns them, which is what the columns (and their lookups) read. */
  const checkedForLookups = (records: readonly unknown[]) =>
    declaration.record
      ? records.map((record) => {
          const parsed = declaration.record?.safeParse(record);
          return parsed?.success ? parsed.data : record;
        })
      : records;
  /** What the run has found already for every key these records look up; undefined when any key is not in yet. */
  const knownLookups = (source: Source, records: readonly unknown[]): FoundLookups | undefined => {
    const found = new Map<string, Map<string, unknown>>();
    for (const [lookup, keys] of lookupKeys(target, records)) {
      const known = source.lookups.known(`${name}:${lookup}`, keys);
      if (!known) return undefined;
      found.set(lookup, known);
    }
    return found;
  };
  /**
   * A chunk's records becoming rows, page by page as they arrive. When the target looks values up and a page needs
   * a key the run has not found yet, that page and the rest of the chunk wait for its end, so that the chunk's new
   * keys are asked together (a few requests instead of a few per page). Once the run knows the keys, as it soon
   * does, a page's records are mapped as they come and need not be held for the whole chunk.
   * Held records and refusals are replayed in the order they came: the later listing of a record wins either way.
   */
  const chunkRows = (source: Source, client: RestClient): ChunkRows => {
    const rows = newRows();
    const held: ({ add: readonly unknown[] } | { refuse: readonly unknown[] })[] = [];
    const gone =
      'its own request answers 404: deleted since it was listed, or listed under a key the source does not serve';
    const add = async (records: readonly unknown[]) => {
      if (!declaration.lookups) {
        rows.add(records);
        return;
      }
      const found = held.length === 0 ? knownLookups(source, checkedForLookups(records)) : undefined;
      if (found) rows.add(records, found);
      else held.push({ add: records });
    };
    return {
      add,
      addListed: async (listed) => {
        const detail = await detailed(client, listed);
        if (held.length > 0) held.push({ refuse: detail.gone });
        else rows.refuse(detail.gone, gone);
        await add(detail.records);
      },
      done: async () => {
        if (held.length === 0) return rows;
        const records = held.flatMap((step) => ('add' in step ? step.add : []));
        const found = await findLookups(source, client, checkedForLookups(records));
        for (const step of held) {
          if ('add' in step) rows.add(step.add, found);
          else rows.refuse(step.refuse, gone);
        }
        return rows;
      },
    };
  };

  const write = async (db: Knex, context: ChunkContext, rows: RecordRows, pages?: ChunkPages) => {
    // Removed children make their record count as updated; only a sync reports them apart.
    const { deleted: _deleted, ...counts } = await writeRecordRows(db, name, target, context, rows, pages);
    return counts;
  };
  /** A record's key and stamp; undefined when it is too broken to have one (it is dead-lettered). */
  const stampOf = (record: unknown): Stamped | undefined => {
    try {
      const modified = recordColumn(declaration.modified as string, record) as string;
      return { key: valueAt(record, record, keyField) as string | number, modified };
    } catch {
      return undefined;
    }
  };

  const migration: Migration = {
    name,
    description: declaration.description,
    defaultConnection: declaration.connection,
    defaults: {
      ...DEFAULTS,
      ...declaration.defaults,
      pageSize,
      ...(list.window ? {} : { partitionDays: WHOLE_SOURCE_DAYS, partitionBy: 'days' }),
    },
    maxPageSize: list.paginate.maxSize,
    ...(list.window ? { windowGranularity: list.window.granularity } : { windowed: false }),
    prepareTarget: (db) => prepareTarget(db, name, target, declaration.schemaStep),

    async sourceStart(source) {
      const { records } = await fetchPage(api.open(source), list, {
        cursor: FIRST_PAGE,
        size: 1,
        params: declaration.oldestFirst,
        fields: fieldsOfColumn(target, declaration.created),
      });
      if (records[0] === undefined) return null;
      const created = String(recordColumn(declaration.created, records[0]));
      // A date is the start of its day.
      return /^\d{4}-\d{2}-\d{2}$/.test(created) ? `${created}T00:00:00.000Z` : created;
    },

    async copyChunk(db, source, request, context) {
      const client = api.open(source);
      const rows = chunkRows(source, client);
      const pages = { good: [] as string[], failed: [] as RejectedRecord[] };
      const params = windowParams(request.window);
      let cursor: Cursor | null = request.cursor;
      // A page asked for by its number can be skipped and asked again later; one behind a link or a key cannot.
      const skippable = list.paginate.positional && list.skipFailedPages !== false;
      const reader = new PageReader(
        (at) => {
          const fetch = () => fetchPage(client, list, { cursor: at, size: request.pageSize, params, fields });
          return skippable ? fetchOrGiveUp(source, fetch) : fetch().then((page) => ({ page }));
        },
        list.paginate.positional,
        request.pageSize,
      );
      const started = performance.now();
      // One page at the least, whatever the time: a run always moves on.
      const inTime = (fetched: number) =>
        fetched === 0 || request.readForMs === undefined || performance.now() - started < request.readForMs;
      try {
        for (let fetched = 0; cursor && fetched < request.pages && inTime(fetched); fetched++) {
          const at: Cursor = cursor;
          const result = await reader.next(at, request.pages - fetched);
          context.onPage();
          const address = { window: request.window, page: at.page, pageSize: request.pageSize };
          if ('failed' in result) {
            // Recorded as a page to fetch again later; the chunk goes on with the next one.
            pages.failed.push({
              sourceKey: pageKey(address),
              payload: address,
              reason: result.failed.message,
            });
            cursor = { page: at.page + 1 };
            continue;
          }
          pages.good.push(pageKey(address));
          await rows.addListed(result.page.records);
          cursor = result.page.next;
        }
      } finally {
        await reader.drain();
      }
      const counts = await write(db, context, await rows.done(), pages);
      return { ...counts, next: cursor };
    },

    recordTables: routes.map((route) => ({ table: route.target.record.name, key: route.target.sourceKey })),
    recordKeyField: keyField,

    async fetchByKeys(source, keys) {
      const byKeys = declaration.byKeys;
      if (!byKeys)
        throw new FerryError(`Migration "${name}" declares no way to fetch records by key (byKeys)`);
      const client = api.open(source);
      const asked = byKeys.keys ? keys.filter((key) => byKeys.keys?.test(key)) : keys;
      if ('path' in byKeys) return fetchEach(client, asked.map(byKeys.path), byKeys.concurrency);
      const found: unknown[] = [];
      for (let start = 0; start < asked.length; start += byKeys.batch) {
        const params = byKeys.params(asked.slice(start, start + byKeys.batch));
        for await (const records of allPages(client, list, { size: byKeys.batch, params, fields })) {
          found.push(...(await detailed(client, records)).records);
        }
      }
      return found;
    },

    async writeRecords(db, source, records, context) {
      const rows = chunkRows(source, api.open(source));
      await rows.add(records);
      return write(db, context, await rows.done());
    },

    async reconcileWindow(db, source, window, context) {
      if (!declaration.removed) return 0;
      const client = api.open(source);
      const params = mergeParams(list, windowParams(window), declaration.removed.params);
      let written = 0;
      for await (const records of allPages(client, list, { size: list.paginate.maxSize, params, fields })) {
        const rows = chunkRows(source, client);
        await rows.addListed(records);
        await write(db, context, await rows.done());
        written += records.length;
      }
      return written;
    },

    async countSource(source, window) {
      const client = api.open(source);
      if (declaration.count) return declaration.count(client, windowParams(window));
      const { total } = await fetchPage(client, list, {
        cursor: FIRST_PAGE,
        size: 1,
        params: windowParams(window),
        fields: [keyField],
      });
      if (total === undefined) {
        throw new FerryError(
          `${list.path} sends no total; declare how migration "${name}" counts a window (count)`,
        );
      }
      return total;
    },

    async countTarget(db, window) {
      let total = 0;
      for (const route of routes) {
        let query = db(route.target.record.name);
        if (list.window) {
          const bounds = list.window.bounds(window);
          query = query
            .where(declaration.created, '>=', bounds.from)
            .andWhere(declaration.created, '<', bounds.to);
        }
        const row = await (declaration.countTarget?.(query) ?? query)
          .count<{ count: string }[]>({ count: '*' })
          .first();
        total += Number(row?.count ?? 0);
      }
      return total;
    },
  };

  const changes = declaration.changes;
  if (changes) {
    migration.copyChanges = async (db, source, request, context) => {
      const client = api.open(source);
      const rows = chunkRows(source, client);
      let cursor: Cursor | null = request.cursor;
      for (let fetched = 0; cursor && fetched < request.pages; fetched++) {
        // A malformed page is retried by the activity: the keyset cannot move past a page it has not read.
        const result = await fetchPage(client, list, {
          cursor: { page: cursor.page },
          size: request.pageSize,
          params: mergeParams(list, windowParams(request.window), changes.params(cursor)),
          fields,
        });
        context.onPage();
        const at: Cursor = cursor;
        const stamps = result.records.map(stampOf);
        const fresh = result.records.filter((_, index) => {
          const stamp = stamps[index];
          return !(stamp && changes.skips(at, stamp));
        });
        await rows.addListed(fresh);
        const stamped = stamps.filter((stamp): stamp is Stamped => stamp !== undefined);
        if (stamped.length === 0 && result.records.length > 0 && result.next !== null) {
          // The cursor cannot move past a page none of whose records says when it changed.
          throw new MalformedPageError(`${list.path}: no record of a page of changes has a readable stamp`);
        }
        cursor = changes.next(cursor, stamped, result.next !== null);
      }
      return { ...(await write(db, context, await rows.done())), next: cursor };
    };
  }

  const incremental = declaration.incremental;
  if (incremental)
    migration.incremental = incrementalSync(declaration, incremental, {
      fields,
      keyField,
      recordColumn,
      chunkRows,
    });
  return migration;
}
