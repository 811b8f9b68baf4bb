import type { IncomingHttpHeaders } from 'node:http';
import { Agent, type Dispatcher } from 'undici';
import { FerryError } from '../errors.js';
import { DEFAULT_REQUEST_TIMEOUT_SECONDS } from './connection.js';
import { MalformedPageError, parseRetryAfter, SourceHttpError, SourceRateLimitError } from './errors.js';
import type { RateLimitKind, Source } from './source.js';

/** Who is asked for what, for error messages: "WooCommerce", the connection's name, the request's path. */
export interface RequestContext {
  system: string;
  source: Source;
  path: string;
  /**
   * Signs each attempt afresh (OAuth 1.0a allows a nonce once): the URL to send this attempt to. It is given a copy
   * of the request's URL of its own, to change as it signs.
   */
  authorize?: (url: URL) => URL;
  /** What the source's 429s limit (see Source.onRateLimited); per minute unless the API declares otherwise. */
  rateLimit?: RateLimitKind;
}

/** What a request sends besides its URL. */
export interface RequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * A source's answer: status, headers and the whole body, already read. Requests are sent with undici's
 * `dispatch` and the body collected as it comes, rather than with `request` or `fetch`: a detail request per
 * record is the hot path of some sources, and the streams those wrap each body in cost a third of a request's
 * CPU (`fetch`'s web streams about four times `request`'s). Sources answer pages and records, not files.
 */
export class SourceResponse {
  private headerList?: Headers;

  /** The URL first asked, when redirects were followed to `url`. */
  redirectedFrom?: URL;

  constructor(
    /** Where the answer came from: the request's URL, or where its redirects led. */
    readonly url: URL,
    readonly status: number,
    private readonly rawHeaders: IncomingHttpHeaders,
    private readonly body: Buffer,
  ) {}

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  /** The headers as the web's Headers (built on first use: most answers are read for their body alone). */
  get headers(): Headers {
    if (!this.headerList) {
      this.headerList = new Headers();
      for (const [name, value] of Object.entries(this.rawHeaders)) {
        for (const one of Array.isArray(value) ? value : [value ?? '']) this.headerList.append(name, one);
      }
    }
    return this.headerList;
  }

  /** The body's size in bytes, as it came. */
  get size(): number {
    return this.body.length;
  }

  /** The body as text, without the byte order mark some servers put first (a WordPress plugin file's). */
  text(): string {
    const { body } = this;
    const bom = body.length >= 3 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf;
    return body.toString('utf8', bom ? 3 : 0);
  }

  /** The body as JSON, or as its text when it is not JSON (an error page): what an error's message is read from. */
  parsed(): unknown {
    const text = this.text();
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
}

/**
 * The most a source's answer may hold: an answer is read whole into memory, and a page or a record is a few
 * hundred kilobytes at most (100 WooCommerce orders: 230 KB). A bigger one is a source gone wrong, not data.
 */
export const MAX_ANSWER_BYTES = 64 * 1024 * 1024;

/** Connections kept alive per origin. */
const dispatcher = new Agent({ maxResponseSize: MAX_ANSWER_BYTES });

/**
 * Redirects are followed here, as `fetch` follows them, rather than by undici's redirect interceptor: that one
 * parses every answer's URL again and wraps every request's handler, which added two fifths to a small request's
 * client CPU (a loopback micro-benchmark: 42 against 60 µs) for answers that are almost never redirects.
 */
const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** 429s answered in place, waiting as asked, before the activity's own retry takes over. */
const RATE_LIMITED_RETRIES = 5;
/** A longer Retry-After fails the activity with that delay instead of holding it open. */
const MAX_IN_PLACE_WAIT_MS = 60_000;
/** 5xx, timeouts and resets sent again in place, so a chunk keeps the pages it already has. */
const TRANSIENT_RETRIES = 4;
const TRANSIENT_BASE_MS = 500;
const TRANSIENT_CAP_MS = 10_000;
const TRANSIENT_STATUSES = new Set([500, 502, 503, 504]);

/**
 * "Full jitter" backoff: a random wait up to an exponentially growing cap, so that workers that failed together
 * do not come back together.
 */
export function transientBackoffMs(retry: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(TRANSIENT_CAP_MS, TRANSIENT_BASE_MS * 2 ** retry));
}

/**
 * Sends a request under the run's pace and the connection's timeout. A 5xx, a timeout or a reset is sent again
 * after a jittered backoff; a 429 is waited out as its Retry-After says (seconds, an HTTP date, or 0, which
 * still waits a second) and reported to the source's pace (`onRateLimited`), which slows down. Either way the
 * chunk keeps the pages it already has. Past a few in a row, or a long Retry-After, the failure is left to
 * throwUnlessOk and the activity's retry.
 */
