import type { Knex } from 'knex';
import {
  WOO_MAX_PAGE_SIZE,
  WOO_ORDER_STATUSES,
  WooCommerceClient,
} from '../../connectors/woocommerce/client.js';
import type { WooOrder } from '../../connectors/woocommerce/order-shape.js';
import { prepareTarget, writeTarget } from '../../kit/index.js';
import { writeChunkTransaction } from '../../target/chunk-transaction.js';
import { pageKey } from '../../target/dead-letters.js';
import { fetchOrGiveUp } from '../failed-pages.js';
import type {
  ChangeCursor,
  ChunkContext,
  ChunkCounts,
  Migration,
  RejectedRecord,
  TimeWindow,
} from '../types.js';
import { target } from './target.js';
import { ORDER_FIELDS, OrderRowsBuilder } from './transform.js';

/** WooCommerce's `after` is exclusive and dates have whole seconds: one second earlier includes `from` itself. */
function windowFilter(window: TimeWindow): { after: string; before: string } {
  return { after: new Date(Date.parse(window.from) - 1000).toISOString(), before: window.to };
}

const MIGRATION = 'woocommerce-orders';

/** One transaction: a chunk's rows and its dead letters land whole or not at all. */
async function writeRows(
  db: Knex,
  context: ChunkContext,
  rows: OrderRowsBuilder,
  pages: { good: string[]; failed: RejectedRecord[] } = { good: [], failed: [] },
): Promise<ChunkCounts> {
  const built = rows.build();
  const counts = await writeChunkTransaction(db, {
    migration: MIGRATION,
    context,
    writtenKeys: [...rows.orderKeys, ...pages.good],
    rejected: rows.rejected,
    failedPages: pages.failed,
    write: async (trx) => {
      // An order's removed lines make it count as updated; the sync's own count of them is not reported here.
      const { deleted: _deleted, ...counts } = await writeTarget(trx, target, built);
      return counts;
    },
    recordTable: { ...woocommerceOrders.recordTable, keys: rows.orderKeys },
  });
  return { ...counts, fetched: rows.recordCount };
}

/** Moves the keyset past a page of changes sorted by date_modified_gmt (whole seconds). */
export function nextChangeCursor(
  cursor: ChangeCursor,
  page: readonly WooOrder[],
  totalPages: number,
): ChangeCursor | null {
  const last = page[page.length - 1];
  if (!last || cursor.page >= totalPages) return null;
  const lastSecond = `${last.date_modified_gmt}Z`;
  const boundary = new Date(Date.parse(lastSecond) - 1000).toISOString();
  const atLastSecond = page
    .filter((order) => order.date_modified_gmt === last.date_modified_gmt)
    .map((order) => order.id);
  if (boundary === cursor.after) {
    // The whole page shares the cursor's second: page through that second instead.
    return { after: cursor.after, skipIds: [...cursor.skipIds, ...atLastSecond], page: cursor.page + 1 };
  }
  return { after: boundary, skipIds: atLastSecond, page: 1 };
}

