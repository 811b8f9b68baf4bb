import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { NeonConnection } from '../../../connectors/connection.js';
import { listen, readJsonBody, sendJson } from '../http.js';
import {
  commonEmulatorOptions,
  type EmulatorStats,
  EmulatorTraffic,
  invalidControlBody,
} from '../transport.js';
import { EndpointGate, type EndpointLog, type EndpointName } from './endpoints.js';
import { CUSTOM_FIELDS } from './fields.js';
import type { Account } from './generator.js';
import { search, searchRequestSchema } from './search.js';
import { AccountRequestError, applyWrite, displayValue, renderAccount } from './shapes.js';
import { AccountStore } from './store.js';

export const neonEmulatorOptionsSchema = z.object({
  seed: z.number().int().default(7),
  accounts: z.number().int().min(0).max(1_000_000).default(500),
  orgId: z.string().min(1).default('ferry-dev'),
  apiKey: z.string().min(1).default('ferry-dev-key'),
  /** Requests at the same time per endpoint (Neon's limits: search 1, account writes 5); 0 is unlimited. */
  concurrency: z
    .object({
      search: z.number().int().min(0).default(1),
      write: z.number().int().min(0).default(5),
      read: z.number().int().min(0).default(5),
    })
    .prefault({}),
  ...commonEmulatorOptions,
});
export type NeonEmulatorOptions = z.input<typeof neonEmulatorOptionsSchema>;

export interface NeonEmulator {
  /** The API root, e.g. http://127.0.0.1:50001/v2 */
  apiUrl: string;
  controlUrl: string;
  orgId: string;
  apiKey: string;
  /** How a ferry connection reaches this organisation. */
  connection: NeonConnection;
  store: AccountStore;
  /** A field's value as a search result shows it (custom fields by id), from the emulator's state. */
  valueOf(accountId: number, field: string): string | null;
  stats: EmulatorStats;
  /** Each endpoint's requests, statuses and the most in flight at once. */
  endpoints: Record<EndpointName, EndpointLog>;
  close(): Promise<void>;
}

const ROOT = '/v2';

/** Neon's error body: a list of errors, each with a code and a message. */
function apiError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, [{ code: String(status), message }]);
}

/** Which of Neon's limits a request counts against. */
function endpointOf(method: string | undefined, path: string): EndpointName {
  if (path === '/accounts/search') return 'search';
  if (path === '/customFields') return 'customFields';
  if (/^\/accounts\/\d+$/.test(path)) return method === 'GET' ? 'read' : 'write';
  return 'other';
}

/**
 * Neon CRM's API v2 over real HTTP, from a generated organisation: HTTP Basic (organisation id, API key), the
 * `NEON-API-VERSION` header, account search with Neon's operators and output fields (custom fields by id),
 * accounts read, replaced (PUT) and changed (PATCH, custom fields merged by id), the account custom fields, limits
 * of concurrent requests per endpoint answered with 429, and a control API under /__emulator to change an
 * account as a user would (or hold it open in an editor, so that writes to it are refused), read each
 * endpoint's log and switch on the shared faults.
 */
