import { MAX_MODIFY_DELAY_MS } from './order-generator.js';
import { lowerBound, type OrderStore } from './store.js';
import { integerParam, pagingParams } from './wordpress.js';

export interface OrderQuery {
  page: number;
  perPage: number;
  orderby: 'date' | 'id' | 'modified';
  order: 'asc' | 'desc';
  afterMs?: number;
  beforeMs?: number;
  modifiedAfterMs?: number;
  modifiedBeforeMs?: number;
  /** undefined means WooCommerce's "any": every status but trash. */
  statuses?: ReadonlySet<string>;
  /** Only these order ids (WooCommerce's `include`). */
  include?: readonly number[];
}

export type ParseResult = { ok: true; query: OrderQuery } | { ok: false; params: Record<string, string> };

const ORDER_STATUSES = [
  'pending',
  'processing',
  'on-hold',
  'completed',
  'cancelled',
  'refunded',
  'failed',
  'trash',
];

function parseDate(value: string): number | undefined {
  // WordPress accepts RFC 3339 with or without an offset; the emulated site's timezone is UTC.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/.test(value)) return undefined;
  const ms = Date.parse(/(Z|[+-]\d{2}:\d{2})$/.test(value) ? value : `${value}Z`);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Validates the query string as WordPress does: every bad parameter is named in one 400 answer. */
export function parseOrderQuery(params: URLSearchParams): ParseResult {
  const problems: Record<string, string> = {};
  const { page, perPage } = pagingParams(params, problems);
  const orderby = params.get('orderby') ?? 'date';
  if (!['date', 'id', 'modified'].includes(orderby))
    problems.orderby = 'orderby is not one of date, id, include, title, slug, modified';
  const order = params.get('order') ?? 'desc';
  if (!['asc', 'desc'].includes(order)) problems.order = 'order is not one of asc, desc';
  const dates: Record<string, number | undefined> = {};
  for (const name of ['after', 'before', 'modified_after', 'modified_before']) {
    const raw = params.get(name);
    if (raw === null) continue;
    dates[name] = parseDate(raw);
    if (dates[name] === undefined) problems[name] = 'Invalid date.';
  }
  let statuses: Set<string> | undefined;
  const rawStatus = params.get('status');
  if (rawStatus !== null && rawStatus !== 'any') {
    statuses = new Set(rawStatus.split(','));
    const unknown = [...statuses].filter((status) => !ORDER_STATUSES.includes(status));
    if (unknown.length > 0) problems.status = `status[0] is not one of any, ${ORDER_STATUSES.join(', ')}`;
  }
  const rawInclude = params.get('include');
  const include = rawInclude?.split(',').map(integerParam);
  if (include?.some((id) => id === undefined)) problems.include = 'include[0] is not of type integer.';
  if (Object.keys(problems).length > 0) return { ok: false, params: problems };
  return {
    ok: true,
    query: {
      page,
      perPage,
      orderby: orderby as OrderQuery['orderby'],
      order: order as OrderQuery['order'],
      afterMs: dates.after,
      beforeMs: dates.before,
      modifiedAfterMs: dates.modified_after,
      modifiedBeforeMs: dates.modified_before,
      statuses,
      include: include as number[] | undefined,
    },
  };
}

export interface OrderPage {
  total: number;
  indices: number[];
}

/** First index in [lo, hi) whose creation time satisfies the predicate, which must be monotone. */
function firstCreated(store: OrderStore, lo: number, hi: number, predicate: (ms: number) => boolean): number {
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (predicate(store.createdMs(mid))) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Creation times never decrease with the index, so the date_created filters are an index range. */
function createdRange(store: OrderStore, query: OrderQuery): [number, number] {
  let lo = 0;
  let hi = store.size;
  if (query.afterMs !== undefined) {
    const after = query.afterMs;
    lo = firstCreated(store, lo, hi, (ms) => ms > after);
  }
  if (query.beforeMs !== undefined) {
    const before = query.beforeMs;
    hi = firstCreated(store, lo, hi, (ms) => ms >= before);
  }
  return [lo, hi];
}

/**
 * Answers a list request. The common case (date_created filters, any status, ordered by date or id) is
 * answered in O(log n + trashed + page) whatever the page number; status and modified filters scan only the
 * index range that can match.
 */
export function runOrderQuery(store: OrderStore, query: OrderQuery): OrderPage {
  const [lo, hi] = createdRange(store, query);
  const offset = (query.page - 1) * query.perPage;
  if (query.include) return includedPage(store, lo, hi, offset, query, query.include);
  const needsScan =
    query.statuses !== undefined ||
    query.orderby === 'modified' ||
    query.modifiedAfterMs !== undefined ||
    query.modifiedBeforeMs !== undefined;
  if (!needsScan) return rangePage(store, lo, hi, offset, query);
  return scanPage(store, lo, hi, offset, query);
}

/** The listed ids that exist and pass the other filters, in the requested order. */
function includedPage(
  store: OrderStore,
  lo: number,
  hi: number,
  offset: number,
  query: OrderQuery,
  include: readonly number[],
): OrderPage {
  const direction = query.order === 'asc' ? 1 : -1;
  const indices = [...new Set(include.map((id) => id - 1))]
    .filter((index) => index >= lo && index < hi && index < store.size && matchesOrder(store, query, index))
    .sort((a, b) => direction * (a - b));
  return { total: indices.length, indices: indices.slice(offset, offset + query.perPage) };
}

function matchesOrder(store: OrderStore, query: OrderQuery, index: number): boolean {
  const state = store.state(index);
  if (query.statuses ? !query.statuses.has(state.status) : state.status === 'trash') return false;
  if (query.modifiedAfterMs !== undefined && !(state.modifiedMs > query.modifiedAfterMs)) return false;
  if (query.modifiedBeforeMs !== undefined && !(state.modifiedMs < query.modifiedBeforeMs)) return false;
  return true;
}

function rangePage(store: OrderStore, lo: number, hi: number, offset: number, query: OrderQuery): OrderPage {
  const trashed = store.trashed;
  const trashedInRange = lowerBound(trashed, hi) - lowerBound(trashed, lo);
  const total = hi - lo - trashedInRange;
  const indices: number[] = [];
  if (offset >= total) return { total, indices };
  // Walk to the offset-th live index, stepping over trashed ones.
  if (query.order === 'asc') {
    let index = lo + offset;
    for (let t = lowerBound(trashed, lo); t < trashed.length && (trashed[t] as number) <= index; t++) index++;
    for (; index < hi && indices.length < query.perPage; index++)
      if (!store.isTrashed(index)) indices.push(index);
  } else {
    let index = hi - 1 - offset;
    for (let t = lowerBound(trashed, hi) - 1; t >= 0 && (trashed[t] as number) >= index; t--) index--;
    for (; index >= lo && indices.length < query.perPage; index--)
      if (!store.isTrashed(index)) indices.push(index);
  }
  return { total, indices };
}

function scanPage(store: OrderStore, lo: number, hi: number, offset: number, query: OrderQuery): OrderPage {
  let scanLo = lo;
  let scanHi = hi;
  // An unrevised order is modified within MAX_MODIFY_DELAY_MS of its creation: narrow the scan by that.
  if (query.modifiedAfterMs !== undefined) {
    const bound = query.modifiedAfterMs - MAX_MODIFY_DELAY_MS;
    scanLo = firstCreated(store, scanLo, scanHi, (ms) => ms > bound);
  }
  if (query.modifiedBeforeMs !== undefined) {
    const bound = query.modifiedBeforeMs;
    scanHi = firstCreated(store, scanLo, scanHi, (ms) => ms >= bound);
  }
  const matches = (index: number) => matchesOrder(store, query, index);
  const candidates = new Set<number>();
  for (const index of store.revisedIndices())
    if (index >= lo && index < hi && (index < scanLo || index >= scanHi)) candidates.add(index);

  if (query.orderby === 'modified') {
    const found: { index: number; modifiedMs: number }[] = [];
    const consider = (index: number) => {
      if (matches(index)) found.push({ index, modifiedMs: store.state(index).modifiedMs });
    };
    for (let index = scanLo; index < scanHi; index++) consider(index);
    for (const index of candidates) consider(index);
    const direction = query.order === 'asc' ? 1 : -1;
    found.sort((a, b) => direction * (a.modifiedMs - b.modifiedMs || a.index - b.index));
    return {
      total: found.length,
      indices: found.slice(offset, offset + query.perPage).map((entry) => entry.index),
    };
  }

  let total = 0;
  const indices: number[] = [];
  for (const index of mergedIndices(scanLo, scanHi, [...candidates], query.order)) {
    if (!matches(index)) continue;
    if (total >= offset && indices.length < query.perPage) indices.push(index);
    total++;
  }
  return { total, indices };
}

/** The indices of [lo, hi) and the extra ones, in order, without materialising the range. */
function* mergedIndices(lo: number, hi: number, extra: number[], order: 'asc' | 'desc'): Generator<number> {
  const ascending = order === 'asc';
  extra.sort((a, b) => (ascending ? a - b : b - a));
  let e = 0;
  const step = ascending ? 1 : -1;
  for (let index = ascending ? lo : hi - 1; ascending ? index < hi : index >= lo; index += step) {
    while (e < extra.length && (ascending ? (extra[e] as number) < index : (extra[e] as number) > index))
      yield extra[e++] as number;
    yield index;
  }
  while (e < extra.length) yield extra[e++] as number;
}
