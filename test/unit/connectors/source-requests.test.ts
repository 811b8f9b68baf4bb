import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MAX_ANSWER_BYTES,
  type RequestContext,
  readJson,
  sendRequest,
  throwUnlessOk,
} from '../../../src/connectors/http.js';
import { unpacedSource } from '../../../src/connectors/source.js';
import { FerryError } from '../../../src/errors.js';

/** What a server was sent: method, path, body and the headers that redirects may drop. */
interface Received {
  server: 'a' | 'b';
  method: string;
  path: string;
  body: string;
  authorization?: string;
  contentType?: string;
  cookie?: string;
  apiKey?: string;
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
      cookie: req.headers.cookie,
      apiKey: req.headers['x-api-key'] as string | undefined,
    });
    if (req.url === '/missing?token=SECRET') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"No such page"}');
      return;
    }
    if (req.url === '/plain-error') {
      res.writeHead(400, { 'content-type': 'text/html' }).end('<html>Bad Request</html>');
      return;
    }
    if (req.url === '/huge') {
      // One more byte than an answer may hold, in 1 MiB writes.
      res.writeHead(200, { 'content-type': 'application/json' });
      const mib = Buffer.alloc(1024 * 1024, 0x20);
      for (let sent = 0; sent < MAX_ANSWER_BYTES; sent += mib.length) res.write(mib);
      res.end(' ');
      return;
    }
    if (req.url === '/bom') {
      // What a WordPress site answers when a plugin file starts with a byte order mark.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"at":"/bom","body":"ü"}')]));
      return;
    }
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
    '/permanent': [308, '/kept'],
    '/found': [302, '/result'],
    '/login-elsewhere': [307, `${originB}/session`],
    '/elsewhere': [302, `${originB}/landed`],
    '/moved-away': [301, '/missing?token=SECRET'],
    // A loop whose Location carries a key: the error must not.
    '/loop': [302, '/loop?api_key=SECRET'],
    '/loop?api_key=SECRET': [302, '/loop?api_key=SECRET'],
    '/nowhere': [302, ''],
    '/bad': [302, 'http://['],
    '/mail': [302, 'mailto:api@example.com'],
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
    headers: {
      authorization: 'Bearer secret',
      cookie: 'session=s1',
      'x-api-key': 'k1',
      accept: 'application/json',
      'content-type': 'application/json',
    },
  });
  return { status: response.status, body: readJson<{ at: string; body: string }>(response, path) };
}

describe('source requests: redirects, and answers read whole', () => {
  it('follows a 301 to the path it names, keeping the query and the credentials on the same origin', async () => {
    const { status, body } = await send('/moved');
    expect(status).toBe(200);
    expect(body.at).toBe('/new?x=1');
    expect(received.map((r) => [r.path, r.authorization, r.apiKey])).toEqual([
      ['/moved', 'Bearer secret', 'k1'],
      ['/new?x=1', 'Bearer secret', 'k1'],
    ]);
  });

  it('turns a POST into a GET without its body after a 303, a 302 or a 301, and keeps both after a 307 or a 308', async () => {
    await send('/see-other', { method: 'POST', body: '{"n":1}' });
    expect(received.map((r) => [r.method, r.path, r.body, r.contentType])).toEqual([
      ['POST', '/see-other', '{"n":1}', 'application/json'],
      ['GET', '/result', '', undefined],
    ]);
    await send('/found', { method: 'POST', body: '{"n":1}' });
    expect(received.map((r) => [r.method, r.path, r.body, r.contentType])).toEqual([
      ['POST', '/found', '{"n":1}', 'application/json'],
      ['GET', '/result', '', undefined],
    ]);
    for (const path of ['/temporary', '/permanent']) {
      await send(path, { method: 'POST', body: '{"n":2}' });
      expect(received.map((r) => [r.method, r.path, r.body, r.contentType])).toEqual([
        ['POST', path, '{"n":2}', 'application/json'],
        ['POST', '/kept', '{"n":2}', 'application/json'],
      ]);
    }
  });

  it('sends another origin only the headers any origin may have, no credentials, nor a body (a login) that would carry them', async () => {
    const { body } = await send('/elsewhere');
    expect(body.at).toBe('/landed');
    expect(received.map((r) => [r.server, r.authorization, r.cookie, r.apiKey, r.contentType])).toEqual([
      ['a', 'Bearer secret', 'session=s1', 'k1', 'application/json'],
      ['b', undefined, undefined, undefined, 'application/json'],
    ]);
    const error = await send('/login-elsewhere', { method: 'POST', body: '{"password":"p"}' }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(FerryError);
    expect((error as Error).message).toBe(
      `Test API redirected /login-elsewhere to ${originB}/session (307), not followed: with its body to another origin; check the connection's base URL`,
    );
    expect(received.map((r) => r.server)).toEqual(['a']);
  });

  it('says where a failed answer came from when redirects led there, without the query', async () => {
    received = [];
    const response = await sendRequest(context('/moved-away'), `${originA}/moved-away`, {});
    const messageOf = (body: unknown) => (body as { message: string }).message;
    expect(() => throwUnlessOk(response, context('/moved-away'), messageOf)).toThrow(
      `Test API answered 404 for /moved-away (redirected to ${originA}/missing): No such page`,
    );
    expect(received.map((r) => r.path)).toEqual(['/moved-away', '/missing?token=SECRET']);
  });

  it('gives an error page that is not JSON to the message reader as its text, and adds no message of its own', async () => {
    const response = await sendRequest(context('/plain-error'), `${originA}/plain-error`, {});
    const seen: unknown[] = [];
    const messageOf = (body: unknown) => {
      seen.push(body);
      return (body as { message?: string }).message;
    };
    expect(() => throwUnlessOk(response, context('/plain-error'), messageOf)).toThrow(
      /^Test API answered 400 for \/plain-error$/,
    );
    expect(seen).toEqual(['<html>Bad Request</html>']);
  });

  it('fails at once on an answer larger than an answer may hold, saying so', async () => {
    const error = await send('/huge').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(FerryError);
    expect((error as Error).message).toBe(
      'Test API answered more than 64 MiB for /huge, the most ferry reads in one answer (a listing can ask for smaller pages: --page-size)',
    );
    expect(received).toHaveLength(1);
  });

  it('reads a body that starts with a byte order mark', async () => {
    const { body } = await send('/bom');
    expect(body).toEqual({ at: '/bom', body: 'ü' });
  });

  it('returns a redirect without a Location as it is, and fails on a Location that is not an http(s) URL', async () => {
    received = [];
    const response = await sendRequest(context('/nowhere'), `${originA}/nowhere`, {});
    expect(response.status).toBe(302);
    for (const [path, location] of [
      ['/bad', 'a malformed Location'],
      ['/mail', 'a mailto: Location'],
    ]) {
      const error = await send(path as string).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(FerryError);
      expect((error as Error).message).toBe(
        `Test API redirected ${path} to ${location} (302), not followed: not to an http(s) URL; check the connection's base URL`,
      );
      expect(received).toHaveLength(1);
    }
  });

  it('gives up after five redirects with an error naming the request', async () => {
    const error = await send('/loop').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(FerryError);
    expect((error as Error).message).toBe(
      `Test API redirected /loop to ${originA}/loop (302), not followed: more than 5 times; check the connection's base URL`,
    );
    expect(received).toHaveLength(6);
  });
});