export async function sendRequest(
  context: RequestContext,
  url: string | URL,
  init: RequestInit,
): Promise<SourceResponse> {
  const { source } = context;
  const timeoutMs = (source.connection.requestTimeoutSeconds ?? DEFAULT_REQUEST_TIMEOUT_SECONDS) * 1000;
  let limited = 0;
  let transient = 0;
  for (;;) {
    const paced = source.beforeRequest();
    if (paced) await paced;
    // Signed outside the try: a signature that cannot be made (a credential missing) is not a network error.
    const target = context.authorize ? context.authorize(new URL(url)) : url;
    let response: SourceResponse;
    try {
      const asked = typeof target === 'string' ? new URL(target) : target;
      // A source that hangs is let go after the connection's timeout.
      response = await exchange(asked, init, timeoutMs);
      // Apart, so that an answer that is not a redirect (almost all of them) costs one promise, not two.
      if (REDIRECT_STATUSES.has(response.status)) {
        response = await followRedirects(context, asked, init, timeoutMs, response);
      }
    } catch (error) {
      const cause = (error as { code?: string }).code ?? (error as Error).name;
      if (cause === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') {
        throw new FerryError(
          `${context.system} answered more than ${MAX_ANSWER_BYTES / 1024 / 1024} MiB for ${context.path}, the most ferry reads in one answer (a listing can ask for smaller pages: --page-size)`,
        );
      }
      // A request undici refuses to send (a bad header, a bad URL), or a redirect not to follow, fails the same
      // way every time.
      if (error instanceof FerryError || cause.startsWith('UND_ERR_INVALID_ARG')) throw error;
      if (transient >= TRANSIENT_RETRIES) {
        throw new SourceHttpError(`${context.system} request ${context.path} failed (${cause})`, 0);
      }
      await source.wait(transientBackoffMs(transient++), 'retry');
      continue;
    }
    if (TRANSIENT_STATUSES.has(response.status) && transient < TRANSIENT_RETRIES) {
      await source.wait(transientBackoffMs(transient++), 'retry');
      continue;
    }
    if (response.status !== 429) return response;
    source.onRateLimited(context.rateLimit);
    if (limited >= RATE_LIMITED_RETRIES) return response;
    const waitMs = parseRetryAfter(response.headers.get('retry-after'));
    if (waitMs > MAX_IN_PLACE_WAIT_MS) return response;
    await source.wait(waitMs, 'rate-limit');
    limited++;
  }
}

/**
 * The redirects a request's first answer (and those after it) ask for, followed: a 303 (and a 301 or 302 to a POST)
 * is followed with a GET (a HEAD stays one) and no body, a 307 or 308 with the same method and body. Another origin
 * gets only the headers any origin may (accept, content-type…): an API key in a header of its own stays home, like
 * Authorization and cookies. A redirect without a Location is returned as the answer it is. Not followed, and an
 * error that names where it led, without its query (a signature, a key): a sixth redirect in a row, a Location that
 * is not an http(s) URL, one from https to http, and a body (a login's secret) sent on to another origin, unless
 * from http to https on the same host.
 * A signed request (OAuth 1.0a) is not signed again for where it is sent on: its source answers 401, and the
 * refusal names where the request was redirected (SourceResponse.url).
 */
async function followRedirects(
  context: RequestContext,
  asked: URL,
  init: RequestInit,
  timeoutMs: number,
  first: SourceResponse,
): Promise<SourceResponse> {
  let url = asked;
  let sending = init;
  let response = first;
  for (let redirects = 0; ; redirects++) {
    if (redirects > 0) response = await exchange(url, sending, timeoutMs);
    const location = REDIRECT_STATUSES.has(response.status) ? response.headers.get('location') : null;
    if (!location) {
      if (redirects > 0) response.redirectedFrom = asked;
      return response;
    }
    const next = URL.parse(location, url);
    const method = sending.method ?? 'GET';
    const asGet = response.status === 303 || (method === 'POST' && response.status <= 302);
    const refusal = redirectRefusal(url, next, redirects, !asGet && sending.body !== undefined);
    // (next is null only where there is a refusal.)
    if (refusal !== undefined || next === null) {
      throw new FerryError(
        `${context.system} redirected ${context.path} to ${placeOf(next)} (${response.status}), not followed: ${refusal}; check the connection's base URL`,
      );
    }
    const crossOrigin = next.origin !== url.origin;
    const changesMethod = asGet && method !== 'GET' && method !== 'HEAD';
    const sent = (name: string) =>
      (!crossOrigin || ANY_ORIGIN_HEADERS.includes(name)) && !(changesMethod && BODY_HEADERS.includes(name));
    sending = {
      ...(asGet ? { method: method === 'HEAD' ? 'HEAD' : 'GET' } : { method, body: sending.body }),
      headers:
        sending.headers &&
        Object.fromEntries(Object.entries(sending.headers).filter(([name]) => sent(name.toLowerCase()))),
    };
    url = next;
  }
}

