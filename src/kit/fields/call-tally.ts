import type { Knex } from 'knex';
import type { Source } from '../../connectors/source.js';
import { afterWait } from '../../connectors/wait.js';

/** What a field migration asks an API for: its endpoints as its limits name them, and its field descriptions. */
export type Endpoint = 'search' | 'read' | 'write' | 'fields';

export interface EndpointCalls {
  calls: number;
  /** Answered 429 (each also counted as a call). */
  rateLimited: number;
}

/**
 * Counts a chunk's requests by endpoint: every attempt (the retries of a 429 or a 5xx included) and the 429s.
 * A chunk works on one endpoint at a time (search, then reads, then writes), so the phase names the endpoint.
 */
export class CallTally {
  readonly byEndpoint = new Map<Endpoint, EndpointCalls>();
  private phase: Endpoint = 'search';

  /** The source with its requests counted under the current phase. */
  count(source: Source): Source {
    return {
      ...source,
      beforeRequest: () =>
        afterWait(source.beforeRequest(), () => {
          this.entry().calls++;
        }),
      onRateLimited: (limit) => {
        this.entry().rateLimited++;
        source.onRateLimited(limit);
      },
    };
  }

  /** Runs `body` with its requests counted under `endpoint`. */
  async during<T>(endpoint: Endpoint, body: () => Promise<T>): Promise<T> {
    const before = this.phase;
    this.phase = endpoint;
    try {
      return await body();
    } finally {
      this.phase = before;
    }
  }

  private entry(): EndpointCalls {
    let entry = this.byEndpoint.get(this.phase);
    if (!entry) {
      entry = { calls: 0, rateLimited: 0 };
      this.byEndpoint.set(this.phase, entry);
    }
    return entry;
  }

  /** Adds the counts to the run's, in the chunk's transaction; the tally starts again from zero. */
  async save(trx: Knex | Knex.Transaction, runId: string): Promise<void> {
    const entries = [...this.byEndpoint];
    this.byEndpoint.clear();
    if (entries.length === 0) return;
    await trx.raw(
      `insert into ferry_api_calls (run_id, endpoint, calls, rate_limited)
       select ?, input.endpoint, input.calls, input.rate_limited
       from unnest(?::text[], ?::bigint[], ?::bigint[]) as input (endpoint, calls, rate_limited)
       on conflict (run_id, endpoint) do update set
         calls = ferry_api_calls.calls + excluded.calls,
         rate_limited = ferry_api_calls.rate_limited + excluded.rate_limited`,
      [
        runId,
        entries.map(([endpoint]) => endpoint),
        entries.map(([, counts]) => counts.calls),
        entries.map(([, counts]) => counts.rateLimited),
      ],
    );
  }
}

/** A run's requests by endpoint. */
export async function callsOf(db: Knex, runId: string): Promise<Partial<Record<Endpoint, EndpointCalls>>> {
  const rows: { endpoint: Endpoint; calls: string; rate_limited: string }[] = await db('ferry_api_calls')
    .where({ run_id: runId })
    .select('endpoint', 'calls', 'rate_limited');
  return Object.fromEntries(
    rows.map((row) => [row.endpoint, { calls: Number(row.calls), rateLimited: Number(row.rate_limited) }]),
  );
}
