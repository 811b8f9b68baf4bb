import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceHttpError, SourceRateLimitError } from '../../src/connectors/errors.js';
import { type RequestContext, sendRequest, throwUnlessOk } from '../../src/connectors/http.js';
import { type RateLimitKind, type Source, unpacedSource } from '../../src/connectors/source.js';

/**
 * What the test server answers next: a Retry-After value (null: none) for a 429, 'ok', a server error ('503'
 * as `{ status: 503 }`), or a request it never answers ('hang').
 */
let script: (string | null | 'ok' | 'hang' | { status: number })[] = [];
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((_req, res) => {
    const next = script.length > 0 ? script.shift() : 'ok';
    if (next === 'hang') return;
    if (typeof next === 'object' && next !== null) {
      res.writeHead(next.status).end('{"code":"internal_error"}');
      return;
    }
    if (next === 'ok') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      return;
    }
    res.writeHead(429, next === null ? {} : { 'retry-after': next }).end('{"code":"too_many"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/orders`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** A source that records the waits the connector asks for instead of sleeping through them. */
function recordingSource(): {
  source: Source;
  waits: number[];
  rateLimited: number[];
  limits: (RateLimitKind | undefined)[];
} {
  const waits: number[] = [];
  const rateLimited: number[] = [];
  const limits: (RateLimitKind | undefined)[] = [];
  const source: Source = {
    ...unpacedSource('shop', {
      kind: 'woocommerce',
      baseUrl: url,
      consumerKey: 'k',
      consumerSecret: 's',
      requestTimeoutSeconds: 1,
    }),
    wait: async (ms) => {
      waits.push(ms);
    },
    onRateLimited: (limit) => {
      rateLimited.push(waits.length);
      limits.push(limit);
    },
  };
  return { source, waits, rateLimited, limits };
}

async function send(answers: typeof script) {
  script = [...answers];
  const { source, waits, rateLimited } = recordingSource();
  const context: RequestContext = { system: 'WooCommerce', source, path: '/orders' };
  const response = await sendRequest(context, url, {});
  let error: unknown;
  try {
    throwUnlessOk(response, context);
  } catch (caught) {
    error = caught;
  }
  return { status: response.status, waits, error, rateLimited: rateLimited.length };
}

describe('429 and Retry-After', () => {
  it("tells the source what the API's 429s limit: per minute unless declared, or requests at the same time", async () => {
    for (const rateLimit of [undefined, 'concurrent'] as const) {
      script = ['0', 'ok'];
      const { source, limits } = recordingSource();
      const context: RequestContext = {
        system: 'Neon CRM',
        source,
        path: '/orders',
        ...(rateLimit ? { rateLimit } : {}),
      };
      expect((await sendRequest(context, url, {})).status).toBe(200);
      expect(limits).toEqual([rateLimit]);
    }
  });

  it('waits the seconds a Retry-After asks for, then sends the request again', async () => {
    expect(await send(['7', 'ok'])).toEqual({
      status: 200,
      waits: [7_000],
      error: undefined,
      rateLimited: 1,
    });
  });

  it('treats Retry-After: 0 and a missing header as one second, never a tight loop', async () => {
    expect(await send(['0', '0', null, 'ok'])).toEqual({
      status: 200,
      waits: [1_000, 1_000, 1_000],
      error: undefined,
      rateLimited: 3,
    });
  });

  it('waits until an HTTP-date Retry-After', async () => {
    const at = new Date(Date.now() + 30_000).toUTCString(); // whole seconds
    const { status, waits } = await send([at, 'ok']);
    expect(status).toBe(200);
    expect(waits[0]).toBeGreaterThan(28_000);
    expect(waits[0]).toBeLessThanOrEqual(30_000);
  });

  it('leaves a long Retry-After, or a sixth 429 in a row, to the activity retry with the delay asked', async () => {
    const long = await send(['600']);
    expect(long.waits).toEqual([]);
    expect(long.error).toBeInstanceOf(SourceRateLimitError);
    expect((long.error as SourceRateLimitError).retryAfterMs).toBe(600_000);
    expect((long.error as Error).message).toBe('WooCommerce rate limit on connection "shop"');

    const storm = await send(['2', '2', '2', '2', '2', '3']);
    expect(storm.waits).toEqual([2_000, 2_000, 2_000, 2_000, 2_000]);
    expect((storm.error as SourceRateLimitError).retryAfterMs).toBe(3_000);
  });
});

describe('5xx, timeouts and resets', () => {
  it('sends the request again after a jittered, growing backoff, keeping what the chunk has', async () => {
    const { status, waits, error } = await send([{ status: 503 }, { status: 500 }, 'hang', 'ok']);
    expect({ status, error }).toEqual({ status: 200, error: undefined });
    expect(waits).toHaveLength(3);
    // Full jitter: each wait is somewhere below its cap (500 ms, 1 s, 2 s).
    waits.forEach((wait, retry) => {
      expect(wait).toBeGreaterThanOrEqual(0);
      expect(wait).toBeLessThan(500 * 2 ** retry);
    });
  });

  it('gives up after four retries and leaves the error to the activity retry', async () => {
    const { status, waits, error } = await send(Array.from({ length: 5 }, () => ({ status: 502 })));
    expect(status).toBe(502);
    expect(waits).toHaveLength(4);
    expect(error).toBeInstanceOf(SourceHttpError);
    expect((error as Error).message).toBe('WooCommerce answered 502 for /orders');
  });
});
