import { signOAuth1 } from '../auth/oauth1.js';
import type { WooConnection } from '../connection.js';
import { MalformedPageError, SourceAuthError } from '../errors.js';
import { connectionOfKind, readJson, sendRequest, throwUnlessOk } from '../http.js';
import type { Source } from '../source.js';
import type { WooOrder } from './order-shape.js';

const API_PATH = '/wp-json/wc/v3';
/** Every core order status, trash included: WooCommerce's "any" leaves trashed orders out. */
export const WOO_ORDER_STATUSES = [
  'pending',
  'processing',
  'on-hold',
  'completed',
  'cancelled',
  'refunded',
  'failed',
  'trash',
] as const;
export const WOO_MAX_PAGE_SIZE = 100;

export interface OrderPageRequest {
  page: number;
  perPage: number;
  /** Orders created strictly after this ISO instant. */
  after?: string;
  /** Orders created strictly before this ISO instant. */
  before?: string;
  /** Orders modified strictly after / before these ISO instants. */
  modifiedAfter?: string;
  modifiedBefore?: string;
  orderby?: 'date' | 'id' | 'modified';
  order?: 'asc' | 'desc';
  status?: string;
  /** Only these order ids. */
  include?: readonly number[];
  /** Only these fields of each order (WordPress's `_fields`): less for the store to send and for us to parse. */
  fields?: readonly string[];
}

export interface OrderPage {
  orders: WooOrder[];
  /** X-WP-Total: how many orders match the filters. */
  total: number;
  totalPages: number;
}

/**
 * Talks to one WooCommerce store's REST API v3 as WooCommerce requires: Basic auth over https, one-legged
 * OAuth 1.0a (a signed query string, a new nonce per request) over plain http, where WooCommerce ignores Basic.
 */
export class WooCommerceClient {
  private readonly connection: WooConnection;

  constructor(private readonly source: Source) {
    this.connection = connectionOfKind(source, 'woocommerce');
  }

  private async get(path: string, params: Record<string, string>): Promise<Response> {
    const url = new URL(`${this.connection.baseUrl.replace(/\/$/, '')}${API_PATH}${path}`);
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    const { consumerKey, consumerSecret } = this.connection;
    const overHttps = url.protocol === 'https:';
    const headers: Record<string, string> = { accept: 'application/json' };
    if (overHttps) {
      headers.authorization = `Basic ${Buffer.from(`${consumerKey}:${consumerSecret}`).toString('base64')}`;
    }
    const context = {
      system: 'WooCommerce',
      source: this.source,
      path: url.pathname,
      ...(overHttps
        ? {}
        : {
            authorize: (target: URL) =>
              signOAuth1('GET', target, { key: consumerKey, secret: consumerSecret }),
          }),
    };
    const response = await sendRequest(context, url, { headers });
    if (response.status === 401 || response.status === 403) {
      const body = (await response.json().catch(() => ({}))) as { message?: string };
      throw new SourceAuthError(
        `WooCommerce connection "${this.source.name}" was refused (${response.status}: ${body.message ?? 'no message'}); check its consumer key and secret`,
      );
    }
    await throwUnlessOk(response, context);
    return response;
  }

  private static totals(response: Response): { total: number; totalPages: number } {
    const total = Number(response.headers.get('x-wp-total'));
    const totalPages = Number(response.headers.get('x-wp-totalpages'));
    if (!Number.isFinite(total) || response.headers.get('x-wp-total') === null) {
      throw new MalformedPageError('WooCommerce sent no X-WP-Total header');
    }
    return { total, totalPages };
  }

  async listOrders(request: OrderPageRequest): Promise<OrderPage> {
    const params: Record<string, string> = {
      page: String(request.page),
      per_page: String(request.perPage),
      orderby: request.orderby ?? 'date',
      order: request.order ?? 'asc',
    };
    if (request.after) params.after = request.after;
    if (request.before) params.before = request.before;
    if (request.modifiedAfter) params.modified_after = request.modifiedAfter;
    if (request.modifiedBefore) params.modified_before = request.modifiedBefore;
    if (request.status) params.status = request.status;
    if (request.fields) params._fields = request.fields.join(',');
    if (request.include) params.include = request.include.join(',');
    const response = await this.get('/orders', params);
    const orders = await readJson<unknown>(response, `WooCommerce page ${request.page}`);
    if (!Array.isArray(orders))
      throw new MalformedPageError(`WooCommerce page ${request.page} is not a list`);
    return { orders: orders as WooOrder[], ...WooCommerceClient.totals(response) };
  }

  /** How many orders match the window, from X-WP-Total of a one-order page. */
  async countOrders(window: { after?: string; before?: string } = {}): Promise<number> {
    const response = await this.get('/orders', {
      per_page: '1',
      ...(window.after ? { after: window.after } : {}),
      ...(window.before ? { before: window.before } : {}),
    });
    await response.body?.cancel();
    return WooCommerceClient.totals(response).total;
  }
}
