import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { SapConnection } from '../../../connectors/connection.js';
import { listen, readJsonBody, sendJson } from '../http.js';
import {
  commonEmulatorOptions,
  type EmulatorStats,
  EmulatorTraffic,
  invalidControlBody,
} from '../transport.js';
import { generateItem, generateManufacturer, ITEMS, itemCode, MANUFACTURERS } from './order-generator.js';
import { countCollection, ODataQueryError, preferredPageSize, queryCollection } from './order-query.js';
import { type OrderChange, SapOrderStore } from './store.js';

export const sapEmulatorOptionsSchema = z.object({
  seed: z.number().int().default(7),
  orders: z.number().int().min(0).max(500_000).default(2000),
  startDate: z.iso.datetime().default('2024-01-01T00:00:00Z'),
  /** Base orders are placed up to this instant; by default the emulator's start, so recent orders are open. */
  endDate: z.iso.datetime().optional(),
  companyDb: z.string().min(1).default('FERRY_DEV'),
  userName: z.string().min(1).default('manager'),
  password: z.string().min(1).default('ferry-dev'),
  /** A session unused for this long expires (SAP's default is 30 minutes). */
  sessionIdleMs: z
    .number()
    .int()
    .min(1)
    .default(30 * 60 * 1000),
  ...commonEmulatorOptions,
});
export type SapEmulatorOptions = z.input<typeof sapEmulatorOptionsSchema>;

export interface SapEmulator {
  /** The Service Layer's root, e.g. http://127.0.0.1:50000/b1s/v1 */
  serviceUrl: string;
  controlUrl: string;
  credentials: { companyDb: string; userName: string; password: string };
  /** How a ferry connection reaches this company. */
  connection: SapConnection;
  store: SapOrderStore;
  stats: EmulatorStats & { logins: number; expiredSessions: number };
  close(): Promise<void>;
}

const ROOT = '/b1s/v1';
const ORDER_FIELDS = new Set([
  'DocEntry',
  'DocNum',
  'CardCode',
  'CardName',
  'DocDate',
  'DocDueDate',
  'DocTotal',
  'DocCurrency',
  'DocumentStatus',
  'Comments',
  'UpdateDate',
  'UpdateTime',
  'DocumentLines',
]);

/** SAP's error body: a numeric code and a message in a language. */
function sapError(res: ServerResponse, status: number, code: number, message: string): void {
  sendJson(res, status, { error: { code, message: { lang: 'en-us', value: message } } });
}

