import { MalformedPageError } from '../../connectors/errors.js';
import { readJson } from '../../connectors/http.js';
import { type Cursor, FIRST_PAGE } from '../../migrations/types.js';
import { valueAt } from '../records/field-path.js';
import type { Paginator } from './paginate.js';
import type { RestClient } from './rest-api.js';

export type Params = Record<string, string>;

/** A collection of records at the source: where it is, how its pages come, and how its records are found. */
export interface Listing {
  path: string;
  /** GET unless the source lists with a POST (a search API), whose body is `body` and the paginator's parts. */
  method?: 'GET' | 'POST';
  /** A POST listing's body, sent with every page. */
  body?: Record<string, unknown>;
  /** Sent with every page; the listing's order must put records created later on later pages. */
  params?: Params;
  /** Where the records are in a page's body (`value`, `items`); the body itself when not given. */
  records?: string;
  paginate: Paginator;
  /** The query parameter that names the fields to send (`_fields`, `$select`); ferry sends those it reads. */
  fieldsParam?: string;
  /** Fields to ask for beyond those the columns read (what a record schema or a detail path reads). */
  fields?: readonly string[];
  /**
   * Whether a page asked for by its number that stays malformed is recorded and skipped (the default), or left
   * to the activity's retry: a listing whose pages shift while it is read (SAP's `$skip` over a live company)
   * has no stable page to record.
   */
  skipFailedPages?: boolean;
  /**
   * How two values of one parameter set by different parts are combined (OData's `$filter`: both conditions);
   * otherwise the later part's value wins.
   */
  combine?: Readonly<Record<string, (first: string, second: string) => string>>;
}

/** Parameters of several parts, combined as the listing says. */
export function mergeParams(listing: Listing, ...parts: (Params | undefined)[]): Params {
  const merged: Params = {};
  for (const part of parts) {
    for (const [name, value] of Object.entries(part ?? {})) {
      const combine = listing.combine?.[name];
      merged[name] = combine && name in merged ? combine(merged[name] as string, value) : value;
    }
  }
  return merged;
}

/**
 * Parts of a POST body merged in order: objects field by field, lists joined (a search's conditions from the
 * listing, the run and the paginator all apply), anything else the later part's.
 */
export function mergeBodies(...parts: (Record<string, unknown> | undefined)[]): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  for (const part of parts) {
    for (const [name, value] of Object.entries(part ?? {})) {
      const earlier = merged[name];
      if (Array.isArray(earlier) && Array.isArray(value)) merged[name] = [...earlier, ...value];
      else if (isObject(earlier) && isObject(value)) merged[name] = mergeBodies(earlier, value);
      else merged[name] = value;
    }
  }
  return merged;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export interface ListedPage {
  records: unknown[];
  /** Where the listing goes on, or null after its last page. */
  next: Cursor | null;
  /** Records over all pages, when the source says. */
  total?: number;
}

/**
 * The page of the listing at `cursor`, with these parameters; a page whose body is not a list is malformed. A
 * link the source handed out is followed as it is: it already carries the listing's parameters.
 */
export async function fetchPage(
  client: RestClient,
  listing: Listing,
  request: {
    cursor: Cursor;
    size: number;
    params?: Params;
    /** A POST listing's body parts for this read (a run's own search conditions). */
    body?: Record<string, unknown>;
    fields?: readonly string[];
  },
): Promise<ListedPage> {
  const paging = listing.paginate.request(request.cursor, request.size);
  const fields =
    listing.fieldsParam && request.fields ? { [listing.fieldsParam]: request.fields.join(',') } : undefined;
  const response = paging.link
    ? await client.get(paging.link, {}, paging.headers)
    : await client.request(listing.method ?? 'GET', listing.path, {
        params: mergeParams(listing, listing.params, request.params, paging.params, fields),
        ...(paging.headers ? { headers: paging.headers } : {}),
        ...(listing.method === 'POST' ? { body: mergeBodies(listing.body, request.body, paging.body) } : {}),
      });
  const what = `${listing.path} page ${request.cursor.page}`;
  const body = readJson<unknown>(response, what);
  const records = listing.records ? valueAt(body, body, listing.records) : body;
  if (!Array.isArray(records)) throw new MalformedPageError(`${what} has no list of records`);
  const { next, total } = listing.paginate.read(
    { headers: response.headers, body, records },
    request.cursor,
    request.size,
  );
  return { records, next: records.length > 0 ? next : null, ...(total === undefined ? {} : { total }) };
}

/** Every page of the listing with these parameters, one after the other. */
export async function* allPages(
  client: RestClient,
  listing: Listing,
  request: { size: number; params?: Params; fields?: readonly string[] },
): AsyncGenerator<unknown[]> {
  for (let cursor: Cursor | null = FIRST_PAGE; cursor; ) {
    const result: ListedPage = await fetchPage(client, listing, { ...request, cursor });
    yield result.records;
    cursor = result.next;
  }
}
