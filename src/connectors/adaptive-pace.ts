/** Never slower than this: a source that throttles everything still gets a request now and then. */
const MIN_REQUESTS_PER_MINUTE = 1;
/** Additive increase: per minute without a 429, the pace grows by this share of the pace it was cut to. */
const INCREASE_PER_MINUTE = 0.25;
/** Back to no adaptive pace once it has grown this far past the pace it was cut to, with no 429 since. */
const LIFT_FACTOR = 4;
/** 429s already in flight when the pace was cut say nothing new: they are not counted for this long. */
const SETTLE_MS = 2_000;
/** The window a first 429's pace is measured over. */
const WINDOW_MS = 60_000;

/**
 * AIMD pacing for a source whose real limit is below what ferry was told (or when ferry was told none): every
 * 429 halves the pace (multiplicative decrease), every minute without one adds a quarter of the pace it was cut
 * to (additive increase), and once it is well past where the 429s began, the pace is lifted. The first 429 halves
 * the rate actually measured over the last minute. One per worker and connection; `now` is injectable for tests.
 */
export class AdaptivePace {
  private requestsPerMinute: number | null = null;
  private cutTo = 0;
  private cutAtMs = Number.NEGATIVE_INFINITY;
  private grownAtMs = 0;
  private nextAtMs = 0;
  private readonly sent: number[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  /** The current pace, or null when the source has not pushed back (or no longer does). */
  get pace(): number | null {
    return this.requestsPerMinute;
  }

  /** Reserves the next request's start; returns the instant (ms) to wait for. */
  reserve(): number {
    const now = this.now();
    this.sent.push(now);
    while ((this.sent[0] as number) <= now - WINDOW_MS) this.sent.shift();
    if (this.requestsPerMinute === null) return now;
    this.requestsPerMinute += ((now - this.grownAtMs) / 60_000) * INCREASE_PER_MINUTE * this.cutTo;
    this.grownAtMs = now;
    if (this.requestsPerMinute >= LIFT_FACTOR * this.cutTo) {
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
    if (now - this.cutAtMs < SETTLE_MS) return;
    const base = this.requestsPerMinute ?? this.measuredPerMinute(now);
    this.requestsPerMinute = Math.max(MIN_REQUESTS_PER_MINUTE, base / 2);
    this.cutTo = this.requestsPerMinute;
    this.cutAtMs = now;
    this.grownAtMs = now;
    this.nextAtMs = Math.max(this.nextAtMs, now + 60_000 / this.requestsPerMinute);
  }

  private measuredPerMinute(now: number): number {
    const first = this.sent[0];
    if (first === undefined) return MIN_REQUESTS_PER_MINUTE * 2;
    // Over less than a few seconds a count says little: measure as if over at least five.
    const spanMs = Math.max(5_000, now - first);
    return (this.sent.length * 60_000) / spanMs;
  }
}
