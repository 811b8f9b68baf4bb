import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { WooConnection } from '../../../connectors/connection.js';
import { listen, type RunningHttpServer, readJsonBody, sendJson } from '../http.js';
import {
  commonEmulatorOptions,
  type EmulatorStats,
  EmulatorTraffic,
  invalidControlBody,
} from '../transport.js';
import { WooAuthenticator } from './auth.js';
import { generateCustomer } from './customer-generator.js';
import { CustomerCatalog, parseCustomerQuery } from './customer-query.js';
import { parseFields, pickFields } from './fields.js';
import { collectionHeaders } from './links.js';
import { parseOrderQuery, runOrderQuery } from './order-query.js';
import { OrderStore } from './store.js';
import { wordpressJson } from './wordpress.js';

export const wooEmulatorOptionsSchema = z.object({
  seed: z.number().int().default(42),
  orders: z.number().int().min(0).max(100_000_000).default(1000),
  startDate: z.iso.datetime().default('2019-01-01T00:00:00Z'),
  endDate: z.iso.datetime().default('2025-12-31T23:59:59Z'),
  consumerKey: z.string().min(1).default('ck_ferry_dev'),
  consumerSecret: z.string().min(1).default('cs_ferry_dev'),
  /** Answer as a store served over https: Basic auth is accepted (over http WooCommerce takes only OAuth 1.0a). */
  ssl: z.boolean().default(false),
  ...commonEmulatorOptions,
});
export type WooEmulatorOptions = z.input<typeof wooEmulatorOptionsSchema>;

export interface WooEmulator {
  baseUrl: string;
  /** The WooCommerce site URL a client is configured with (the REST API lives under /wp-json/wc/v3). */
  siteUrl: string;
  controlUrl: string;
  consumerKey: string;
  consumerSecret: string;
  /** How a ferry connection reaches this store. */
  connection: WooConnection;
  store: OrderStore;
  stats: EmulatorStats;
  close(): Promise<void>;
}

const API = '/wp-json/wc/v3';

function wooError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  extra: object = {},
): void {
  sendJson(res, status, { code, message, data: { status, ...extra } }, {}, wordpressJson);
}

/** A body of the REST API, written as WordPress writes it. */
function sendApiJson(res: ServerResponse, body: unknown): void {
  sendJson(res, 200, body, {}, wordpressJson);
}

/** WordPress's 400 for bad query parameters: every one named, with what is wrong with it. */
function invalidParams(res: ServerResponse, params: Record<string, string>): void {
  wooError(res, 400, 'rest_invalid_param', `Invalid parameter(s): ${Object.keys(params).join(', ')}`, {
    params,
  });
}

/** The consumer a request claims to be, before it is checked: the rate limit counts per consumer. */
function claimedConsumer(req: IncomingMessage, url: URL): string | undefined {
  const header = req.headers.authorization;
  const basic = header?.startsWith('Basic ')
    ? Buffer.from(header.slice(6), 'base64').toString('utf8').split(':')[0]
    : undefined;
  const oauthHeader = header?.startsWith('OAuth ')
    ? /oauth_consumer_key="?([^",]*)/.exec(header)?.[1]
    : undefined;
  return (
    url.searchParams.get('oauth_consumer_key') ?? url.searchParams.get('consumer_key') ?? basic ?? oauthHeader
  );
}

