import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceHttpError } from '../../src/connectors/errors.js';
import { type RequestContext, readJson, sendRequest } from '../../src/connectors/http.js';
import { unpacedSource } from '../../src/connectors/source.js';

/** What a server was sent: method, path, body and the headers that redirects may drop. */
interface Received {
  server: 'a' | 'b';
  method: string;
  path: string;
  body: string;
  authorization?: string;
  contentType?: string;
}

let received: Received[] = [];
let a: Server;
let b: Server;
let originA: string;
let originB: string;

/** A server whose paths answer as `routes` says; anything else is a 200 echoing what was sent. */
function server(name: 'a' | 'b', routes: () => Record<string, [number, string]>): Server {
  return createServer(async (req: IncomingMessage, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    received.push({
      server: name,
      method: req.method ?? '',
      path: req.url ?? '',
      body,
      authorization: req.headers.authorization,
      contentType: req.headers['content-type'],
    });
    const route = routes()[req.url ?? ''];
    if (route) res.writeHead(route[0], { location: route[1] }).end('moved');
    else
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ at: req.url, body }));
  });
}

const listen = async (s: Server) => {
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
};

beforeAll(async () => {
  a = server('a', () => ({
    '/moved': [301, '/new?x=1'],
    '/see-other': [303, '/result'],
    '/temporary': [307, '/kept'],
    '/elsewhere': [302, `${originB}/landed`],
    '/loop': [302, '/loop'],
    '/nowhere': [302, ''],
    '/bad': [302, 'http://['],
  }));
  b = server('b', () => ({}));
  originA = await listen(a);
  originB = await listen(b);
});
afterAll(async () => {
  await Promise.all([a, b].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

const context = (path: string): RequestContext => ({
  system: 'Test API',
  source: unpacedSource('api', {
    kind: 'woocommerce',
    baseUrl: originA,
    consumerKey: 'k',
    consumerSecret: 's',
  }),
  path,
});

async function send(path: string, init: { method?: string; body?: string } = {}) {
  received = [];
  const response = await sendRequest(context(path), `${originA}${path}`, {
    ...init,
    headers: { authorization: 'Bearer secret', 'content-type': 'application/json' },
  });
  return { status: response.status, body: await readJson<{ at: string; body: string }>(response, path) };
}

describe('redirects', () => {
  it('follows a 301 to the path it names, keeping the query and the credentials on the same origin', async () => {
    const { status, body } = await send('/moved');
    expect(status).toBe(200);
    expect(body.at).toBe('/new?x=1');
    expect(received.map((r) => [r.path, r.authorization])).toEqual([
      ['/moved', 'Bearer secret'],
      ['/new?x=1', 'Bearer secret'],
    ]);
  });

  it('turns a POST into a GET without its body after a 303, and keeps both after a 307', async () => {
    await send('/see-other', { method: 'POST', body: '{"n":1}' });
    expect(received.map((r) => [r.method, r.path, r.body, r.contentType])).toEqual([
      ['POST', '/see-other', '{"n":1}', 'application/json'],
      ['GET', '/result', '', undefined],
    ]);
    await send('/temporary', { method: 'POST', body: '{"n":2}' });
    expect(received.map((r) => [r.method, r.path, r.body])).toEqual([
      ['POST', '/temporary', '{"n":2}'],
      ['POST', '/kept', '{"n":2}'],
    ]);
  });

  it('does not send credentials to another origin', async () => {
    const { body } = await send('/elsewhere');
    expect(body.at).toBe('/landed');
    expect(received.map((r) => [r.server, r.authorization])).toEqual([
      ['a', 'Bearer secret'],
      ['b', undefined],
    ]);
  });

  it('returns a redirect without a Location as it is, and fails on a Location that is not a URL', async () => {
    received = [];
    const response = await sendRequest(context('/nowhere'), `${originA}/nowhere`, {});
    expect(response.status).toBe(302);
    const error = await send('/bad').catch((caught: unknown) => caught);
    expect((error as Error).message).toBe('Test API redirected /bad to "http://[", not a URL');
    expect(received).toHaveLength(1);
  });

  it('gives up after five redirects with an error naming the request', async () => {
    const error = await send('/loop').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SourceHttpError);
    expect((error as Error).message).toBe('Test API redirected /loop more than 5 times');
    expect(received).toHaveLength(6);
  });
});
