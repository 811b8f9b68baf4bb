import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MalformedPageError, SourceHttpError } from '../../../src/connectors/errors.js';
import { unpacedSource } from '../../../src/connectors/source.js';
import { auth, defineConnectionKind, restApi, z } from '../../../src/kit/index.js';

/** A source with a session login: POST /v1/session answers a token that expires after `lifetime` requests. */
let server: Server;
let baseUrl: string;
const stats = { logins: 0, requests: 0 };
let lifetime = 1000;
/** What the login answers instead of a session, when set: a status, or 200 without a token. */
let loginFault: number | 'no-token' | undefined;
let issued = new Map<string, number>();

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const send = (status: number, payload: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
      if (req.url === '/v1/session' && req.method === 'POST') {
        if (loginFault === 'no-token') return send(200, { expiresIn: 3600 });
        if (loginFault) return send(loginFault, { message: 'Service unavailable' });
        const { accessToken } = JSON.parse(body) as { accessToken?: string };
        if (accessToken !== 'secret') return send(401, { message: 'Unknown access token' });
        stats.logins++;
        const token = `t${stats.logins}`;
        issued.set(token, 0);
        // Slow enough that concurrent first requests would each log in if they did not share the login.
        setTimeout(() => send(200, { token, expiresIn: 3600 }), 20);
        return;
      }
      stats.requests++;
      // A source that moved: its new place does not know the session.
      if (req.url === '/v1/moved') return res.writeHead(301, { location: '/v1/gone' }).end();
      if (req.url === '/v1/gone') return send(401, { message: 'Not here' });
      const token = req.headers.authorization?.replace(/^Bearer /, '') ?? '';
      const uses = issued.get(token);
      if (uses === undefined || uses >= lifetime) return send(401, { message: 'Session expired' });
      issued.set(token, uses + 1);
      send(200, { items: [{ id: 1 }], token });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  loginFault = undefined;
  stats.logins = 0;
  lifetime = 1000;
  issued = new Map();
});

const ledger = defineConnectionKind({
  kind: 'test-ledger',
  fields: {
    baseUrl: { variable: 'URL', schema: z.url() },
    accessToken: { variable: 'TOKEN', schema: z.string() },
  },
});
const api = restApi({
  system: 'Ledger',
  connection: ledger,
  auth: auth.session({
    login: (connection) => ({ path: 'session', body: { accessToken: connection.accessToken } }),
    token: (answer) => (answer.body as { token?: string }).token,
    apply: (attempt, token) => {
      attempt.headers.authorization = `Bearer ${token}`;
    },
    expired: (status) => status === 401,
  }),
  errorMessage: (body) => (body as { message?: string }).message,
  credentials: 'its access token',
});
const source = (accessToken = 'secret') => ({
  ...unpacedSource('books', { kind: 'test-ledger', baseUrl, accessToken } as never),
  // Backoffs are not slept through here: what is retried is what counts.
  wait: async () => undefined,
});

describe('a REST API with a session login', () => {
  it('logs in once for requests that start together, and shares the session', async () => {
    const shared = source();
    const answers = await Promise.all(
      [1, 2, 3, 4].map(() => api.open(shared).getJson<{ token: string }>('mutation')),
    );
    expect(stats.logins).toBe(1);
    expect(new Set(answers.map((answer) => answer.token))).toEqual(new Set(['t1']));
  });

  it('logs in again once when the session expires, and goes on', async () => {
    lifetime = 2;
    const shared = source();
    const tokens = [];
    for (let request = 0; request < 5; request++) {
      tokens.push((await api.open(shared).getJson<{ token: string }>('mutation')).token);
    }
    expect(tokens).toEqual(['t1', 't1', 't2', 't2', 't3']);
  });

  it('fails at once on refused credentials, naming the connection, the answer and what to check', async () => {
    await expect(api.open(source('wrong')).get('mutation')).rejects.toThrow(
      'Ledger connection "books" was refused (401: Unknown access token); check its access token',
    );
    expect(stats.logins).toBe(0);
  });

  it('says where a redirect led when the answer from there refuses the credentials', async () => {
    await expect(api.open(source()).get('moved')).rejects.toThrow(
      `Ledger connection "books" was refused (401: Not here); check its access token; the request was redirected to ${new URL(baseUrl).origin}/v1/gone, so check the connection's base URL too`,
    );
  });

  it('retries a login the source cannot answer now, like any request: only refused credentials are final', async () => {
    loginFault = 503;
    const unavailable = await api
      .open(source())
      .get('mutation')
      .catch((error: unknown) => error);
    expect(unavailable).toBeInstanceOf(SourceHttpError);
    expect((unavailable as Error).message).toBe('Ledger answered 503 for /v1/session: Service unavailable');
    loginFault = 'no-token';
    const tokenless = await api
      .open(source())
      .get('mutation')
      .catch((error: unknown) => error);
    expect(tokenless).toBeInstanceOf(MalformedPageError);
  });

  it('names a credential field its auth part needs and the connection lacks, without sending anything', async () => {
    const misnamed = restApi({ ...api.declaration, auth: auth.basic('apiUser', 'accessToken') });
    const requests = stats.requests;
    await expect(misnamed.open(source()).get('mutation')).rejects.toThrow(
      'The connection has no apiUser, which its authentication needs',
    );
    expect(stats.requests).toBe(requests);
  });

  it('refuses a connection of another kind by name', () => {
    const other = unpacedSource('shop', {
      kind: 'woocommerce',
      baseUrl,
      consumerKey: 'k',
      consumerSecret: 's',
    });
    expect(() => api.open(other)).toThrow(
      'Connection "shop" is a woocommerce connection; Ledger needs a test-ledger one',
    );
  });
});
