import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { EboekhoudenConnection } from '../../../connectors/connection.js';
import { listen, readJsonBody, sendJson } from '../http.js';
import {
  commonEmulatorOptions,
  type EmulatorStats,
  EmulatorTraffic,
  invalidControlBody,
} from '../transport.js';
import { dateBounds, type Filter, FilterError, filterOf, passes } from './filters.js';
import { generateRelation, LEDGERS, relationCount, summaryOf } from './generator.js';
import type { Ledger, Mutation, Relation } from './shapes.js';
import { MutationStore } from './store.js';

export const eboekhoudenEmulatorOptionsSchema = z.object({
  seed: z.number().int().default(11),
  mutations: z.number().int().min(0).max(10_000_000).default(5000),
  startDate: z.iso.datetime().default('2020-01-01T00:00:00Z'),
  endDate: z.iso.datetime().default('2026-01-01T00:00:00Z'),
  accessToken: z.string().min(1).default('ferry-dev-token'),
  /** How long a session token lives (e-Boekhouden says 3600 s in `expiresIn`). */
  sessionSeconds: z.number().int().min(1).default(3600),
  /** The quirk one public client reports: list items all carry `id: 0`. */
  idZero: z.boolean().default(false),
  ...commonEmulatorOptions,
});
export type EboekhoudenEmulatorOptions = z.input<typeof eboekhoudenEmulatorOptionsSchema>;

export interface EboekhoudenEmulator {
  /** The API root, e.g. http://127.0.0.1:50001/v1 */
  apiUrl: string;
  controlUrl: string;
  accessToken: string;
  /** How a ferry connection reaches this administration. */
  connection: EboekhoudenConnection;
  store: MutationStore;
  /** A relation as `GET /relation/{id}` answers it now; undefined when it answers 404 (MUT_013). */
  relation(id: number): Relation | undefined;
  /** A ledger as `GET /ledger/{id}` answers it; undefined when it answers 404. */
  ledger(id: number): Ledger | undefined;
  stats: EmulatorStats & { logins: number; expiredSessions: number; byRoute: Record<string, number> };
  close(): Promise<void>;
}

const ROOT = '/v1';
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 2000;

/** e-Boekhouden's error body. */
function apiError(res: ServerResponse, status: number, code: string, message: string): void {
  const title = { 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 429: 'Too Many Requests' }[
    status
  ];
  sendJson(res, status, { code, message, title: title ?? 'Error', status });
}

/** A page of a list, as e-Boekhouden answers one: `{ items, count }` with count over every page. */
function paging(params: URLSearchParams): { limit: number; offset: number } {
  const limit = params.has('limit') ? Number(params.get('limit')) : DEFAULT_LIMIT;
  const offset = params.has('offset') ? Number(params.get('offset')) : 0;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new FilterError(`limit must be an integer from 1 to ${MAX_LIMIT}`);
  }
  if (!Number.isInteger(offset) || offset < 0) throw new FilterError('offset must be a non-negative integer');
  return { limit, offset };
}

/**
 * e-Boekhouden's REST API v1 over real HTTP, from a generated administration: session login (a token that
 * expires; sent bare or as `Bearer` in `Authorization`), mutations as a list of summaries and one request per
 * whole mutation, ledgers, relations and outstanding invoices, e-Boekhouden's error body, and a control API under
 * /__emulator to book and edit mutations, hide a relation, expire sessions and switch on faults, a rate limit
 * and the `id: 0` quirk.
 */
