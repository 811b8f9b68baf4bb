import type { Knex } from 'knex';
import { fetchOrGiveUp } from '../../migrations/failed-pages.js';
import type {
  ChangeCursor,
  ChunkContext,
  Migration,
  MigrationDefaults,
  RejectedRecord,
  TimeWindow,
} from '../../migrations/types.js';
import { pageKey } from '../../target/dead-letters.js';
import { valueAt } from '../records/field-path.js';
import { columnValueOf, fieldsOfColumn, fieldsRead, RecordRows } from '../records/record-rows.js';
import { allPages, fetchPage, type Listing, type Params } from '../source/listing.js';
import type { RestApi, RestClient } from '../source/rest-api.js';
import type { WindowFilter } from '../source/window.js';
import { prepareTarget, type Target } from '../target/target.js';
import { type ModifiedSince, nextChangeCursor } from './changes.js';
import { type ChunkPages, writeRecordRows } from './write-records.js';

/** A migration declared from parts: where the records are, how they are paged and filtered, where they go. */
export interface MigrationDeclaration {
  name: string;
  description: string;
  /** The connection used when a run names none. */
  connection: string;
  api: RestApi;
  target: Target;
  /** The record table's column of the creation time, by which windows are cut and counted. */
  created: string;
  /** The record table's column of the last modification, which the changes cursor follows. */
  modified?: string;
  /** The records by creation time, a window at a time: the backfill's listing. */
  list: Listing & { window: WindowFilter };
  /** A window's count at the source; the listing's total on a one-record page unless given. */
  count?: (client: RestClient, params: Params) => Promise<number>;
  /** Records modified since an instant, for the backfill's catch-up of what changed while it ran. */
  changes?: ModifiedSince;
  /** Records by key, `batch` keys per request (`include=1,2,3`): dead-letter retry and verify. */
  byKeys?: { params: (keys: readonly string[]) => Params; batch: number };
  /**
   * Records of a window that the listing leaves out but the target must reflect (WooCommerce's trashed orders),
   * read once a partition has copied its window.
   */
  removed?: { params: Params };
  /** Narrows the target's count of a window to what the source counts (WooCommerce: trashed orders left out). */
  countTarget?: (query: Knex.QueryBuilder) => Knex.QueryBuilder;
  defaults?: Partial<MigrationDefaults>;
  /** The name of the schema step that creates the tables (kept for databases an older ferry created). */
  schemaStep?: string;
}

const DEFAULTS: MigrationDefaults = { pageSize: 100, pagesPerChunk: 10, partitionDays: 90, concurrency: 4 };

/**
 * A migration from its declaration: the engine's whole contract (chunks, changes, counts, retries of dead
 * letters, verify, dry runs) derived from the parts, each record mapped to rows by the target's columns.
 */
