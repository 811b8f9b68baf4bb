import { heartbeat } from '@temporalio/activity';
import { getMigration } from '../migrations/registry.js';
import type {
  ChangesRequest,
  ChangesResult,
  ChunkRequest,
  ChunkResult,
  Migration,
  TimeWindow,
} from '../migrations/types.js';
import type { SourceConnection } from '../sandbox/state-file.js';
import type { ActivityDeps } from './deps.js';
import { mapFailures } from './failures.js';

export interface PlanInput {
  migration: string;
  connection: string;
  from?: string;
  to?: string;
}

export interface Plan {
  /** null when the source holds nothing to copy. */
  from: string | null;
  to: string;
  sourceTotal: number;
}

export interface ChunkInput extends ChunkRequest {
  migration: string;
  connection: string;
}

export interface ChangesInput extends ChangesRequest {
  migration: string;
  connection: string;
}

export interface WindowInput {
  migration: string;
  connection: string;
  window: TimeWindow;
}

export interface WindowCounts {
  sourceCount: number;
  targetCount: number;
}

export function createBackfillActivities(deps: ActivityDeps) {
  /** Looks up the migration and the connection's secrets, and maps failures for Temporal. */
  const withMigration = <T>(
    input: { migration: string; connection: string },
    body: (migration: Migration, connection: SourceConnection) => Promise<T>,
  ): Promise<T> =>
    mapFailures(() => body(getMigration(input.migration), deps.resolveConnection(input.connection)));

  return {
    /** Prepares the target tables and settles the range: the source's first order when no start is given. */
    planBackfill: (input: PlanInput): Promise<Plan> =>
      withMigration(input, async (migration, connection) => {
        await migration.prepareTarget(deps.db);
        const to = input.to ?? new Date().toISOString();
        const from = input.from ?? (await migration.sourceStart(input.connection, connection));
        const sourceTotal = from
          ? await migration.countSource(input.connection, connection, { from, to })
          : 0;
        return { from, to, sourceTotal };
      }),

    /** Fetches, transforms and writes one chunk in one transaction; only counts and the cursor come back. */
    copyChunk: (input: ChunkInput): Promise<ChunkResult> =>
      // Heartbeats let Temporal notice a killed worker in seconds instead of at the chunk's timeout.
      withMigration(input, (migration, connection) =>
        migration.copyChunk(deps.db, input.connection, connection, input, () => heartbeat()),
      ),

    /** Copies one chunk of the records changed since the cursor; only counts and the next cursor come back. */
    copyChanges: (input: ChangesInput): Promise<ChangesResult> =>
      withMigration(input, (migration, connection) =>
        migration.copyChanges(deps.db, input.connection, connection, input, () => heartbeat()),
      ),

    /** Writes what paging cannot see (records deleted at the source) before a window is counted. */
    reconcileWindow: (input: WindowInput): Promise<number> =>
      withMigration(input, (migration, connection) =>
        migration.reconcileWindow(deps.db, input.connection, connection, input.window),
      ),

    /** The source's and the target's counts for a window, to find skipped or stale records. */
    countWindow: (input: WindowInput): Promise<WindowCounts> =>
      withMigration(input, async (migration, connection) => {
        const [sourceCount, targetCount] = await Promise.all([
          migration.countSource(input.connection, connection, input.window),
          migration.countTarget(deps.db, input.window),
        ]);
        return { sourceCount, targetCount };
      }),
  };
}
