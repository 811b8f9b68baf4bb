import type { Knex } from 'knex';
import { SapServiceLayerClient } from '../../connectors/sap/client.js';
import type { SapOrder } from '../../connectors/sap/order-shape.js';
import { changedAfterFilter, changedSinceFilter, instantOfStamp } from '../../connectors/sap/stamps.js';
import type { Source } from '../../connectors/source.js';
import { prepareTarget, writeTarget } from '../../kit/index.js';
import { writeChunkTransaction } from '../../target/chunk-transaction.js';
import type { ChangeCursor, ChunkContext, Migration, TimeWindow } from '../types.js';
import { target } from './target.js';
import { SAP_ORDER_FIELDS, salesOrderRows } from './transform.js';

const DAY_MS = 24 * 3600 * 1000;

/** The first whole date at or after an instant: windows of instants cut SAP's DocDate into disjoint date ranges. */
function dateAtOrAfter(instant: string): string {
  const ms = Date.parse(instant);
  const midnight = Math.floor(ms / DAY_MS) * DAY_MS;
  return new Date(midnight === ms ? ms : midnight + DAY_MS).toISOString().slice(0, 10);
}

function windowFilter(window: TimeWindow): string {
  return `DocDate ge '${dateAtOrAfter(window.from)}' and DocDate lt '${dateAtOrAfter(window.to)}'`;
}

const query = (params: Record<string, string>) => `Orders?${new URLSearchParams(params).toString()}`;

const MIGRATION = 'sap-orders';
const FETCH_BY_KEY_BATCH = 40;

/**
 * Transforms and writes a chunk's orders in one transaction with their dead letters; `finish` (the watermark)
 * joins that transaction.
 */
async function writeChunk(
  db: Knex,
  client: SapServiceLayerClient,
  source: Source,
  context: ChunkContext,
  orders: readonly SapOrder[],
  finish?: (trx: Knex.Transaction) => Promise<void>,
) {
  const { rows, rejected } = await salesOrderRows(client, source.lookups, orders);
  const keys = rows.sales_orders.map((order) => order.doc_entry);
  const counts = await writeChunkTransaction(db, {
    migration: MIGRATION,
    context,
    writtenKeys: keys.map(String),
    recordTable: { ...sapOrders.recordTable, keys },
    rejected,
    write: async (trx) => {
      const written = await writeTarget(trx, target, rows);
      await finish?.(trx);
      return written;
    },
  });
  return { ...counts, fetched: keys.length + rejected.length };
}

/**
 * SAP Business One sales orders into sales_orders and sales_order_lines, each line with its item's
 * manufacturer. Partitions cut by DocDate; changes are read by SAP's UpdateDate and UpdateTime.
 */
