/** Never slower than this: a source that throttles everything still gets a request now and then. */
const MIN_REQUESTS_PER_MINUTE = 1;
/** A cut goes to this share of what the source let through over the last minute. */
const UNDER_LIMIT = 0.9;
/** Additive increase: per minute of sending without a 429, the pace grows by this share of where it was cut to. */
const INCREASE_PER_MINUTE = 0.25;
/** 429s already in flight when the pace was cut say nothing new: none counts for this many intervals (≥ 2 s). */
const SETTLE_INTERVALS = 5;
const MIN_SETTLE_MS = 2_000;
/** The window the source's per-minute limit is judged over. */
const WINDOW_MS = 60_000;
/** This long without a 429 and the pace is lifted, wherever it stands. */
const QUIET_MS = 60_000;

/**
 * AIMD pacing for a source whose real limit is below what ferry was told (or when ferry was told none). A 429 cuts
 * the pace to 90% of the requests the source let through over the last minute, which against a per-minute limit
 * is just under it (multiplicative decrease); 429s of requests already in flight are not counted again. Every
 * minute of sending without a 429 adds a quarter of the pace it was cut to (additive increase), so a lowered limit
 * is followed in a shallow saw-tooth below it. Back at the rate where the 429s began, or after a minute without a
 * 429 (a storm that passed), the pace is lifted. One per worker and connection; `now` is injectable for tests.
 */
export class AdaptivePace {
  private requestsPerMinute: number | null = null;
  private ceiling = 0;
  private cutTo = 0;
  private cutAtMs = Number.NEGATIVE_INFINITY;
  private grownAtMs = 0;
  private nextAtMs = 0;
  private readonly sent: number[] = [];
  private oldest = 0;
  /** 429s answered within the last minute: sent less these is what the source let through. */
  private readonly limited: number[] = [];
  private limitedAtMs = 0;

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
    // Growth is earned by sending: time spent waiting (a long Retry-After, an idle worker) adds at most two
    // intervals' worth, or the pace would be back at the ceiling the moment a wait ends.
    const earnedMs = Math.min(now - this.grownAtMs, (2 * 60_000) / this.requestsPerMinute);
    this.requestsPerMinute += (earnedMs / 60_000) * INCREASE_PER_MINUTE * this.cutTo;
    this.grownAtMs = now;
    // Back at the rate where the 429s began, or a whole minute without one (a storm that passed): lifted.
    if (this.requestsPerMinute >= this.ceiling || now - this.limitedAtMs > QUIET_MS) {
      this.requestsPerMinute = null;
      return now;
    }
    const at = Math.max(now, this.nextAtMs);
    this.nextAtMs = at + 60_000 / this.requestsPerMinute;
    return at;
  }

  /** A 429: cut the pace, unless it was just cut and this answer was already on its way. */
  onRateLimited(): void {
    const now = this.now();
    const settleMs =
      this.requestsPerMinute === null
        ? 0
        : Math.max(MIN_SETTLE_MS, (SETTLE_INTERVALS * 60_000) / this.requestsPerMinute);
    this.limited.push(now);
    this.limitedAtMs = now;
    while ((this.limited[0] as number) <= now - WINDOW_MS) this.limited.shift();
    if (now - this.cutAtMs < settleMs) return;
    if (this.requestsPerMinute === null) this.ceiling = this.measuredPerMinute(now);
    const current = this.requestsPerMinute ?? this.ceiling;
    const letThrough =
      UNDER_LIMIT * this.perMinute(now, this.sent.length - this.oldest - this.limited.length);
    // When what got through says nothing lower (a storm of 429s after a good minute), the pace stays: the
    // Retry-After waits slow the requests meanwhile, and halving on every 429 of a storm would leave a crawl.
    this.requestsPerMinute = Math.max(MIN_REQUESTS_PER_MINUTE, Math.min(current, letThrough));
    this.cutTo = this.requestsPerMinute;
    this.cutAtMs = now;
    this.grownAtMs = now;
    this.nextAtMs = Math.max(this.nextAtMs, now + 60_000 / this.requestsPerMinute);
  }

  private measuredPerMinute(now: number): number {
    return this.perMinute(now, this.sent.length - this.oldest);
  }

  /** A count of the requests in the window, as a rate per minute over the time the window actually covers. */
  private perMinute(now: number, count: number): number {
    const first = this.sent[this.oldest];
    if (first === undefined) return MIN_REQUESTS_PER_MINUTE * 2;
    // Over less than a few seconds a count says little: measure as if over at least five.
    const spanMs = Math.max(5_000, now - first);
    return (count * 60_000) / spanMs;
  }
}
