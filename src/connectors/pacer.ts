import { waitAlive, waitAliveUnlessDue } from './wait.js';

/**
 * Spaces a run's requests evenly: each request owns a slot of 60/requestsPerMinute seconds and the next one
 * starts no earlier than the end of that slot. `settle()` waits out the last slot, so that consecutive chunks
 * of one partition, each with a pacer of its own, stay under the rate together.
 */
export class RequestPacer {
  private nextAtMs = 0;
  private readonly intervalMs: number;

  constructor(
    requestsPerMinute: number | null | undefined,
    private readonly onWait: () => void = () => undefined,
  ) {
    this.intervalMs = requestsPerMinute ? 60_000 / requestsPerMinute : 0;
  }

  /**
   * Resolves when this request's slot starts; undefined, at once, when the run has no pace or its slot is now. The
   * slot is taken before the wait: requests that ask together (a chunk's detail requests, several in flight) each
   * get one of their own, where they used to wait for the same one and all go out when it came.
   */
  take(): Promise<void> | undefined {
    if (this.intervalMs === 0) return undefined;
    const slotAtMs = Math.max(Date.now(), this.nextAtMs);
    this.nextAtMs = slotAtMs + this.intervalMs;
    return waitAliveUnlessDue(slotAtMs, this.onWait);
  }

  /** How long settle() will wait from now: the rest of the last request's slot. */
  remainingMs(): number {
    return Math.max(0, this.nextAtMs - Date.now());
  }

  /** Resolves when the last request's slot is over. */
  settle(): Promise<void> {
    return waitAlive(this.nextAtMs, this.onWait);
  }
}