export async function startNeonEmulator(input: NeonEmulatorOptions = {}): Promise<NeonEmulator> {
  const options = neonEmulatorOptionsSchema.parse(input);
  const store = new AccountStore(options.seed, options.accounts);
  const gate = new EndpointGate({ ...options.concurrency, customFields: 0, other: 0 });
  const traffic = new EmulatorTraffic(options, {
    serverError: (res, status) => apiError(res, status, 'Emulated server error'),
    tooManyRequests: (res) => apiError(res, 429, 'Too many requests'),
  });
  /** Accounts whose writes are refused, as if open in another user's editor. */
  const locked = new Set<number>();
  const expectedAuth = `Basic ${Buffer.from(`${options.orgId}:${options.apiKey}`).toString('base64')}`;

  const handleControl = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const path = url.pathname.slice('/__emulator'.length);
    if (path === '/health') return sendJson(res, 200, { ok: true, accounts: store.size });
    if (path === '/endpoints') return sendJson(res, 200, gate.logs);
    if (await traffic.control(req, res, path)) return;
    const edit = /^\/accounts\/(\d+)$/.exec(path);
    if (edit && req.method === 'PATCH') {
      // A user editing an account in Neon's UI while a migration runs: same rules as the API's PATCH.
      const account = store.get(Number(edit[1]));
      if (!account) return sendJson(res, 404, { message: `No account ${edit[1]}` });
      try {
        return sendJson(
          res,
          200,
          renderAccount(store.put(applyWrite(account, await readJsonBody(req), 'PATCH'))),
        );
      } catch (error) {
        if (error instanceof AccountRequestError) return sendJson(res, 400, { message: error.message });
        throw error;
      }
    }
    const lock = /^\/accounts\/(\d+)\/locked$/.exec(path);
    if (lock && req.method === 'PUT') {
      // An account open in someone's editor: Neon refuses writes to it (409) until it is closed.
      const parsed = z.object({ locked: z.boolean() }).safeParse(await readJsonBody(req));
      if (!parsed.success) return invalidControlBody(res, parsed.error);
      if (parsed.data.locked) locked.add(Number(lock[1]));
      else locked.delete(Number(lock[1]));
      return sendJson(res, 200, { id: Number(lock[1]), locked: parsed.data.locked });
    }
    if (path === '/concurrency' && req.method === 'PUT') {
      const parsed = z
        .object({
          search: z.number().int().min(0),
          write: z.number().int().min(0),
          read: z.number().int().min(0),
        })
        .partial()
        .safeParse(await readJsonBody(req));
      if (!parsed.success) return invalidControlBody(res, parsed.error);
      for (const [endpoint, limit] of Object.entries(parsed.data))
        gate.logs[endpoint as EndpointName].limit = limit;
      return sendJson(res, 200, {
        search: gate.logs.search.limit,
        write: gate.logs.write.limit,
        read: gate.logs.read.limit,
      });
    }
    return sendJson(res, 404, { message: `Unknown control route ${req.method} ${url.pathname}` });
  };

  const writeAccount = async (req: IncomingMessage, res: ServerResponse, account: Account) => {
    if (locked.has(account.id)) {
      return apiError(res, 409, `Account ${account.id} is being edited by another user; try again later`);
    }
    const body = await readJsonBody(req).catch(() => undefined);
    if (body === undefined) return apiError(res, 400, 'The body is not JSON');
    const written = store.put(applyWrite(account, body, req.method === 'PUT' ? 'PUT' : 'PATCH'));
    sendJson(res, 200, renderAccount(written));
  };

  const handleApi = async (req: IncomingMessage, res: ServerResponse, url: URL, endpoint: EndpointName) => {
    if (await traffic.intercept(req, res, options.orgId)) return;
    if (req.headers.authorization !== expectedAuth) {
      return apiError(res, 401, 'Invalid organisation id or API key');
    }
    const version = req.headers['neon-api-version'];
    if (typeof version !== 'string' || !/^2\.\d+$/.test(version)) {
      return apiError(res, 400, 'The NEON-API-VERSION header must name an API version, such as 2.11');
    }
    const path = url.pathname.slice(ROOT.length);
    try {
      if (endpoint === 'customFields' && req.method === 'GET') {
        if (url.searchParams.get('category') !== 'Account') return sendJson(res, 200, []);
        return sendJson(res, 200, CUSTOM_FIELDS);
      }
      if (endpoint === 'search' && req.method === 'POST') {
        const parsed = searchRequestSchema.safeParse(await readJsonBody(req).catch(() => undefined));
        if (!parsed.success) return apiError(res, 400, z.prettifyError(parsed.error));
        return sendJson(res, 200, search(store, parsed.data));
      }
      const match = /^\/accounts\/(\d+)$/.exec(path);
      if (match) {
        const account = store.get(Number(match[1]));
        if (!account) return apiError(res, 404, `Account ${match[1]} not found`);
        if (req.method === 'GET') return sendJson(res, 200, renderAccount(account));
        if (req.method === 'PUT' || req.method === 'PATCH') return await writeAccount(req, res, account);
      }
    } catch (error) {
      if (!(error instanceof AccountRequestError)) throw error;
      return apiError(res, 400, error.message);
    }
    return apiError(res, 404, `No route ${req.method} ${path}`);
  };

  const server = await listen(
    (req, res, url) => {
      if (url.pathname.startsWith('/__emulator/')) return handleControl(req, res, url);
      if (!url.pathname.startsWith(`${ROOT}/`)) return apiError(res, 404, `No service at ${url.pathname}`);
      const endpoint = endpointOf(req.method, url.pathname.slice(ROOT.length));
      if (!gate.enter(endpoint)) {
        gate.answered(endpoint, 429);
        return apiError(
          res,
          429,
          `Too many concurrent requests to this endpoint (limit ${gate.logs[endpoint].limit})`,
        );
      }
      res.on('close', () => {
        gate.leave(endpoint);
        // 0: no answer (a reset, or a hang the client gave up on).
        gate.answered(endpoint, res.writableFinished ? res.statusCode : 0);
      });
      return handleApi(req, res, url, endpoint);
    },
    options.port,
    options.host,
  );
  return {
    apiUrl: `${server.baseUrl}${ROOT}`,
    controlUrl: `${server.baseUrl}/__emulator`,
    orgId: options.orgId,
    apiKey: options.apiKey,
    connection: {
      kind: 'neon',
      baseUrl: `${server.baseUrl}${ROOT}`,
      orgId: options.orgId,
      apiKey: options.apiKey,
    },
    store,
    valueOf: (accountId, field) => {
      const account = store.get(accountId);
      return account ? displayValue(account, field) : null;
    },
    stats: traffic.stats,
    endpoints: gate.logs,
    close: server.close,
  };
}
