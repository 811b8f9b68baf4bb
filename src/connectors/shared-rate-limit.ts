import type { Knex } from 'knex';
import { waitAlive } from './wait.js';

/** A reserved request slot: when it starts, on the database's clock, and how long the caller waits for it. */
export interface RateSlot {
  slotAtMs: number;
  waitMs: number;
}

/** How long a connection found without a limit is taken to have none. */
export const UNLIMITED_RECHECK_MS = 1000;

/**
 * A source connection's request limit, shared by every worker and every run that uses the connection (issue 6):
 * the next free slot lives in PostgreSQL (`ferry_rate_limits`), and each request reserves one by moving it on by
 * 60/limit seconds in a single UPDATE. Slots come from the database's clock, so workers' clocks do not matter;
 * the limit is never exceeded in any window, and an idle connection gets its next request at once (no burst).
 */
export class SharedRateLimiter {
  private unlimitedUntilMs = 0;
  /** A reservation under way, which may find that the connection has no limit. */
  private asking: Promise<RateSlot | null> | undefined;

  constructor(
    private readonly db: Knex,
    private readonly connection: string,
    private readonly onWait: () => void = () => undefined,
  ) {}

  /**
   * Sets or lifts (null) the connection's limit; takes effect from the next reservation of any worker (within
   * UNLIMITED_RECHECK_MS for one that found none).
   */
  static async setLimit(db: Knex, connection: string, requestsPerMinute: number | null): Promise<void> {
    await db.raw(
      `insert into ferry_rate_limits (connection, requests_per_minute) values (?, ?)
       on conflict (connection) do update set requests_per_minute = excluded.requests_per_minute, updated_at = now()`,
      [connection, requestsPerMinute],
    );
  }

  /** Reserves the next slot; null when the connection has no limit. */
  async reserve(): Promise<RateSlot | null> {
    const { rows } = await this.db.raw<{ rows: { slot_at_ms: string; now_ms: string }[] }>(
      `update ferry_rate_limits
       set next_slot_at = greatest(next_slot_at, clock_timestamp()) + make_interval(secs => 60.0 / requests_per_minute),
           reserved = reserved + 1
       where connection = ? and requests_per_minute is not null
       returning extract(epoch from next_slot_at - make_interval(secs => 60.0 / requests_per_minute)) * 1000 as slot_at_ms,
                 extract(epoch from clock_timestamp()) * 1000 as now_ms`,
      [this.connection],
    );
    const row = rows[0];
    if (!row) return null;
    const slotAtMs = Number(row.slot_at_ms);
    return { slotAtMs, waitMs: Math.max(0, slotAtMs - Number(row.now_ms)) };
  }

  /**
   * Resolves when this caller's request may start. A connection found without a limit is asked again after
   * UNLIMITED_RECHECK_MS, not before every request: a chunk of a thousand requests then costs the database one
   * query, and a limit set meanwhile still applies within a second. Undefined, at once, while the connection is
   * known to have none (until the next look).
   */
  take(): Promise<void> | undefined {
    return Date.now() < this.unlimitedUntilMs ? undefined : this.takeSlot();
  }

  private async takeSlot(): Promise<void> {
    // Requests that start together while the answer is pending wait for it instead of asking too.
    if (this.asking) {
      if ((await this.asking) === null) return;
    }
    const asking = this.reserve();
    this.asking = asking;
    const slot = await asking.finally(() => {
      if (this.asking === asking) this.asking = undefined;
    });
    if (!slot) {
      this.unlimitedUntilMs = Date.now() + UNLIMITED_RECHECK_MS;
      return;
    }
    await waitAlive(Date.now() + slot.waitMs, this.onWait);
  }
}