export const sapOrders: Migration = {
  name: MIGRATION,
  description: 'SAP Business One sales orders into sales_orders and sales_order_lines (+ item manufacturer)',
  defaultConnection: 'sap',
  defaults: { pageSize: 100, pagesPerChunk: 10, partitionDays: 90, concurrency: 4 },

  // '001-sales-orders': the step that created these tables before they were declared, so existing databases keep them.
  prepareTarget: (db: Knex) => prepareTarget(db, MIGRATION, target, '001-sales-orders'),

  async sourceStart(source) {
    const client = new SapServiceLayerClient(source);
    const { value } = await client.page<SapOrder>(
      query({ $select: 'DocDate', $orderby: 'DocDate asc', $top: '1' }),
      1,
    );
    return value[0] ? `${value[0].DocDate}T00:00:00.000Z` : null;
  },

  async copyChunk(db, source, request, context) {
    const client = new SapServiceLayerClient(source);
    const orders: SapOrder[] = [];
    let page = request.page;
    let more = true;
    for (let fetched = 0; more && fetched < request.pages; fetched++) {
      // DocEntry order: orders created later land after the window's last page, so paging never repeats one.
      const result = await client.page<SapOrder>(
        query({
          $filter: windowFilter(request.window),
          $select: SAP_ORDER_FIELDS,
          $orderby: 'DocEntry asc',
          $skip: String((page - 1) * request.pageSize),
        }),
        request.pageSize,
      );
      context.onPage();
      orders.push(...result.value);
      more = result.nextLink !== undefined;
      page++;
    }
    // A malformed page is retried by the activity: $skip paging over a live store has no stable page to record.
    const counts = await writeChunk(db, client, source, context, orders);
    return { ...counts, nextPage: more ? page : null };
  },

  async copyChanges(db, source, request, context) {
    const client = new SapServiceLayerClient(source);
    const orders: SapOrder[] = [];
    let cursor: ChangeCursor | null = request.cursor;
    for (let fetched = 0; cursor && fetched < request.pages; fetched++) {
      // Keyset on (UpdateDate, UpdateTime, DocEntry): the cursor's skipIds end with the last DocEntry copied.
      const lastEntry = cursor.skipIds.length > 0 ? Math.max(...cursor.skipIds.map(Number)) : 0;
      const result: { value: SapOrder[]; nextLink?: string } = await client.page<SapOrder>(
        query({
          $filter: `(${windowFilter(request.window)}) and (${changedAfterFilter(cursor.after, lastEntry)})`,
          $select: SAP_ORDER_FIELDS,
          $orderby: 'UpdateDate asc,UpdateTime asc,DocEntry asc',
        }),
        request.pageSize,
      );
      context.onPage();
      orders.push(...result.value);
      const last = result.value[result.value.length - 1];
      cursor =
        last && result.nextLink !== undefined
          ? { after: instantOfStamp(last.UpdateDate, last.UpdateTime), skipIds: [last.DocEntry], page: 1 }
          : null;
    }
    const counts = await writeChunk(db, client, source, context, orders);
    return { ...counts, next: cursor };
  },

  recordTable: { table: 'sales_orders', key: 'doc_entry' },
  recordKeyField: 'DocEntry',

  async fetchByKeys(source, keys) {
    const client = new SapServiceLayerClient(source);
    const entries = keys.map(Number).filter((entry) => Number.isInteger(entry) && entry > 0);
    const found: SapOrder[] = [];
    // A filter of a few dozen comparisons stays well inside the Service Layer's URL limits; one page holds it.
    for (let start = 0; start < entries.length; start += FETCH_BY_KEY_BATCH) {
      const batch = entries.slice(start, start + FETCH_BY_KEY_BATCH);
      const { value } = await client.page<SapOrder>(
        query({
          $filter: batch.map((entry) => `DocEntry eq ${entry}`).join(' or '),
          $select: SAP_ORDER_FIELDS,
          $orderby: 'DocEntry asc',
        }),
        FETCH_BY_KEY_BATCH,
      );
      found.push(...value);
    }
    return found;
  },

  writeRecords: (db, source, records, context) =>
    writeChunk(db, new SapServiceLayerClient(source), source, context, records as SapOrder[]),

  // SAP never deletes a sales order (it is closed or cancelled, and stays a document): nothing to reconcile.
  reconcileWindow: async () => 0,

  countSource: (source, window) => new SapServiceLayerClient(source).count('Orders', windowFilter(window)),

  async countTarget(db, window) {
    const row = await db('sales_orders')
      .where('doc_date', '>=', dateAtOrAfter(window.from))
      .andWhere('doc_date', '<', dateAtOrAfter(window.to))
      .count<{ count: string }[]>({ count: '*' })
      .first();
    return Number(row?.count ?? 0);
  },

  incremental: {
    defaultLookbackSeconds: 600,

    async latestChange(source) {
      const client = new SapServiceLayerClient(source);
      const { value } = await client.page<SapOrder>(
        query({ $select: 'UpdateDate,UpdateTime', $orderby: 'UpdateDate desc,UpdateTime desc', $top: '1' }),
        1,
      );
      return value[0] ? instantOfStamp(value[0].UpdateDate, value[0].UpdateTime) : null;
    },

    async syncChunk(db, source, request, finish, context) {
      const client = new SapServiceLayerClient(source);
      const orders: SapOrder[] = [];
      let after = request.after ?? 0;
      let more = true;
      for (let fetched = 0; more && fetched < request.pages; fetched++) {
        // Open orders are read every time, as the people who run this sync by hand do: some changes to an open
        // order (a delivery against a line) reach its lines without stamping the header.
        const result = await client.page<SapOrder>(
          query({
            $filter: `(DocumentStatus eq 'bost_Open' or ${changedSinceFilter(request.since)}) and DocEntry gt ${after}`,
            $select: SAP_ORDER_FIELDS,
            $orderby: 'DocEntry asc',
          }),
          request.pageSize,
        );
        context.onPage();
        orders.push(...result.value);
        after = result.value[result.value.length - 1]?.DocEntry ?? after;
        more = result.nextLink !== undefined;
      }
      const counts = await writeChunk(db, client, source, context, orders, more ? undefined : finish);
      return { ...counts, next: more ? after : null };
    },
  },
};
