import { setTimeout as sleep } from 'node:timers/promises';
import { describeCause, FerryError } from '../errors.js';
import { note } from './output.js';

/**
 * A dependency a worker needs at start (Temporal, PostgreSQL), waited for: while it is down (a restart, a deploy
 * of everything at once) the worker says so and tries again with backoff (1 s, doubling to 30 s) until `waitMs`
 * has passed, instead of exiting. What retrying cannot mend (`permanent`: a refused certificate or password)
 * fails at once; the last error is the caller's to word (`failure`).
 */
export async function waitFor<T>(
  what: string,
  waitMs: number,
  attempt: () => Promise<T>,
  options: {
    permanent: (error: unknown) => boolean;
    failure: (error: unknown) => Error;
    /** A shutdown asked for meanwhile (SIGTERM): stop waiting. */
    signal?: AbortSignal;
  },
): Promise<T> {
  const deadline = Date.now() + waitMs;
  for (let tries = 1, delay = 1_000; ; tries++, delay = Math.min(delay * 2, 30_000)) {
    try {
      return await attempt();
    } catch (error) {
      if (options.permanent(error) || Date.now() + delay > deadline) throw options.failure(error);
      note(
        `ferry worker: ${what} is not reachable yet (attempt ${tries}: ${describeCause(error)}); trying again in ${delay / 1000} s`,
      );
      await sleep(delay, undefined, options.signal ? { signal: options.signal } : {}).catch(() => {
        throw new FerryError(`ferry worker: stopped while waiting for ${what}`);
      });
    }
  }
}