export function defineMigration(declaration: MigrationDeclaration): Migration {
  const { api, target, list, name } = declaration;
  const fields = fieldsRead(target);
  const pageSize = Math.min(declaration.defaults?.pageSize ?? DEFAULTS.pageSize, list.paginate.maxSize);
  const keyField = new RecordRows(target).keyField;
  const windowParams = (window: TimeWindow) => list.window.params(list.window.bounds(window));
  const rowsOf = (records: readonly unknown[]) => new RecordRows(target).add(records);
  const write = async (db: Knex, context: ChunkContext, rows: RecordRows, pages?: ChunkPages) => {
    // Removed children make their record count as updated; only a sync reports them apart.
    const { deleted: _deleted, ...counts } = await writeRecordRows(db, name, target, context, rows, pages);
    return counts;
  };
  const modifiedOf = (record: unknown) =>
    columnValueOf(target.record, declaration.modified as string, record) as string;

  const migration: Migration = {
    name,
    description: declaration.description,
    defaultConnection: declaration.connection,
    defaults: { ...DEFAULTS, ...declaration.defaults, pageSize },
    prepareTarget: (db) => prepareTarget(db, name, target, declaration.schemaStep),

    async sourceStart(source) {
      const { records } = await fetchPage(api.open(source), list, {
        page: 1,
        size: 1,
        fields: fieldsOfColumn(target.record, declaration.created),
      });
      return records[0] === undefined
        ? null
        : String(columnValueOf(target.record, declaration.created, records[0]));
    },

    async copyChunk(db, source, request, context) {
      const client = api.open(source);
      const rows = rowsOf([]);
      const pages = { good: [] as string[], failed: [] as RejectedRecord[] };
      let page = request.page;
      let more = true;
      for (let fetched = 0; fetched < request.pages && more; fetched++, page++) {
        const address = { window: request.window, page, pageSize: request.pageSize };
        const params = windowParams(request.window);
        const result = await fetchOrGiveUp(source, () =>
          fetchPage(client, list, { page, size: request.pageSize, params, fields }),
        );
        context.onPage();
        if ('failed' in result) {
          // Recorded as a page to fetch again later; the chunk goes on with the next one.
          pages.failed.push({ sourceKey: pageKey(address), payload: address, reason: result.failed.message });
          continue;
        }
        pages.good.push(pageKey(address));
        rows.add(result.page.records);
        more = result.page.more;
      }
      const counts = await write(db, context, rows, pages);
      return { ...counts, nextPage: more ? page : null };
    },

    async copyChanges(db, source, request, context) {
      const changes = declaration.changes;
      if (!changes || !declaration.modified) throw new Error(`migration ${name} declares no changes listing`);
      const client = api.open(source);
      const rows = rowsOf([]);
      let cursor: ChangeCursor | null = request.cursor;
      for (let fetched = 0; cursor && fetched < request.pages; fetched++) {
        // A malformed page is retried by the activity: the keyset cannot move past a page it has not read.
        const result = await fetchPage(client, list, {
          page: cursor.page,
          size: request.pageSize,
          params: { ...windowParams(request.window), ...changes.params(cursor.after) },
          fields,
        });
        context.onPage();
        const skip = new Set(cursor.skipIds.map(String));
        rows.add(result.records.filter((record) => !skip.has(keyOf(record))));
        const stamped = result.records.flatMap((record) => {
          const modified = stampOf(record);
          return modified ? [{ key: valueOfKey(record), modified }] : [];
        });
        cursor = nextChangeCursor(cursor, stamped, result.more);
      }
      return { ...(await write(db, context, rows)), next: cursor };
    },

    recordTable: { table: target.record.name, key: target.record.key[0] as string },
    recordKeyField: keyField,

    async fetchByKeys(source, keys) {
      const byKeys = declaration.byKeys;
      if (!byKeys) throw new Error(`migration ${name} declares no way to fetch records by key`);
      const client = api.open(source);
      const found: unknown[] = [];
      for (let start = 0; start < keys.length; start += byKeys.batch) {
        const params = byKeys.params(keys.slice(start, start + byKeys.batch));
        for await (const records of allPages(client, list, { size: byKeys.batch, params, fields })) {
          found.push(...records);
        }
      }
      return found;
    },

    writeRecords: (db, _source, records, context) => write(db, context, rowsOf(records)),

    async reconcileWindow(db, source, window, context) {
      if (!declaration.removed) return 0;
      const client = api.open(source);
      const params = { ...windowParams(window), ...declaration.removed.params };
      let written = 0;
      for await (const records of allPages(client, list, { size: list.paginate.maxSize, params, fields })) {
        await write(db, context, rowsOf(records));
        written += records.length;
      }
      return written;
    },

    async countSource(source, window) {
      const client = api.open(source);
      if (declaration.count) return declaration.count(client, windowParams(window));
      const { total } = await fetchPage(client, list, {
        page: 1,
        size: 1,
        params: windowParams(window),
        fields: [keyField],
      });
      if (total === undefined)
        throw new Error(`${list.path} sends no total; declare how migration ${name} counts a window`);
      return total;
    },

    async countTarget(db, window) {
      const bounds = list.window.bounds(window);
      const query = db(target.record.name)
        .where(declaration.created, '>=', bounds.from)
        .andWhere(declaration.created, '<', bounds.to);
      const row = await (declaration.countTarget?.(query) ?? query)
        .count<{ count: string }[]>({ count: '*' })
        .first();
      return Number(row?.count ?? 0);
    },
  };

  function valueOfKey(record: unknown): string | number {
    return valueAt(record, record, keyField) as string | number;
  }
  function keyOf(record: unknown): string {
    return String(valueOfKey(record));
  }
  /** A record's modification stamp, or undefined when it is too broken to have one (it is dead-lettered). */
  function stampOf(record: unknown): string | undefined {
    try {
      return modifiedOf(record);
    } catch {
      return undefined;
    }
  }
  return migration;
}
