import { filterFields, matchesFilter, ODataFilterError, parseFilter } from './odata-filter.js';

/** A request the Service Layer refuses, with its message. */
export class ODataQueryError extends Error {
  override readonly name = 'ODataQueryError';
}

/** SAP's page size when the client does not ask for one (Prefer: odata.maxpagesize). */
export const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 10_000;

export interface ODataPage<T> {
  value: Partial<T>[];
  /** Relative to the collection's parent, as SAP writes it: `Orders?$skip=20&…`; absent on the last page. */
  nextLink?: string;
  pageSize: number;
}

function checkFields(fields: readonly string[], known: ReadonlySet<string>, entity: string): void {
  for (const field of fields) {
    if (!known.has(field)) throw new ODataQueryError(`Property '${field}' of '${entity}' is invalid`);
  }
}

/** The page size a `Prefer: odata.maxpagesize=N` header asks for. */
export function preferredPageSize(prefer: string | undefined): number {
  const match = /odata\.maxpagesize=(\d+)/.exec(prefer ?? '');
  if (!match) return DEFAULT_PAGE_SIZE;
  return Math.min(MAX_PAGE_SIZE, Math.max(1, Number(match[1])));
}

function applyFilter<T extends object>(
  records: readonly T[],
  filter: string | null,
  known: ReadonlySet<string>,
  entity: string,
): readonly T[] {
  if (!filter) return records;
  let tree: ReturnType<typeof parseFilter>;
  try {
    tree = parseFilter(filter);
  } catch (error) {
    if (error instanceof ODataFilterError) throw new ODataQueryError(`Invalid $filter: ${error.message}`);
    throw error;
  }
  checkFields(filterFields(tree), known, entity);
  return records.filter((row) => matchesFilter(tree, row as Record<string, unknown>));
}

/** `Collection/$count?$filter=…`: how many records match. */
export function countCollection<T extends object>(
  records: readonly T[],
  params: URLSearchParams,
  options: { entity: string; known: ReadonlySet<string> },
): number {
  return applyFilter(records, params.get('$filter'), options.known, options.entity).length;
}

/**
 * Runs $filter, $orderby, $skip, $top and $select over a collection and cuts one page from it. The next
 * page's link repeats the query with $skip moved on, so following links reads every record once.
 */
export function queryCollection<T extends object>(
  records: readonly T[],
  params: URLSearchParams,
  options: { collection: string; entity: string; known: ReadonlySet<string>; pageSize: number },
): ODataPage<T> {
  const { known, entity } = options;
  let rows = applyFilter(records, params.get('$filter'), known, entity);
  const orderby = params.get('$orderby');
  if (orderby) {
    const keys = orderby.split(',').map((part) => {
      const [field = '', direction = 'asc', ...rest] = part.trim().split(/\s+/);
      if (rest.length > 0 || !['asc', 'desc'].includes(direction.toLowerCase())) {
        throw new ODataQueryError(`Invalid $orderby: '${part.trim()}'`);
      }
      return { field, sign: direction.toLowerCase() === 'desc' ? -1 : 1 };
    });
    checkFields(
      keys.map((key) => key.field),
      known,
      entity,
    );
    rows = [...rows].sort((a, b) => {
      for (const { field, sign } of keys) {
        const x = (a as Record<string, unknown>)[field] as string | number;
        const y = (b as Record<string, unknown>)[field] as string | number;
        if (x < y) return -sign;
        if (x > y) return sign;
      }
      return 0;
    });
  }
  const whole = (name: string): number | undefined => {
    const raw = params.get(name);
    if (raw === null) return undefined;
    if (!/^\d+$/.test(raw)) throw new ODataQueryError(`Invalid ${name}: '${raw}' is not a whole number`);
    return Number(raw);
  };
  const skip = whole('$skip') ?? 0;
  const top = whole('$top');
  const end = top === undefined ? rows.length : Math.min(rows.length, skip + top);
  const pageEnd = Math.min(end, skip + options.pageSize);
  const page = rows.slice(skip, pageEnd);

  const select = params.get('$select');
  const fields = select ? select.split(',').map((field) => field.trim()) : undefined;
  if (fields) checkFields(fields, known, entity);
  const value = fields
    ? page.map((row) =>
        Object.fromEntries(fields.map((field) => [field, (row as Record<string, unknown>)[field]])),
      )
    : page;

  let nextLink: string | undefined;
  if (pageEnd < end) {
    const next = new URLSearchParams(params);
    next.set('$skip', String(pageEnd));
    if (top !== undefined) next.set('$top', String(end - pageEnd));
    nextLink = `${options.collection}?${next.toString()}`;
  }
  return { value: value as Partial<T>[], nextLink, pageSize: options.pageSize };
}
