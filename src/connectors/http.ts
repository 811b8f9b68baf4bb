import { Agent, type Dispatcher, interceptors, request } from 'undici';
import { DEFAULT_REQUEST_TIMEOUT_SECONDS } from './connection.js';
import { MalformedPageError, parseRetryAfter, SourceHttpError, SourceRateLimitError } from './errors.js';
import type { RateLimitKind, Source } from './source.js';

/** Who is asked for what, for error messages: "WooCommerce", the connection's name, the request's path. */
export interface RequestContext {
  system: string;
  source: Source;
  path: string;
  /** Signs each attempt afresh (OAuth 1.0a allows a nonce once): the URL to send this attempt to. */
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
 * A source's answer: status, headers and a body that is read once or discarded (either frees the connection for
 * the next request). Sent with undici's `request` rather than `fetch`: a detail request per record is the hot
 * path of some sources, and `fetch`'s web streams cost about four times the CPU per request.
 */
export class SourceResponse {
  private headerList?: Headers;

  constructor(private readonly answer: Dispatcher.ResponseData) {}

  get status(): number {
    return this.answer.statusCode;
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  /** The headers as the web's Headers (built on first use: most answers are read for their body alone). */
  get headers(): Headers {
    if (!this.headerList) {
      this.headerList = new Headers();
      for (const [name, value] of Object.entries(this.answer.headers)) {
        for (const one of Array.isArray(value) ? value : [value ?? '']) this.headerList.append(name, one);
      }
    }
    return this.headerList;
  }

  text(): Promise<string> {
    return this.answer.body.text();
  }

  json(): Promise<unknown> {
    return this.answer.body.json();
  }

  /** Drops the body unread. */
  async discard(): Promise<void> {
    await this.answer.body.dump();
  }
}

/** Connections kept alive per origin; redirects followed as `fetch` follows them (a site moved to https). */
const dispatcher = new Agent().compose(interceptors.redirect({ maxRedirections: 5 }));

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
    await source.beforeRequest();
    // Signed outside the try: a signature that cannot be made (a credential missing) is not a network error.
    const target = context.authorize ? context.authorize(new URL(url)) : url;
    let response: SourceResponse;
    try {
      // The timeout bounds the wait for the headers and each pause in the body: a source that hangs is let go.
      response = new SourceResponse(
        await request(target, { ...init, dispatcher, headersTimeout: timeoutMs, bodyTimeout: timeoutMs }),
      );
    } catch (error) {
      const cause = (error as { code?: string }).code ?? (error as Error).name;
      // A request undici refuses to send (a bad header, a bad URL) fails the same way every time.
      if (cause.startsWith('UND_ERR_INVALID_ARG')) throw error;
      if (transient >= TRANSIENT_RETRIES) {
        throw new SourceHttpError(`${context.system} request ${context.path} failed (${cause})`, 0);
      }
      await source.wait(transientBackoffMs(transient++), 'retry');
      continue;
    }
    if (TRANSIENT_STATUSES.has(response.status) && transient < TRANSIENT_RETRIES) {
      await response.discard();
      await source.wait(transientBackoffMs(transient++), 'retry');
      continue;
    }
    if (response.status !== 429) return response;
    source.onRateLimited(context.rateLimit);
    if (limited >= RATE_LIMITED_RETRIES) return response;
    const waitMs = parseRetryAfter(response.headers.get('retry-after'));
    if (waitMs > MAX_IN_PLACE_WAIT_MS) return response;
    await response.discard();
    await source.wait(waitMs, 'rate-limit');
    limited++;
  }
}

/**
 * Throws the connector error a failed response stands for: 429 → SourceRateLimitError (with Retry-After), any
 * other non-2xx → SourceHttpError, with the source's own message when `messageOf` finds one in the body.
 */
export async function throwUnlessOk(
  response: SourceResponse,
  context: RequestContext,
  messageOf?: (body: unknown) => string | undefined,
): Promise<void> {
  if (response.ok) return;
  if (response.status === 429) {
    await response.discard();
    throw new SourceRateLimitError(
      `${context.system} rate limit on connection "${context.source.name}"`,
      parseRetryAfter(response.headers.get('retry-after')),
    );
  }
  let message: string | undefined;
  if (messageOf) message = messageOf(await response.json().catch(() => undefined));
  else await response.discard();
  throw new SourceHttpError(
    `${context.system} answered ${response.status} for ${context.path}${message ? `: ${message}` : ''}`,
    response.status,
  );
}

/** The body as JSON; a body that is not (a page cut short) is a MalformedPageError, retried like a 5xx. */
export async function readJson<T>(response: SourceResponse, what: string): Promise<T> {
  const text = await response.text();
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new MalformedPageError(`${what} is not valid JSON (${text.length} bytes)`);
  }
}