function cookieOf(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

/**
 * SAP Business One's Service Layer (sales orders, items, manufacturers) over real HTTP: session login with a
 * B1SESSION cookie that expires when idle, OData v3 queries with server-driven paging, and a control API
 * under /__emulator to change orders, expire sessions, and switch on faults and a rate limit.
 */
export async function startSapEmulator(input: SapEmulatorOptions = {}): Promise<SapEmulator> {
  const options = sapEmulatorOptionsSchema.parse(input);
  const startMs = Date.parse(options.startDate);
  const endMs = options.endDate ? Date.parse(options.endDate) : Date.now();
  if (!(endMs > startMs)) throw new Error('SAP emulator: endDate must be after startDate');
  const store = new SapOrderStore({ seed: options.seed, baseCount: options.orders, startMs, endMs });
  let sessionIdleMs = options.sessionIdleMs;
  const traffic = new EmulatorTraffic(options, {
    serverError: (res, status) => sapError(res, status, -5002, 'Emulated server error'),
    tooManyRequests: (res) => sapError(res, 429, -5003, 'Too many requests'),
  });
  // Served by /__emulator/stats with the traffic counts.
  const stats = Object.assign(traffic.stats, { logins: 0, expiredSessions: 0 });
  /** Session id → when it was last used. */
  const sessions = new Map<string, number>();

  const handleControl = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const path = url.pathname.slice('/__emulator'.length);
    if (path === '/health') return sendJson(res, 200, { ok: true, orders: store.size });
    if (await traffic.control(req, res, path)) return;
    const body = req.method === 'GET' ? {} : await readJsonBody(req);
    const invalid = (error: z.ZodError) => invalidControlBody(res, error);
    if (path === '/sessions/expire' && req.method === 'POST') {
      const expired = sessions.size;
      sessions.clear();
      return sendJson(res, 200, { expired });
    }
    if (path === '/session-timeout' && req.method === 'PUT') {
      const parsed = z.object({ idleMs: z.number().int().min(1) }).safeParse(body);
      if (!parsed.success) return invalid(parsed.error);
      sessionIdleMs = parsed.data.idleMs;
      return sendJson(res, 200, { idleMs: sessionIdleMs });
    }
    // `at` stamps the change at a given instant instead of now: an order exactly on a sync's watermark.
    const at = z.object({ at: z.iso.datetime().optional() });
    if (path === '/orders' && req.method === 'POST') {
      const parsed = at.extend({ count: z.number().int().min(1).max(100_000) }).safeParse(body);
      if (!parsed.success) return invalid(parsed.error);
      const atMs = parsed.data.at ? Date.parse(parsed.data.at) : undefined;
      return sendJson(res, 201, { docEntries: store.create(parsed.data.count, atMs) });
    }
    const change = /^\/orders\/(\d+)\/(edit-header|edit-line|remove-line|close)$/.exec(path);
    if (change && req.method === 'POST') {
      const parsed = at.safeParse(body);
      if (!parsed.success) return invalid(parsed.error);
      const atMs = parsed.data.at ? Date.parse(parsed.data.at) : undefined;
      const order = store.change(Number(change[1]), change[2] as OrderChange, atMs);
      return order
        ? sendJson(res, 200, order)
        : sendJson(res, 404, { message: `Order ${change[1]} does not exist or cannot take ${change[2]}` });
    }
    return sendJson(res, 404, { message: `Unknown control route ${req.method} ${url.pathname}` });
  };

  const login = async (req: IncomingMessage, res: ServerResponse) => {
    const parsed = z
      .object({ CompanyDB: z.string(), UserName: z.string(), Password: z.string() })
      .safeParse(await readJsonBody(req).catch(() => undefined));
    if (!parsed.success) return sapError(res, 400, -1000, 'Login needs CompanyDB, UserName and Password');
    const { CompanyDB, UserName, Password } = parsed.data;
    if (CompanyDB !== options.companyDb || UserName !== options.userName || Password !== options.password) {
      return sapError(res, 401, 100000027, 'Login failed');
    }
    const sessionId = randomUUID();
    sessions.set(sessionId, Date.now());
    stats.logins++;
    sendJson(
      res,
      200,
      { SessionId: sessionId, Version: '1000190', SessionTimeout: Math.ceil(sessionIdleMs / 60_000) },
      { 'set-cookie': `B1SESSION=${sessionId}; path=/b1s; HttpOnly` },
    );
  };

  /** The caller's session, refreshed; undefined (and 401 sent) when it is missing or expired. */
  const session = (req: IncomingMessage, res: ServerResponse): string | undefined => {
    const id = cookieOf(req, 'B1SESSION');
    const lastUsed = id ? sessions.get(id) : undefined;
    if (!id || lastUsed === undefined || Date.now() - lastUsed > sessionIdleMs) {
      if (id && lastUsed !== undefined) {
        sessions.delete(id);
        stats.expiredSessions++;
      }
      sapError(res, 401, 301, 'Invalid session or session already timeout.');
      return undefined;
    }
    sessions.set(id, Date.now());
    return id;
  };

  const items = Array.from({ length: ITEMS }, (_, index) => generateItem(options.seed, index));
  const manufacturers = Array.from({ length: MANUFACTURERS }, (_, index) =>
    generateManufacturer(options.seed, index + 1),
  );
  /** The collections, with OData queries, paging and `$count`: orders, and the lookups read many codes at once. */
  const COLLECTIONS: Record<
    string,
    { records: () => readonly object[]; entity: string; known: ReadonlySet<string> }
  > = {
    Orders: { records: () => store.all(), entity: 'Document', known: ORDER_FIELDS },
    Items: { records: () => items, entity: 'Item', known: new Set(['ItemCode', 'ItemName', 'Manufacturer']) },
    Manufacturers: {
      records: () => manufacturers,
      entity: 'Manufacturer',
      known: new Set(['Code', 'ManufacturerName']),
    },
  };

  /** `/Collection` or `/Collection/$count`: a page of records, or (as SAP answers it) the bare count as text. */
  const serveCollection = (req: IncomingMessage, res: ServerResponse, url: URL, path: string): boolean => {
    const match = /^\/(\w+)(\/\$count)?$/.exec(path);
    const collection = match && COLLECTIONS[match[1] as string];
    if (!match || !collection) return false;
    const name = match[1] as string;
    try {
      if (match[2]) {
        const count = countCollection(collection.records(), url.searchParams, collection);
        res.writeHead(200, { 'content-type': 'text/plain; charset=UTF-8' }).end(String(count));
        return true;
      }
      const page = queryCollection(collection.records(), url.searchParams, {
        ...collection,
        collection: name,
        pageSize: preferredPageSize(req.headers.prefer as string | undefined),
      });
      const body = {
        'odata.metadata': `${url.origin}${ROOT}/$metadata#${name}`,
        value: page.value,
        ...(page.nextLink ? { 'odata.nextLink': page.nextLink } : {}),
      };
      traffic.sendPage(
        res,
        body,
        { 'preference-applied': `odata.maxpagesize=${page.pageSize}` },
        page.value.map((record) => Number((record as { DocEntry?: number }).DocEntry)),
      );
    } catch (error) {
      if (!(error instanceof ODataQueryError)) throw error;
      sapError(res, 400, -1000, error.message);
    }
    return true;
  };

  const handleApi = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const key = cookieOf(req, 'B1SESSION') ?? req.socket.remoteAddress ?? 'anonymous';
    if (await traffic.intercept(req, res, key)) return;
    const path = url.pathname.slice(ROOT.length);
    if (path === '/Login' && req.method === 'POST') return login(req, res);
    const id = session(req, res);
    if (!id) return;
    if (path === '/Logout' && req.method === 'POST') {
      sessions.delete(id);
      res.writeHead(204).end();
      return;
    }
    if (req.method !== 'GET') return sapError(res, 405, -1000, `${req.method} ${path} is not supported`);

    if (serveCollection(req, res, url, path)) return;
    const order = /^\/Orders\((\d+)\)$/.exec(path);
    if (order) {
      const found = store.get(Number(order[1]));
      return found
        ? sendJson(res, 200, found)
        : sapError(res, 404, -2028, 'No matching records found (ODBC -2028)');
    }
    const item = /^\/Items\('([^']*)'\)$/.exec(decodeURIComponent(path));
    if (item) {
      const index = Number(item[1]?.slice(1)) - 1;
      const known = Number.isInteger(index) && index >= 0 && index < ITEMS && itemCode(index) === item[1];
      return known
        ? sendJson(res, 200, items[index])
        : sapError(res, 404, -2028, 'No matching records found (ODBC -2028)');
    }
    const manufacturer = /^\/Manufacturers\((\d+)\)$/.exec(path);
    if (manufacturer) {
      const code = Number(manufacturer[1]);
      return code >= 1 && code <= MANUFACTURERS
        ? sendJson(res, 200, manufacturers[code - 1])
        : sapError(res, 404, -2028, 'No matching records found (ODBC -2028)');
    }
    return sapError(res, 404, -1000, `Resource not found for the segment '${path.slice(1)}'`);
  };

  const server = await listen(
    (req, res, url) => {
      if (url.pathname.startsWith('/__emulator/')) return handleControl(req, res, url);
      if (url.pathname.startsWith(`${ROOT}/`)) return handleApi(req, res, url);
      return sapError(res, 404, -1000, `No service at ${url.pathname}`);
    },
    options.port,
    options.host,
  );
  return {
    serviceUrl: `${server.baseUrl}${ROOT}`,
    controlUrl: `${server.baseUrl}/__emulator`,
    credentials: { companyDb: options.companyDb, userName: options.userName, password: options.password },
    connection: {
      kind: 'sap',
      baseUrl: `${server.baseUrl}${ROOT}`,
      companyDb: options.companyDb,
      userName: options.userName,
      password: options.password,
    },
    store,
    stats,
    close: server.close,
  };
}
