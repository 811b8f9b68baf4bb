/** Errors a connector raises; the activity layer maps them to Temporal retry behaviour. */

/** Credentials refused: retrying cannot help, the run fails fast. */
export class SourceAuthError extends Error {
  override readonly name = 'SourceAuthError';
}

/** A 5xx, timeout or reset: worth retrying with backoff. */
export class SourceHttpError extends Error {
  override readonly name = 'SourceHttpError';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** 429: retry after the delay the source asked for. */
export class SourceRateLimitError extends Error {
  override readonly name = 'SourceRateLimitError';
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
}

/** A page whose body is not what the API promises (truncated or invalid JSON). */
export class MalformedPageError extends Error {
  override readonly name = 'MalformedPageError';
}

/**
 * Retry-After is either delta-seconds or an HTTP date. `0` still waits a moment: retrying at once is how
 * clients end up in a tight loop against a limiter.
 */
export function parseRetryAfter(header: string | null, nowMs = Date.now(), floorMs = 1000): number {
  if (header === null || header.trim() === '') return floorMs;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Math.max(floorMs, Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? floorMs : Math.max(floorMs, date - nowMs);
}
