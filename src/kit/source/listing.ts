import { MalformedPageError } from '../../connectors/errors.js';
import { readJson } from '../../connectors/http.js';
import { valueAt } from '../records/field-path.js';
import type { Paginator } from './paginate.js';
import type { RestClient } from './rest-api.js';

export type Params = Record<string, string>;

/** A collection of records at the source: where it is, how its pages come, and how its records are found. */
export interface Listing {
  path: string;
  /** Sent with every page; the listing's order must put records created later on later pages. */
  params?: Params;
  /** Where the records are in a page's body (`value`, `items`); the body itself when not given. */
  records?: string;
  paginate: Paginator;
  /** The query parameter that names the fields to send (`_fields`, `$select`); ferry sends those it reads. */
  fieldsParam?: string;
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

export interface ListedPage {
  records: unknown[];
  /** Whether the listing goes on after this page. */
  more: boolean;
  /** Records over all pages, when the source says. */
  total?: number;
}

/** Page `page` (from 1) of the listing with these parameters; a page whose body is not a list is malformed. */
export async function fetchPage(
  client: RestClient,
  listing: Listing,
  request: { page: number; size: number; params?: Params; fields?: readonly string[] },
): Promise<ListedPage> {
  const paging = listing.paginate.request(request.page, request.size);
  const fields =
    listing.fieldsParam && request.fields ? { [listing.fieldsParam]: request.fields.join(',') } : undefined;
  const response = await client.get(
    listing.path,
    mergeParams(listing, listing.params, request.params, paging.params, fields),
    paging.headers,
  );
  const body = await readJson<unknown>(response, `${listing.path} page ${request.page}`);
  const records = listing.records ? valueAt(body, body, listing.records) : body;
  if (!Array.isArray(records)) {
    throw new MalformedPageError(`${listing.path} page ${request.page} has no list of records`);
  }
  const { more, total } = listing.paginate.read(
    { headers: response.headers, body, records },
    request.page,
    request.size,
  );
  return { records, more, ...(total === undefined ? {} : { total }) };
}

/** Every page of the listing with these parameters, one after the other. */
export async function* allPages(
  client: RestClient,
  listing: Listing,
  request: { size: number; params?: Params; fields?: readonly string[] },
): AsyncGenerator<unknown[]> {
  for (let page = 1; ; page++) {
    const result = await fetchPage(client, listing, { ...request, page });
    yield result.records;
    if (!result.more || result.records.length === 0) return;
  }
}
