import type { Source } from '../../connectors/source.js';
import { FIRST_PAGE, type IncrementalSync } from '../../migrations/types.js';
import { valueAt } from '../records/field-path.js';
import { fieldsOfColumn, type RecordRows } from '../records/record-rows.js';
import { fetchPage, type Params } from '../source/listing.js';
import type { RestClient } from '../source/rest-api.js';
import type { MigrationDeclaration } from './define.js';
import { writeRecordRows } from './write-records.js';

/** What a migration offers to scheduled incremental syncs: the records changed since a watermark. */
export interface IncrementalDeclaration {
  defaultLookbackSeconds: number;
  /**
   * Parameters listing the records changed at or after `since` (and any the source wants re-read); when paged by
   * key, keys after `after`.
   */
  params(since: string, after: string | null): Params;
  /**
   * Parameters listing the most recently modified record first: the source's latest change, the watermark a sync
   * commits. A source that stamps no modification (e-Boekhouden) leaves it out: the watermark is then the worker's
   * clock when the sync starts, and each sync re-reads the records dated within the lookback before it.
   */
  latestFirst?: Params;
  /**
   * How a sync pages through the changes: by record key (`after`, the default: a listing that moves while it is
   * read cannot skip a record), or by the listing's own paginator, for a source that cannot filter by key.
   */
  pageBy?: 'key' | 'listing';
}

/** A chunk's records on their way to rows. */
export interface ChunkRows {
  /** Records as the source sends them whole. */
  add(records: readonly unknown[]): Promise<void>;
  /** Records as the listing sends them: fetched whole first when the source needs a detail request. */
  addListed(listed: readonly unknown[]): Promise<void>;
  done(): Promise<RecordRows>;
}

/** The incremental sync of a declared migration: the changed records, a chunk at a time. */
export function incrementalSync(
  declaration: MigrationDeclaration,
  incremental: IncrementalDeclaration,
  parts: {
    fields: string[];
    keyField: string;
    recordColumn: (name: string, record: unknown) => unknown;
    chunkRows: (source: Source, client: RestClient) => ChunkRows;
  },
): IncrementalSync {
  const { api, list, target, name } = declaration;
  const byKey = incremental.pageBy !== 'listing';
  return {
    defaultLookbackSeconds: incremental.defaultLookbackSeconds,

    async latestChange(source) {
      if (!incremental.latestFirst) return new Date().toISOString();
      const modified = declaration.modified as string;
      const { records } = await fetchPage(api.open(source), list, {
        cursor: FIRST_PAGE,
        size: 1,
        params: incremental.latestFirst,
        fields: fieldsOfColumn(target, modified),
      });
      return records[0] === undefined ? null : String(parts.recordColumn(modified, records[0]));
    },

    async syncChunk(db, source, request, finish, context) {
      const client = api.open(source);
      const rows = parts.chunkRows(source, client);
      let cursor = request.cursor;
      let more = true;
      for (let fetched = 0; more && fetched < request.pages; fetched++) {
        const result = await fetchPage(client, list, {
          // By key, each page is the first after the last key read.
          cursor: byKey ? FIRST_PAGE : cursor,
          size: request.pageSize,
          params: incremental.params(request.since, byKey ? (cursor.after ?? null) : null),
          fields: parts.fields,
        });
        context.onPage();
        await rows.addListed(result.records);
        const last = result.records[result.records.length - 1];
        if (!byKey && result.next) cursor = result.next;
        else if (byKey && last !== undefined)
          cursor = { page: 1, after: String(valueAt(last, last, parts.keyField)) };
        more = result.next !== null;
      }
      const counts = await writeRecordRows(
        db,
        name,
        target,
        context,
        await rows.done(),
        undefined,
        more ? undefined : finish,
      );
      return { ...counts, next: more ? cursor : null };
    },
  };
}
