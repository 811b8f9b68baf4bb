import { auth } from '../../kit/source/auth.js';
import { allPages, type Listing } from '../../kit/source/listing.js';
import { odataNextLink, paginate } from '../../kit/source/paginate.js';
import { type RestClient, restApi } from '../../kit/source/rest-api.js';
import { sapConnection } from '../connection.js';
import { MalformedPageError } from '../errors.js';
import * as odata from './odata.js';
import { and, anyOf } from './odata.js';

/** SAP's code for a session that is missing or timed out: log in again. */
const SESSION_EXPIRED = 301;
/** Keys per request: about 1 KB of $filter, well inside the URL length SAP and proxies accept. */
const KEYS_PER_REQUEST = 40;

interface SapErrorBody {
  error?: { code?: number; message?: { value?: string } };
}

/**
 * SAP Business One's Service Layer: a session (the B1SESSION cookie) shared by the worker's activities on the
 * connection, logged in on first use and again when SAP says it timed out.
 */
const api = restApi({
  system: 'SAP',
  connection: sapConnection,
  auth: auth.session({
    login: (connection) => ({
      path: 'Login',
      body: { CompanyDB: connection.companyDb, UserName: connection.userName, Password: connection.password },
    }),
    token: (answer) => {
      const cookie = (answer.headers.get('set-cookie') ?? '').split(';')[0];
      return cookie?.startsWith('B1SESSION=') ? cookie : undefined;
    },
    apply: (attempt, cookie) => {
      attempt.headers.cookie = cookie;
    },
    expired: (status, body) => status === 401 && (body as SapErrorBody).error?.code === SESSION_EXPIRED,
    logout: { path: 'Logout' },
  }),
  errorMessage: (body) => (body as SapErrorBody | undefined)?.error?.message?.value,
  credentials: 'its company database, user and password',
});

/** An OData collection (`Orders`): `$skip` paging with the size in `Prefer`, `$select`, `$filter`s combined. */
const collection = (path: string): Listing => ({
  path,
  records: 'value',
  paginate: paginate.offsetLimit({
    offset: '$skip',
    sizeHeader: (size) => ({ prefer: `odata.maxpagesize=${size}` }),
    next: odataNextLink,
    maxSize: 100,
  }),
  fieldsParam: '$select',
  combine: { $filter: and },
  skipFailedPages: false,
});

/** How many records of a collection match the filter (`Collection/$count`). */
async function count(client: RestClient, path: string, params: Record<string, string>): Promise<number> {
  const text = (await client.get(`${path}/$count`, params)).text().trim();
  if (!/^\d+$/.test(text)) throw new MalformedPageError(`SAP ${path}/$count answered '${text.slice(0, 80)}'`);
  return Number(text);
}

/**
 * Records of a collection by key, many per request: a chunk's few hundred item codes take a handful of requests
 * instead of one each. Unknown keys are simply absent.
 */
async function byKeys<T>(
  client: RestClient,
  path: string,
  key: string,
  values: readonly (string | number)[],
  fields: readonly string[],
): Promise<T[]> {
  const found: T[] = [];
  for (let start = 0; start < values.length; start += KEYS_PER_REQUEST) {
    const params = { $filter: anyOf(key, values.slice(start, start + KEYS_PER_REQUEST)) };
    for await (const page of allPages(client, collection(path), { size: KEYS_PER_REQUEST, params, fields })) {
      found.push(...(page as T[]));
    }
  }
  return found;
}

/** SAP Business One's parts, for a migration of any of its document collections; `odata` builds query strings. */
export const sap = { api, collection, count, byKeys, keysPerRequest: KEYS_PER_REQUEST, odata };