/** WooCommerce orders into customers, orders and order_items. */
export const woocommerceOrders: Migration = {
  name: MIGRATION,
  description: 'WooCommerce orders into customers, orders and order_items (bundles expanded)',
  defaultConnection: 'woocommerce',
  defaults: { pageSize: WOO_MAX_PAGE_SIZE, pagesPerChunk: 10, partitionDays: 90, concurrency: 4 },

  // '001-orders': the step that created these tables before they were declared, so existing databases keep them.
  prepareTarget: (db: Knex) => prepareTarget(db, MIGRATION, target, '001-orders'),

  async sourceStart(source) {
    const client = new WooCommerceClient(source);
    const { orders } = await client.listOrders({
      page: 1,
      perPage: 1,
      orderby: 'date',
      order: 'asc',
      fields: ['date_created_gmt'],
    });
    return orders[0] ? `${orders[0].date_created_gmt}Z` : null;
  },

  async copyChunk(db, source, request, context) {
    const client = new WooCommerceClient(source);
    const filter = windowFilter(request.window);
    const rows = new OrderRowsBuilder();
    const pages = { good: [] as string[], failed: [] as RejectedRecord[] };
    let page = request.page;
    // Unknown until a page arrives; a chunk whose pages all failed goes on to the next one.
    let totalPages = Number.POSITIVE_INFINITY;
    for (let fetched = 0; fetched < request.pages && page <= totalPages; fetched++, page++) {
      const address = { window: request.window, page, pageSize: request.pageSize };
      // Creation order: orders created later land after the window's last page, so paging never repeats one.
      const result = await fetchOrGiveUp(source, () =>
        client.listOrders({
          page,
          perPage: request.pageSize,
          ...filter,
          orderby: 'date',
          order: 'asc',
          fields: ORDER_FIELDS,
        }),
      );
      context.onPage();
      if ('failed' in result) {
        pages.failed.push({ sourceKey: pageKey(address), payload: address, reason: result.failed.message });
        continue;
      }
      pages.good.push(pageKey(address));
      rows.add(result.page.orders);
      totalPages = result.page.totalPages;
    }
    const counts = await writeRows(db, context, rows, pages);
    return { ...counts, nextPage: page > totalPages ? null : page };
  },

  async copyChanges(db, source, request, context) {
    const client = new WooCommerceClient(source);
    const filter = windowFilter(request.window);
    const rows = new OrderRowsBuilder();
    let cursor: ChangeCursor | null = request.cursor;
    for (let fetched = 0; cursor && fetched < request.pages; fetched++) {
      // Trashed orders are not in this listing (status any); the partition reconciles them after its last chunk.
      // A malformed page is retried by the activity here: the keyset cannot move past a page it has not read.
      const result = await client.listOrders({
        page: cursor.page,
        perPage: request.pageSize,
        ...filter,
        modifiedAfter: cursor.after,
        orderby: 'modified',
        order: 'asc',
        fields: ORDER_FIELDS,
      });
      context.onPage();
      const skip = new Set(cursor.skipIds);
      rows.add(result.orders.filter((order) => !skip.has(order.id)));
      cursor = nextChangeCursor(cursor, result.orders, result.totalPages);
    }
    return { ...(await writeRows(db, context, rows)), next: cursor };
  },

  recordTable: { table: 'orders', key: 'id' },
  recordKeyField: 'id',

  async fetchByKeys(source, keys) {
    const client = new WooCommerceClient(source);
    const ids = keys.map(Number).filter((id) => Number.isInteger(id) && id > 0);
    const found: WooOrder[] = [];
    for (let start = 0; start < ids.length; start += WOO_MAX_PAGE_SIZE) {
      const include = ids.slice(start, start + WOO_MAX_PAGE_SIZE);
      const page = await client.listOrders({
        page: 1,
        perPage: WOO_MAX_PAGE_SIZE,
        include,
        status: WOO_ORDER_STATUSES.join(','),
        fields: ORDER_FIELDS,
      });
      found.push(...page.orders);
    }
    return found;
  },

  async writeRecords(db, _source, records, context) {
    return writeRows(db, context, new OrderRowsBuilder().add(records as WooOrder[]));
  },

  async reconcileWindow(db, source, window, context) {
    const client = new WooCommerceClient(source);
    const filter = windowFilter(window);
    let written = 0;
    for (let page = 1; ; page++) {
      const result = await client.listOrders({
        page,
        perPage: WOO_MAX_PAGE_SIZE,
        ...filter,
        status: 'trash',
        fields: ORDER_FIELDS,
      });
      await writeRows(db, context, new OrderRowsBuilder().add(result.orders));
      written += result.orders.length;
      if (page >= result.totalPages) return written;
    }
  },

  countSource: (source, window) => new WooCommerceClient(source).countOrders(windowFilter(window)),

  async countTarget(db, window) {
    const row = await db('orders')
      .where('date_created', '>=', window.from)
      .andWhere('date_created', '<', window.to)
      .andWhereNot('status', 'trash')
      .count<{ count: string }[]>({ count: '*' })
      .first();
    return Number(row?.count ?? 0);
  },
};
