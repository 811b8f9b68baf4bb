import { heartbeat } from '@temporalio/activity';
import { getMigration } from '../migrations/registry.js';
import type {
  ChangesRequest,
  ChangesResult,
  ChunkRequest,
  ChunkResult,
  TimeWindow,
} from '../migrations/types.js';
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
  return {
    /** Prepares the target tables and settles the range: the source's first order when no start is given. */
    planBackfill(input: PlanInput): Promise<Plan> {
      return mapFailures(async () => {
        const migration = getMigration(input.migration);
        const connection = deps.resolveConnection(input.connection);
        await migration.prepareTarget(deps.db);
        const to = input.to ?? new Date().toISOString();
        const from = input.from ?? (await migration.sourceStart(input.connection, connection));
        const sourceTotal = from
          ? await migration.countSource(input.connection, connection, { from, to })
          : 0;
        return { from, to, sourceTotal };
      });
    },

    /** Fetches, transforms and writes one chunk in one transaction; only counts and the cursor come back. */
    copyChunk(input: ChunkInput): Promise<ChunkResult> {
      return mapFailures(async () => {
        const migration = getMigration(input.migration);
        const connection = deps.resolveConnection(input.connection);
        // Heartbeats let Temporal notice a killed worker in seconds instead of at the chunk's timeout.
        return migration.copyChunk(deps.db, input.connection, connection, input, () => heartbeat());
      });
    },

    /** Copies one chunk of the records changed since the cursor; only counts and the next cursor come back. */
    copyChanges(input: ChangesInput): Promise<ChangesResult> {
      return mapFailures(async () => {
        const migration = getMigration(input.migration);
        const connection = deps.resolveConnection(input.connection);
        return migration.copyChanges(deps.db, input.connection, connection, input, () => heartbeat());
      });
    },

    /** Writes what paging cannot see (records deleted at the source) before a window is copied again. */
    reconcileWindow(input: WindowInput): Promise<number> {
      return mapFailures(async () => {
        const migration = getMigration(input.migration);
        const connection = deps.resolveConnection(input.connection);
        return migration.reconcileWindow(deps.db, input.connection, connection, input.window);
      });
    },

    /** The source's and the target's counts for a window, to find skipped or stale records. */
    countWindow(input: WindowInput): Promise<WindowCounts> {
      return mapFailures(async () => {
        const migration = getMigration(input.migration);
        const connection = deps.resolveConnection(input.connection);
        const [sourceCount, targetCount] = await Promise.all([
          migration.countSource(input.connection, connection, input.window),
          migration.countTarget(deps.db, input.window),
        ]);
        return { sourceCount, targetCount };
      });
    },
  };
}
