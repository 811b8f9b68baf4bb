import { billingFor, customerCount, type StoreShape } from './order-generator.js';
import { integerParam, pagingParams } from './wordpress.js';

/** GET /customers as WooCommerce answers it (WC_REST_Customers_V1_Controller over WP_User_Query). */
export interface CustomerQuery {
  page: number;
  perPage: number;
  /** Skips this many instead of whole pages, when given and not 0 (WooCommerce ignores an empty offset). */
  offset?: number;
  order: 'asc' | 'desc';
  orderby: 'id' | 'include' | 'name' | 'registered_date';
  include?: readonly number[];
  exclude?: ReadonlySet<number>;
  email?: string;
  search?: string;
  /** 'customer' (the default) or 'all' find the store's customers; other roles find none here. */
  role: string;
}

export type CustomerParseResult =
  | { ok: true; query: CustomerQuery }
  | { ok: false; params: Record<string, string> };

const ROLES = [
  'all',
  'administrator',
  'editor',
  'author',
  'contributor',
  'subscriber',
  'customer',
  'shop_manager',
];
const ORDERBY = ['id', 'include', 'name', 'registered_date'];

function idList(raw: string | null): number[] | undefined | null {
  if (raw === null) return undefined;
  const ids = raw.split(',').map(integerParam);
  return ids.some((id) => id === undefined) ? null : (ids as number[]);
}

/** Validates the query string as WordPress does: every bad parameter is named in one 400 answer. */
export function parseCustomerQuery(params: URLSearchParams): CustomerParseResult {
  const problems: Record<string, string> = {};
  const { page, perPage } = pagingParams(params, problems);
  const rawOffset = params.get('offset');
  const offset = rawOffset === null ? undefined : integerParam(rawOffset);
  if (rawOffset !== null && offset === undefined) problems.offset = 'offset is not of type integer.';
  const order = params.get('order') ?? 'asc';
  if (order !== 'asc' && order !== 'desc') problems.order = 'order is not one of asc and desc.';
  const orderby = params.get('orderby') ?? 'name';
  if (!ORDERBY.includes(orderby)) problems.orderby = `orderby is not one of ${ORDERBY.join(', ')}.`;
  const role = params.get('role') ?? 'customer';
  if (!ROLES.includes(role)) problems.role = `role is not one of ${ROLES.join(', ')}.`;
  const include = idList(params.get('include'));
  if (include === null) problems.include = 'include[0] is not of type integer.';
  const exclude = idList(params.get('exclude'));
  if (exclude === null) problems.exclude = 'exclude[0] is not of type integer.';
  if (Object.keys(problems).length > 0) return { ok: false, params: problems };
  return {
    ok: true,
    query: {
      page,
      perPage,
      ...(offset ? { offset } : {}),
      order: order as CustomerQuery['order'],
      orderby: orderby as CustomerQuery['orderby'],
      ...(include ? { include } : {}),
      ...(exclude ? { exclude: new Set(exclude) } : {}),
      ...(params.get('email') ? { email: params.get('email') as string } : {}),
      ...(params.get('search') ? { search: params.get('search') as string } : {}),
      role,
    },
  };
}

/** What search and the name order read of a customer, without generating the whole record. */
function profileOf(shape: StoreShape, index: number) {
  const billing = billingFor(shape, index, index);
  return { name: `${billing.first_name} ${billing.last_name}`, email: billing.email };
}

/**
 * The customers of a store generated from its shape, in O(1) memory but for the name order (WooCommerce's
 * default), which keeps one sorted index of 4 bytes per customer once it is asked for.
 */
export class CustomerCatalog {
  readonly count: number;
  private byName: Uint32Array | undefined;

  constructor(readonly shape: StoreShape) {
    this.count = customerCount(shape);
  }

  private nameOrder(): Uint32Array {
    if (!this.byName) {
      const names = Array.from({ length: this.count }, (_, index) => profileOf(this.shape, index).name);
      const order = Uint32Array.from({ length: this.count }, (_, index) => index);
      // MySQL's collation, as WordPress sorts display names: case and accents aside; ties keep id order.
      const collator = new Intl.Collator('en', { sensitivity: 'base' });
      order.sort((a, b) => collator.compare(names[a] as string, names[b] as string) || a - b);
      this.byName = order;
    }
    return this.byName;
  }

  exists(index: number): boolean {
    return Number.isInteger(index) && index >= 0 && index < this.count;
  }

  /** The page's customer indices (id - 1) and how many customers match in all. */
  run(query: CustomerQuery): { total: number; indices: number[] } {
    const skip = query.offset ?? (query.page - 1) * query.perPage;
    const none = { total: 0, indices: [] };
    if (query.role !== 'customer' && query.role !== 'all') return none;
    const filtered = query.include || query.exclude || query.email || query.search;
    if (!filtered && query.orderby !== 'name') {
      // Registration follows id order, so both orders are index arithmetic.
      const indices: number[] = [];
      for (let n = skip; n < Math.min(this.count, skip + query.perPage); n++) {
        indices.push(query.order === 'asc' ? n : this.count - 1 - n);
      }
      return { total: this.count, indices };
    }
    let matching: number[] =
      query.orderby === 'name'
        ? Array.from(this.nameOrder())
        : query.include && query.orderby === 'include'
          ? query.include.map((id) => id - 1)
          : Array.from({ length: this.count }, (_, index) => index);
    if (query.include) {
      const wanted = new Set(query.include.map((id) => id - 1));
      matching = matching.filter((index) => wanted.has(index) && this.exists(index));
    }
    if (query.exclude) matching = matching.filter((index) => !query.exclude?.has(index + 1));
    if (query.email) {
      const email = query.email.toLowerCase();
      matching = matching.filter((index) => profileOf(this.shape, index).email === email);
    } else if (query.search) {
      const term = query.search.toLowerCase();
      matching = matching.filter((index) => {
        const { name, email } = profileOf(this.shape, index);
        return name.toLowerCase().includes(term) || email.includes(term);
      });
    }
    if (query.order === 'desc') matching.reverse();
    return { total: matching.length, indices: matching.slice(skip, skip + query.perPage) };
  }
}
