import type { SourceConnection } from '../connectors/connection.js';
import { LookupCache } from './lookup-cache.js';
import { waitAlive } from './wait.js';

/** What a source's 429 says is exceeded: requests per minute, or requests at the same time. */
export type RateLimitKind = 'per-minute' | 'concurrent';

/** Why a request waits before it goes again: the source's limit (a 429), or its failure (a 5xx, a bad page). */
export type WaitReason = 'rate-limit' | 'retry';

/** A source connection resolved in the worker (its secrets never travel through Temporal), with the run's pacing. */
export interface Source {
  name: string;
  connection: SourceConnection;
  /**
   * Resolves when the next request may be sent under the run's rate limit; undefined when it may go at once (no
   * promise made: a detail request per record makes this a hot path).
   */
  beforeRequest(): Promise<void> | undefined;
  /**
   * The source answered 429. Against a limit of requests per minute (the default), its real limit is below the
   * pace: the pace slows down (AIMD). Against a limit of requests at the same time (`concurrent`, Neon's), the
   * request waits and goes again; the pace stays, since a slower pace frees no slot.
   */
  onRateLimited(limit?: RateLimitKind): void;
  /**
   * Waits before a request goes again, staying alive meanwhile (heartbeats): as long as the source asked (a 429's
   * Retry-After), or a backoff after it failed. The reason sorts the time in the run's report and metrics.
   */
  wait(ms: number, reason: WaitReason): Promise<void>;
  /** Lookups already answered in this run. */
  lookups: LookupCache;
  /**
   * The connection's login session (SAP's B1SESSION cookie, e-Boekhouden's token), shared by every activity of
   * this worker on the connection: each chunk would otherwise log in again and leave one more session open at
   * the source. `login` is the login under way, which requests that find no token wait for instead of logging in
   * again themselves.
   */
  session: { token?: string; login?: Promise<string> };
}

/** A source with no rate limit of the run's own: checks, tests and tools. */
export function unpacedSource(name: string, connection: SourceConnection): Source {
  return {
    name,
    connection,
    beforeRequest: () => undefined,
    onRateLimited: () => undefined,
    wait: (ms) => waitAlive(Date.now() + ms, () => undefined),
    lookups: new LookupCache(),
    session: {},
  };
}
