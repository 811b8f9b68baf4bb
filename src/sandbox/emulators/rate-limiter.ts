export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

const WINDOW_MS = 60_000;

/**
 * A sliding one-minute window per API key, as strict as a real gateway: no window of 60 seconds ever holds
 * more than the limit. Memory is bounded by the limit per key.
 */
export class SlidingWindowRateLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(private requestsPerMinute: number) {}

  get limit(): number {
    return this.requestsPerMinute;
  }

  /** 0 turns the limit off. */
  setLimit(requestsPerMinute: number): void {
    this.requestsPerMinute = requestsPerMinute;
  }

  take(key: string, nowMs = Date.now()): RateDecision {
    if (this.requestsPerMinute <= 0) return { allowed: true };
    const window = this.hits.get(key) ?? [];
    while (window.length > 0 && (window[0] as number) <= nowMs - WINDOW_MS) window.shift();
    if (window.length >= this.requestsPerMinute) {
      const oldestInWindow = window[window.length - this.requestsPerMinute] as number;
      return {
        allowed: false,
        retryAfterSeconds: Math.max(1, Math.ceil((oldestInWindow + WINDOW_MS - nowMs) / 1000)),
      };
    }
    window.push(nowMs);
    this.hits.set(key, window);
    return { allowed: true };
  }
}
