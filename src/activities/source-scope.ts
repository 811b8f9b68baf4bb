import { activityInfo, heartbeat } from '@temporalio/activity';
import { AdaptivePace } from '../connectors/adaptive-pace.js';
import { RunLookupCaches } from '../connectors/lookup-cache.js';
import { RequestPacer } from '../connectors/pacer.js';
import { SharedRateLimiter } from '../connectors/shared-rate-limit.js';
import type { Source } from '../connectors/source.js';
import { afterWait, inTurn, waitAlive, waitAliveUnlessDue } from '../connectors/wait.js';
import { getMigration } from '../migrations/registry.js';
import type { ChunkContext, Migration, TimeWindow } from '../migrations/types.js';
import { ChunkTimer } from '../target/chunk-timing.js';
import type { ActivityDeps } from './deps.js';
import { mapFailures } from './failures.js';
import { SourceMetrics } from './metrics.js';

/** What every activity that talks to the source is told: the migration, the connection and the run's pace. */
export interface SourceInput {
  migration: string;
  connection: string;
  /** This caller's share of the run's rate limit; absent when the run has none. */
  requestsPerMinute?: number | null;
  /** The run this activity works for (a partition's backfill); absent: the calling workflow itself. */
  runId?: string;
  /** What lookups are remembered for (a backfill's first run id); absent: the calling workflow run. */
  lookupScope?: string;
  /** Write nothing: every transaction is rolled back after its counts are taken. */
  dryRun?: boolean;
  /** The window a chunk belongs to, when it has one: its dead letters are filed under it. */
  window?: TimeWindow;
  /** The run's options for its migration (a field migration's plan); plain JSON. */
  options?: unknown;
}

/** What a worker keeps per source connection, made on first use. */
class PerConnection<T> {
  private readonly byName = new Map<string, T>();
  constructor(private readonly make: () => T) {}
  of(connection: string): T {
    const found = this.byName.get(connection);
    if (found !== undefined) return found;
    const made = this.make();
    this.byName.set(connection, made);
    return made;
  }
}

export type WithMigration = <T>(
  input: SourceInput,
  body: (migration: Migration, source: Source, context: ChunkContext) => Promise<T>,
) => Promise<T>;

/**
 * Runs an activity's body with its migration and source: the connection's secrets looked up in the worker,
 * requests paced (the run's rate, then the connection's limit across workers), lookups cached for the workflow
 * run, the connection's session kept for the worker, failures mapped for Temporal. The pacer's last slot is
 * waited out before the activity returns, so that the caller's next activity starts within the rate too. One
 * scope per worker: every activity shares its caches.
 */
export function createSourceScope(deps: ActivityDeps): WithMigration {
  const lookupCaches = new RunLookupCaches();
  const sessions = new PerConnection<Source['session']>(() => ({}));
  const adaptivePaces = new PerConnection(() => new AdaptivePace());
  return (input, body) =>
    mapFailures(async () => {
      const pacer = new RequestPacer(input.requestsPerMinute, () => heartbeat());
      const shared = new SharedRateLimiter(deps.db, input.connection, () => heartbeat());
      const info = activityInfo();
      const runScope = input.lookupScope ?? info.workflowExecution?.runId ?? info.activityId;
      const adaptive = adaptivePaces.of(input.connection);
      const workflowId = info.workflowExecution?.workflowId ?? info.activityId;
      const metrics = new SourceMetrics({ migration: input.migration, connection: input.connection });
      const timer = new ChunkTimer(
        { runId: input.runId ?? workflowId, migration: input.migration, partitionKey: workflowId },
        () => pacer.remainingMs(),
      );
      // The run's own pace, the pace the source's 429s taught this worker, then the connection's limit shared with
      // every other worker and run.
      const limits = [
        () => pacer.take(),
        () => waitAliveUnlessDue(adaptive.reserve(), () => heartbeat()),
        () => shared.take(),
      ];
      const source: Source = {
        name: input.connection,
        connection: deps.resolveConnection(input.connection),
        beforeRequest: () => {
          const asked = performance.now();
          return afterWait(inTurn(limits), () => {
            const waitedMs = performance.now() - asked;
            metrics.request(waitedMs / 1000);
            timer.waitMs += waitedMs;
            timer.requests++;
          });
        },
        onRateLimited: (limit) => {
          metrics.rateLimited();
          timer.rateLimited++;
          if (limit !== 'concurrent') adaptive.onRateLimited();
        },
        // A wait the source asked for (Retry-After) is time spent on its limit too; a backoff after a failure is
        // the source's own time.
        wait: (ms, reason) => {
          if (reason === 'rate-limit') timer.waitMs += ms;
          else {
            metrics.retried();
            timer.retries++;
          }
          return waitAlive(Date.now() + ms, () => heartbeat());
        },
        lookups: lookupCaches.forRun(runScope),
        session: sessions.of(input.connection),
      };
      const context: ChunkContext = {
        onPage: () => heartbeat(),
        runScope,
        deadLetters: {
          runId: input.runId ?? workflowId,
          partitionKey: workflowId,
          ...(input.window ? { window: input.window } : {}),
        },
        dryRun: input.dryRun ?? false,
        timer,
      };
      const started = performance.now();
      try {
        const result = await body(getMigration(input.migration, input.options), source, context);
        // A dry run writes nothing: its counts are what would change, not what did.
        if (!input.dryRun) metrics.chunk(result, performance.now() - started);
        await pacer.settle();
        return result;
      } finally {
        metrics.flush();
      }
    });
}
