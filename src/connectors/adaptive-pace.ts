/** Never slower than this: a source that throttles everything still gets a request now and then. */
const MIN_REQUESTS_PER_MINUTE = 1;
/** Additive increase: per minute without a 429, the pace grows by this share of the rate where the 429s began. */
const INCREASE_PER_MINUTE = 0.5;
/** 429s already in flight when the pace was cut say nothing new: none counts for this many intervals (≥ 2 s). */
const SETTLE_INTERVALS = 5;
const MIN_SETTLE_MS = 2_000;
/** The window a first 429's rate is measured over. */
const WINDOW_MS = 60_000;

/**
 * AIMD pacing for a source whose real limit is below what ferry was told (or when ferry was told none). The first
 * 429 halves the rate measured over the last minute (the ceiling); each later one halves the pace again, once the
 * requests already on their way have been answered (multiplicative decrease). Every minute without a 429 adds half
 * the ceiling (additive increase), so a short storm of 429s costs a minute or two, and a lowered limit is followed
 * in a saw-tooth below it. Back at the ceiling, the pace is lifted. One per worker and connection; `now` is
 * injectable for tests.
 */
export class AdaptivePace {
  private requestsPerMinute: number | null = null;
  private ceiling = 0;
  private cutAtMs = Number.NEGATIVE_INFINITY;
  private grownAtMs = 0;
  private nextAtMs = 0;
  private readonly sent: number[] = [];
  private oldest = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** The current pace, or null when the source has not pushed back (or no longer does). */
  get pace(): number | null {
    return this.requestsPerMinute;
  }

  /** Reserves the next request's start; returns the instant (ms) to wait for. */
  reserve(): number {
    const now = this.now();
    this.sent.push(now);
    while ((this.sent[this.oldest] as number) <= now - WINDOW_MS) this.oldest++;
    // Drop what slid out of the window now and then, not on every request.
    if (this.oldest > 4096) {
      this.sent.splice(0, this.oldest);
      this.oldest = 0;
    }
    if (this.requestsPerMinute === null) return now;
    this.requestsPerMinute += ((now - this.grownAtMs) / 60_000) * INCREASE_PER_MINUTE * this.ceiling;
    this.grownAtMs = now;
    if (this.requestsPerMinute >= this.ceiling) {
      this.requestsPerMinute = null;
      return now;
    }
    const at = Math.max(now, this.nextAtMs);
    this.nextAtMs = at + 60_000 / this.requestsPerMinute;
    return at;
  }

  /** A 429: halve the pace, unless it was just halved and this answer was already on its way. */
  onRateLimited(): void {
    const now = this.now();
    const settleMs =
      this.requestsPerMinute === null
        ? 0
        : Math.max(MIN_SETTLE_MS, (SETTLE_INTERVALS * 60_000) / this.requestsPerMinute);
    if (now - this.cutAtMs < settleMs) return;
    if (this.requestsPerMinute === null) this.ceiling = this.measuredPerMinute(now);
    this.requestsPerMinute = Math.max(MIN_REQUESTS_PER_MINUTE, (this.requestsPerMinute ?? this.ceiling) / 2);
    this.cutAtMs = now;
    this.grownAtMs = now;
    this.nextAtMs = Math.max(this.nextAtMs, now + 60_000 / this.requestsPerMinute);
  }

  private measuredPerMinute(now: number): number {
    const first = this.sent[this.oldest];
    if (first === undefined) return MIN_REQUESTS_PER_MINUTE * 2;
    // Over less than a few seconds a count says little: measure as if over at least five.
    const spanMs = Math.max(5_000, now - first);
    return ((this.sent.length - this.oldest) * 60_000) / spanMs;
  }
}