/** A WooCommerce REST API v3 (orders) served over real HTTP, with a control API under /__emulator. */
export async function startWooEmulator(input: WooEmulatorOptions = {}): Promise<WooEmulator> {
  const options = wooEmulatorOptionsSchema.parse(input);
  const startMs = Date.parse(options.startDate);
  const endMs = Date.parse(options.endDate);
  if (!(endMs > startMs)) throw new Error('WooCommerce emulator: endDate must be after startDate');
  const store = new OrderStore({ seed: options.seed, baseCount: options.orders, startMs, endMs });
  const traffic = new EmulatorTraffic(
    options,
    {
      serverError: (res, status) =>
        sendJson(
          res,
          status,
          { code: 'internal_server_error', message: 'Emulated server error' },
          {},
          wordpressJson,
        ),
      tooManyRequests: (res) =>
        wooError(
          res,
          429,
          'woocommerce_rest_too_many_requests',
          'Too many requests. Please wait and try again.',
        ),
      encode: wordpressJson,
    },
    (faults) => {
      store.malformedRecordRate = faults.malformedRecordRate;
    },
  );

  const handleControl = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const path = url.pathname.slice('/__emulator'.length);
    if (path === '/health') return sendJson(res, 200, { ok: true, orders: store.size });
    if (await traffic.control(req, res, path)) return;
    if (path === '/orders' && req.method === 'POST') {
      const parsed = z
        .object({ count: z.number().int().min(1).max(100_000) })
        .safeParse(await readJsonBody(req));
      if (!parsed.success) return invalidControlBody(res, parsed.error);
      return sendJson(res, 201, { ids: store.create(parsed.data.count) });
    }
    const mutation = /^\/orders\/(\d+)\/(modify|trash)$/.exec(path);
    if (mutation && req.method === 'POST') {
      const id = Number(mutation[1]);
      const order = mutation[2] === 'modify' ? store.modify(id) : store.trash(id);
      return order ? sendJson(res, 200, order) : sendJson(res, 404, { message: `No order ${id}` });
    }
    return sendJson(res, 404, { message: `Unknown control route ${req.method} ${url.pathname}` });
  };

  const customers = new CustomerCatalog(store.shape);
  const customersRoute = (res: ServerResponse, url: URL, resource: string) => {
    const fields = parseFields(url.searchParams.get('_fields'));
    const shaped = (index: number) => {
      const customer = generateCustomer(store.shape, index, `${siteUrl}${API}`);
      return fields ? pickFields(customer as unknown as Record<string, unknown>, fields) : customer;
    };
    const single = /^\/customers\/(\d+)$/.exec(resource);
    if (single) {
      const index = Number(single[1]) - 1;
      if (!customers.exists(index)) {
        return wooError(res, 404, 'woocommerce_rest_invalid_id', 'Invalid resource ID.');
      }
      return sendApiJson(res, shaped(index));
    }
    if (resource !== '/customers') {
      return wooError(res, 404, 'rest_no_route', 'No route was found matching the URL and request method.');
    }
    const parsed = parseCustomerQuery(url.searchParams);
    if (!parsed.ok) return invalidParams(res, parsed.params);
    const { query } = parsed;
    const page = customers.run(query);
    // With an offset, WooCommerce's links count pages from it: ceil(offset / per_page + 1).
    const current = query.offset === undefined ? query.page : Math.ceil(query.offset / query.perPage + 1);
    const headers = collectionHeaders(`${siteUrl}${API}/customers`, url.searchParams, {
      current,
      perPage: query.perPage,
      total: page.total,
    });
    traffic.sendPage(res, page.indices.map(shaped), headers, []);
  };

  const handleApi = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const key = claimedConsumer(req, url) ?? req.socket.remoteAddress ?? 'anonymous';
    if (await traffic.intercept(req, res, key)) return;
    const auth = authenticator.authenticate(req, url);
    if (auth.kind === 'anonymous') {
      return wooError(res, 401, 'woocommerce_rest_cannot_view', 'Sorry, you cannot list resources.');
    }
    if (auth.kind === 'refused') return wooError(res, 401, auth.code, auth.message);
    if (req.method !== 'GET') {
      return wooError(res, 405, 'rest_no_route', 'No route was found matching the URL and request method.');
    }

    const resource = url.pathname.slice(API.length);
    if (resource === '/customers' || resource.startsWith('/customers/'))
      return customersRoute(res, url, resource);
    const single = /^\/orders\/(\d+)$/.exec(resource);
    if (single) {
      const index = Number(single[1]) - 1;
      if (!store.exists(index))
        return wooError(res, 404, 'woocommerce_rest_shop_order_invalid_id', 'Invalid ID.');
      const fields = parseFields(url.searchParams.get('_fields'));
      const order = store.order(index);
      return sendApiJson(
        res,
        fields ? pickFields(order as unknown as Record<string, unknown>, fields) : order,
      );
    }
    if (url.pathname !== `${API}/orders`) {
      return wooError(res, 404, 'rest_no_route', 'No route was found matching the URL and request method.');
    }
    const parsed = parseOrderQuery(url.searchParams);
    if (!parsed.ok) return invalidParams(res, parsed.params);
    const page = runOrderQuery(store, parsed.query);
    const headers = collectionHeaders(`${siteUrl}${API}/orders`, url.searchParams, {
      current: parsed.query.page,
      perPage: parsed.query.perPage,
      total: page.total,
    });
    const fields = parseFields(url.searchParams.get('_fields'));
    const body = page.indices.map((index) => {
      const order = store.order(index);
      return fields ? pickFields(order as unknown as Record<string, unknown>, fields) : order;
    });
    traffic.sendPage(
      res,
      body,
      headers,
      page.indices.map((index) => index + 1),
    );
  };

  // Known once the server listens: the store's home URL, which links and OAuth base strings use.
  let siteUrl = '';
  let authenticator: WooAuthenticator;
  const server: RunningHttpServer = await listen(
    (req, res, url) => {
      if (url.pathname.startsWith('/__emulator/')) return handleControl(req, res, url);
      if (url.pathname.startsWith(`${API}/`)) return handleApi(req, res, url);
      return wooError(res, 404, 'rest_no_route', 'No route was found matching the URL and request method.');
    },
    options.port,
    options.host,
  );
  siteUrl = server.baseUrl;
  authenticator = new WooAuthenticator({ ...options, homeUrl: siteUrl });

  return {
    baseUrl: `${server.baseUrl}${API}`,
    siteUrl: server.baseUrl,
    controlUrl: `${server.baseUrl}/__emulator`,
    consumerKey: options.consumerKey,
    consumerSecret: options.consumerSecret,
    connection: {
      kind: 'woocommerce',
      baseUrl: server.baseUrl,
      consumerKey: options.consumerKey,
      consumerSecret: options.consumerSecret,
    },
    store,
    stats: traffic.stats,
    close: server.close,
  };
}