/** Why a redirect from `from` to `next` (null: not a URL) is not followed, or undefined when it is. */
export function redirectRefusal(
  from: URL,
  next: URL | null,
  redirectsSoFar: number,
  sendsBody: boolean,
): string | undefined {
  if (redirectsSoFar >= MAX_REDIRECTS) return `more than ${MAX_REDIRECTS} times`;
  if (next === null || !isHttp(next)) return 'not to an http(s) URL';
  if (from.protocol === 'https:' && next.protocol === 'http:') return 'from https to http';
  // The same host over https is where a site that moved to https answers; a login's body is safe to send there.
  const upgraded = from.protocol === 'http:' && next.protocol === 'https:' && next.hostname === from.hostname;
  if (sendsBody && next.origin !== from.origin && !upgraded) return 'with its body to another origin';
  return undefined;
}

/**
 * One request and its whole answer. The timeout bounds the wait for the headers and each pause in the body;
 * failures (a refused connection, a reset, a timeout, an argument undici refuses) reject with undici's error.
 */
function exchange(url: URL, init: RequestInit, timeoutMs: number): Promise<SourceResponse> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let status = 0;
    let headers: IncomingHttpHeaders = {};
    const handler: Dispatcher.DispatchHandler = {
      // Its presence tells undici this handler speaks the current handler API; nothing to do when it starts.
      onRequestStart() {},
      onResponseStart(_controller, statusCode, responseHeaders) {
        status = statusCode;
        headers = responseHeaders;
      },
      onResponseData(_controller, chunk) {
        chunks.push(chunk);
      },
      onResponseEnd() {
        resolve(
          new SourceResponse(
            url,
            status,
            headers,
            chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks),
          ),
        );
      },
      onResponseError(_controller, error) {
        reject(error);
      },
    };
    try {
      dispatcher.dispatch(
        {
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          method: (init.method ?? 'GET') as Dispatcher.HttpMethod,
          headers: init.headers,
          body: init.body,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        },
        handler,
      );
    } catch (error) {
      reject(error);
    }
  });
}

/** What fetch drops from a redirect that turns a request with a body into a GET. */
const BODY_HEADERS = [
  'content-type',
  'content-length',
  'content-encoding',
  'content-language',
  'content-location',
];
/** The headers sent on to another origin: what says how to answer, never who asks (the CORS-safelisted ones). */
const ANY_ORIGIN_HEADERS = ['accept', 'accept-language', 'content-language', 'content-type', 'user-agent'];

const isHttp = (url: URL): boolean => url.protocol === 'http:' || url.protocol === 'https:';

/** A URL for an error message: its origin and path, never its query (a signature, a key). */
function placeOf(url: URL | null): string {
  if (url === null) return 'a malformed Location';
  return isHttp(url) ? `${url.origin}${url.pathname}` : `a ${url.protocol} Location`;
}

/**
 * Where a redirected answer came from, for an error about it ("redirected to https://…/path"); undefined for an
 * answer from where it was asked.
 */
export function redirectedTo(response: SourceResponse): string | undefined {
  const from = response.redirectedFrom;
  if (!from) return undefined;
  const where = placeOf(response.url);
  return `redirected to ${where}${response.url.origin === from.origin ? '' : ', where its credentials are not sent'}`;
}

/**
 * Throws the connector error a failed response stands for: 429 → SourceRateLimitError (with Retry-After), any
 * other non-2xx → SourceHttpError, with the source's own message when `messageOf` finds one in the body.
 */
export function throwUnlessOk(
  response: SourceResponse,
  context: RequestContext,
  messageOf?: (body: unknown) => string | undefined,
): void {
  if (response.ok) return;
  if (response.status === 429) {
    throw new SourceRateLimitError(
      `${context.system} rate limit on connection "${context.source.name}"`,
      parseRetryAfter(response.headers.get('retry-after')),
    );
  }
  const message = messageOf?.(response.parsed());
  const where = redirectedTo(response);
  throw new SourceHttpError(
    `${context.system} answered ${response.status} for ${context.path}${where ? ` (${where})` : ''}${message ? `: ${message}` : ''}`,
    response.status,
  );
}

/** The body as JSON; a body that is not (a page cut short) is a MalformedPageError, retried like a 5xx. */
export function readJson<T>(response: SourceResponse, what: string): T {
  const text = response.text();
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new MalformedPageError(`${what} is not valid JSON (${response.size} bytes)`);
  }
}
