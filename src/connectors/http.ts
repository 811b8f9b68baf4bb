import { FerryError } from '../errors.js';
import type { SourceConnection } from './connection.js';
import { MalformedPageError, parseRetryAfter, SourceHttpError, SourceRateLimitError } from './errors.js';
import type { Source } from './source.js';

/** The connection of the kind a connector needs; a connection of another kind is a configuration error. */
export function connectionOfKind<K extends SourceConnection['kind']>(
  source: Source,
  kind: K,
): Extract<SourceConnection, { kind: K }> {
  if (source.connection.kind !== kind) {
    throw new FerryError(
      `Connection "${source.name}" is a ${source.connection.kind} connection; this needs a ${kind} one`,
    );
  }
  return source.connection as Extract<SourceConnection, { kind: K }>;
}

/** Who is asked for what, for error messages: "WooCommerce", the connection's name, the request's path. */
export interface RequestContext {
  system: string;
  source: Source;
  path: string;
}

/** 429s answered in place, waiting as asked, before the activity's own retry takes over. */
const RATE_LIMITED_RETRIES = 5;
/** A longer Retry-After fails the activity with that delay instead of holding it open. */
const MAX_IN_PLACE_WAIT_MS = 60_000;

/**
 * Sends a request under the run's pace and a timeout; a network failure becomes a retryable SourceHttpError.
 * A 429 is waited out as its Retry-After says (seconds, an HTTP date, or 0, which still waits a second) and the
 * request sent again, so that a chunk keeps the pages it already has; past a few in a row, or a long wait, the
 * 429 is left to throwUnlessOk and the activity's retry.
 */
export async function sendRequest(
  context: RequestContext,
  url: string | URL,
  init: RequestInit,
  timeoutMs: number,
): Promise<Response> {
  for (let limited = 0; ; limited++) {
    await context.source.beforeRequest();
    let response: Response;
    try {
      response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
      throw new SourceHttpError(`${context.system} request ${context.path} failed (${cause})`, 0);
    }
    if (response.status !== 429 || limited >= RATE_LIMITED_RETRIES) return response;
    const waitMs = parseRetryAfter(response.headers.get('retry-after'));
    if (waitMs > MAX_IN_PLACE_WAIT_MS) return response;
    await response.body?.cancel();
    await context.source.wait(waitMs);
  }
}

/**
 * Throws the connector error a failed response stands for: 429 → SourceRateLimitError (with Retry-After), any
 * other non-2xx → SourceHttpError, with the source's own message when `messageOf` finds one in the body.
 */
export async function throwUnlessOk(
  response: Response,
  context: RequestContext,
  messageOf?: (body: unknown) => string | undefined,
): Promise<void> {
  if (response.ok) return;
  if (response.status === 429) {
    await response.body?.cancel();
    throw new SourceRateLimitError(
      `${context.system} rate limit on connection "${context.source.name}"`,
      parseRetryAfter(response.headers.get('retry-after')),
    );
  }
  let message: string | undefined;
  if (messageOf) message = messageOf(await response.json().catch(() => undefined));
  else await response.body?.cancel();
  throw new SourceHttpError(
    `${context.system} answered ${response.status} for ${context.path}${message ? `: ${message}` : ''}`,
    response.status,
  );
}

/** The body as JSON; a body that is not (a page cut short) is a MalformedPageError, retried like a 5xx. */
export async function readJson<T>(response: Response, what: string): Promise<T> {
  const text = await response.text();
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new MalformedPageError(`${what} is not valid JSON (${text.length} bytes)`);
  }
}