export async function startEboekhoudenEmulator(
  input: EboekhoudenEmulatorOptions = {},
): Promise<EboekhoudenEmulator> {
  const options = eboekhoudenEmulatorOptionsSchema.parse(input);
  const store = new MutationStore({
    seed: options.seed,
    mutations: options.mutations,
    startMs: Date.parse(options.startDate),
    endMs: Date.parse(options.endDate),
  });
  let sessionMs = options.sessionSeconds * 1000;
  let idZero = options.idZero;
  const hiddenRelations = new Set<number>();
  const traffic = new EmulatorTraffic(options, {
    serverError: (res, status) => apiError(res, status, 'API_500', 'Emulated server error'),
    tooManyRequests: (res) => apiError(res, 429, 'API_429', 'Too many requests'),
  });
  const stats = Object.assign(traffic.stats, {
    logins: 0,
    expiredSessions: 0,
    byRoute: {} as Record<string, number>,
  });
  /** Session token → when it expires. */
  const sessions = new Map<string, number>();

  const handleControl = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const path = url.pathname.slice('/__emulator'.length);
    if (path === '/health') return sendJson(res, 200, { ok: true, mutations: store.size });
    if (await traffic.control(req, res, path)) return;
    const body = req.method === 'GET' ? {} : await readJsonBody(req);
    if (path === '/sessions/expire' && req.method === 'POST') {
      const expired = sessions.size;
      sessions.clear();
      return sendJson(res, 200, { expired });
    }
    if (path === '/session-lifetime' && req.method === 'PUT') {
      const parsed = z.object({ seconds: z.number().min(0.001) }).safeParse(body);
      if (!parsed.success) return invalidControlBody(res, parsed.error);
      sessionMs = parsed.data.seconds * 1000;
      return sendJson(res, 200, { seconds: parsed.data.seconds });
    }
    if (path === '/quirks' && req.method === 'PUT') {
      const parsed = z.object({ idZero: z.boolean() }).safeParse(body);
      if (!parsed.success) return invalidControlBody(res, parsed.error);
      idZero = parsed.data.idZero;
      return sendJson(res, 200, { idZero });
    }
    if (path === '/mutations' && req.method === 'POST') {
      const parsed = z.object({ count: z.number().int().min(1).max(100_000) }).safeParse(body);
      if (!parsed.success) return invalidControlBody(res, parsed.error);
      return sendJson(res, 201, { ids: store.book(parsed.data.count) });
    }
    const edit = /^\/mutations\/(\d+)\/edit$/.exec(path);
    if (edit && req.method === 'POST') {
      const changed = store.edit(Number(edit[1]));
      return changed
        ? sendJson(res, 200, changed)
        : sendJson(res, 404, { message: `No mutation ${edit[1]}` });
    }
    const relation = /^\/relations\/(\d+)\/missing$/.exec(path);
    if (relation && req.method === 'PUT') {
      const parsed = z.object({ missing: z.boolean() }).safeParse(body);
      if (!parsed.success) return invalidControlBody(res, parsed.error);
      if (parsed.data.missing) hiddenRelations.add(Number(relation[1]));
      else hiddenRelations.delete(Number(relation[1]));
      return sendJson(res, 200, { id: Number(relation[1]), missing: parsed.data.missing });
    }
    return sendJson(res, 404, { message: `Unknown control route ${req.method} ${url.pathname}` });
  };

  const login = async (req: IncomingMessage, res: ServerResponse) => {
    const parsed = z
      .object({ accessToken: z.string().optional(), source: z.string().optional() })
      .safeParse(await readJsonBody(req).catch(() => undefined));
    const body = parsed.success ? parsed.data : {};
    if (!body.source) return apiError(res, 400, 'API_SESSION_001', 'Source is missing');
    if (body.source.length > 10)
      return apiError(res, 400, 'API_SESSION_003', 'Source is longer than 10 characters');
    if (body.accessToken !== options.accessToken)
      return apiError(res, 401, 'API_SESSION_002', 'Invalid access token');
    const token = randomUUID();
    sessions.set(token, Date.now() + sessionMs);
    stats.logins++;
    sendJson(res, 200, { token, expiresIn: Math.ceil(sessionMs / 1000) });
  };

  /** The caller's session token; undefined (and 401 sent) when it is missing or expired. */
  const session = (req: IncomingMessage, res: ServerResponse): string | undefined => {
    const token = (req.headers.authorization ?? '').replace(/^Bearer\s+/i, '').trim();
    const expires = sessions.get(token);
    if (expires === undefined || Date.now() >= expires) {
      if (expires !== undefined) {
        sessions.delete(token);
        stats.expiredSessions++;
      }
      apiError(res, 401, 'API_SESSION_004', 'Session token is invalid or expired');
      return undefined;
    }
    return token;
  };

  /** The mutations that pass the filters, a page of them, and how many pass over every page. */
  const listMutations = (params: URLSearchParams) => {
    const { limit, offset } = paging(params);
    const date = filterOf(params, 'date');
    const filters = ['type', 'invoiceNumber', 'ledgerId', 'relationId']
      .map((field) => filterOf(params, field))
      .filter((filter): filter is Filter => filter !== undefined);
    const bounds = dateBounds(date);
    const { first, last } = store.idRange(bounds.from, bounds.to);
    const items: Mutation[] = [];
    let count = 0;
    if (filters.length === 0 && bounds.exact) {
      // Dates grow with ids: the date bounds are exactly this id range, so a page costs its own size only.
      count = Math.max(0, last - first + 1);
      for (let id = first + offset; id <= last && items.length < limit; id++)
        items.push(store.get(id) as Mutation);
    } else {
      for (let id = first; id <= last; id++) {
        const mutation = store.get(id, { keep: false }) as Mutation;
        if (!passes(date, mutation.date)) continue;
        if (!filters.every((filter) => passes(filter, mutation[filter.field as keyof Mutation] as string)))
          continue;
        if (count >= offset && items.length < limit) items.push(mutation);
        count++;
      }
    }
    return {
      items: items.map((mutation) => ({ ...summaryOf(mutation), ...(idZero ? { id: 0 } : {}) })),
      count,
    };
  };

  /** Invoices of one side (C: received, D: sent) that payments have not settled in full. */
  const outstanding = (side: 'C' | 'D') => {
    const invoiceType = side === 'D' ? 2 : 1;
    const open = new Map<string, { mutation: Mutation; open: number }>();
    for (let id = 1; id <= store.size; id++) {
      const mutation = store.get(id, { keep: false }) as Mutation;
      if (mutation.type === invoiceType && mutation.invoiceNumber) {
        open.set(mutation.invoiceNumber, { mutation, open: summaryOf(mutation).amount });
      } else if (mutation.type === (side === 'D' ? 3 : 4)) {
        for (const row of mutation.rows) {
          const invoice = row.invoiceNumber ? open.get(row.invoiceNumber) : undefined;
          if (invoice) invoice.open = Math.round((invoice.open - row.amount) * 100) / 100;
        }
      }
    }
    return [...open.values()]
      .filter((invoice) => invoice.open !== 0)
      .map(({ mutation, open: amount }) => ({
        id: mutation.id,
        invoiceNumber: mutation.invoiceNumber,
        relationId: mutation.relationId,
        date: mutation.date,
        openAmount: amount,
      }));
  };

  const relations = relationCount(store.shape);
  const relationById = (id: number) =>
    Number.isInteger(id) && id >= 1 && id <= relations && !hiddenRelations.has(id)
      ? generateRelation(store.shape, id - 1)
      : undefined;
  const ledgerById = (id: number) => LEDGERS.find((candidate) => candidate.id === id);
  const handleApi = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const key = (req.headers.authorization ?? req.socket.remoteAddress ?? 'anonymous').replace(
      /^Bearer\s+/i,
      '',
    );
    if (await traffic.intercept(req, res, key)) return;
    const path = url.pathname.slice(ROOT.length);
    const route = path.replace(/\/\d+$/, '/{id}');
    stats.byRoute[`${req.method} ${route}`] = (stats.byRoute[`${req.method} ${route}`] ?? 0) + 1;
    if (path === '/session' && req.method === 'POST') return login(req, res);
    const token = session(req, res);
    if (!token) return;
    if (path === '/session' && req.method === 'DELETE') {
      sessions.delete(token);
      res.writeHead(204).end();
      return;
    }
    if (req.method !== 'GET') return apiError(res, 405, 'API_405', `${req.method} ${path} is not supported`);
    try {
      if (path === '/mutation') {
        const page = listMutations(url.searchParams);
        return traffic.sendPage(
          res,
          page,
          {},
          page.items.map((item) => item.id),
        );
      }
      if (path === '/mutation/invoice/outstanding') {
        const side = url.searchParams.get('credDeb');
        if (side !== 'C' && side !== 'D') return apiError(res, 400, 'MUT_020', 'credDeb must be C or D');
        const items = outstanding(side);
        return sendJson(res, 200, { items, count: items.length });
      }
      const mutation = /^\/mutation\/(\d+)$/.exec(path);
      if (mutation) {
        const found = store.get(Number(mutation[1]));
        return found
          ? sendJson(res, 200, found)
          : apiError(res, 404, 'MUT_404', `Mutation ${mutation[1]} not found`);
      }
      if (path === '/ledger') {
        const { limit, offset } = paging(url.searchParams);
        const [code, category] = [filterOf(url.searchParams, 'code'), filterOf(url.searchParams, 'category')];
        const matching = LEDGERS.filter(
          (ledger) => passes(code, ledger.code) && passes(category, ledger.category),
        );
        return sendJson(res, 200, { items: matching.slice(offset, offset + limit), count: matching.length });
      }
      const ledger = /^\/ledger\/(\d+)$/.exec(path);
      if (ledger) {
        const found = ledgerById(Number(ledger[1]));
        return found
          ? sendJson(res, 200, found)
          : apiError(res, 404, 'MUT_007', `Ledger ${ledger[1]} not found`);
      }
      if (path === '/relation') {
        const { limit, offset } = paging(url.searchParams);
        const [code, type] = [filterOf(url.searchParams, 'code'), filterOf(url.searchParams, 'type')];
        const matching = [];
        for (let index = 0; index < relations; index++) {
          const relation = generateRelation(store.shape, index);
          if (hiddenRelations.has(relation.id)) continue;
          if (passes(code, relation.code) && passes(type, relation.type)) matching.push(relation);
        }
        return sendJson(res, 200, { items: matching.slice(offset, offset + limit), count: matching.length });
      }
      const relation = /^\/relation\/(\d+)$/.exec(path);
      if (relation) {
        const found = relationById(Number(relation[1]));
        return found
          ? sendJson(res, 200, found)
          : apiError(res, 404, 'MUT_013', `Relation ${relation[1]} not found`);
      }
    } catch (error) {
      if (!(error instanceof FilterError)) throw error;
      return apiError(res, 400, 'API_400', error.message);
    }
    return apiError(res, 404, 'API_404', `No route ${req.method} ${path}`);
  };

  const server = await listen(
    (req, res, url) => {
      if (url.pathname.startsWith('/__emulator/')) return handleControl(req, res, url);
      if (url.pathname.startsWith(`${ROOT}/`)) return handleApi(req, res, url);
      return apiError(res, 404, 'API_404', `No service at ${url.pathname}`);
    },
    options.port,
    options.host,
  );
  return {
    apiUrl: `${server.baseUrl}${ROOT}`,
    controlUrl: `${server.baseUrl}/__emulator`,
    accessToken: options.accessToken,
    connection: {
      kind: 'eboekhouden',
      baseUrl: `${server.baseUrl}${ROOT}`,
      accessToken: options.accessToken,
      source: 'ferry',
    },
    store,
    relation: relationById,
    ledger: ledgerById,
    stats,
    close: server.close,
  };
}
