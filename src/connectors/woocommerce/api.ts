import { auth } from '../../kit/source/auth.js';
import type { Listing } from '../../kit/source/listing.js';
import { header, paginate } from '../../kit/source/paginate.js';
import { restApi } from '../../kit/source/rest-api.js';
import { woocommerceConnection } from '../connection.js';

/**
 * A WooCommerce store's REST API v3, as WooCommerce requires: Basic auth over https, one-legged OAuth 1.0a (a
 * signed query string, a new nonce per request) over plain http, where WooCommerce ignores Basic.
 */
const api = restApi({
  system: 'WooCommerce',
  connection: woocommerceConnection,
  root: (connection) => `${String(connection.baseUrl).replace(/\/$/, '')}/wp-json/wc/v3`,
  auth: auth.byScheme({
    https: auth.basic('consumerKey', 'consumerSecret'),
    http: auth.oauth1('consumerKey', 'consumerSecret'),
  }),
  errorMessage: (body) => (body as { message?: string } | undefined)?.message,
  credentials: 'its consumer key and secret',
});

/** WordPress's paging: `page` and `per_page` (100 at most), with X-WP-Total and X-WP-TotalPages. */
const pages = paginate.pageNumber({
  maxSize: 100,
  total: header('X-WP-Total'),
  totalPages: header('X-WP-TotalPages'),
});

/** A collection of the store (`orders`, `customers`), paged as WordPress pages and narrowed with `_fields`. */
const collection = (path: string): Listing => ({ path, paginate: pages, fieldsParam: '_fields' });

/** WooCommerce's parts, for a migration of any of its collections. */
export const woocommerce = { api, collection };
