import { FerryError } from '../errors.js';
import {
  type ChangesRequest,
  type ChangesResult,
  type ChunkRequest,
  type ChunkResult,
  cursorOf,
  type TimeWindow,
} from '../migrations/types.js';
import { openRecordDeadLetters } from '../target/dead-letters.js';
import type { ActivityDeps } from './deps.js';
import { type EqualWorkRequest, equalWorkCuts, equalWorkWindows, RESOLUTION_MS } from './equal-work.js';
import type { SourceInput, WithMigration } from './source-scope.js';

export interface PlanInput extends SourceInput {
  from?: string;
  to?: string;
  /** Cut the range into windows of equal work from the source's counts; absent: the caller cuts it by days. */
  equalWork?: EqualWorkRequest;
}

export interface Plan {
  /** null when the source holds nothing to copy. */
  from: string | null;
  to: string;
  sourceTotal: number;
  /** The inner boundaries of windows of about equal work, ascending; absent: windows of partitionDays. */
  cuts?: string[];
}

/** A chunk's result with how long it took, by which its partition sizes the next one. */
async function timed<T extends object>(chunk: () => Promise<T>): Promise<T & { elapsedMs: number }> {
  const started = performance.now();
  const result = await chunk();
  return { ...result, elapsedMs: Math.round(performance.now() - started) };
}

/** Planning requests stay within this share of a minute of the run's rate (the plan has minutes to finish). */
const PLAN_RATE_SHARE = 0.5;

export interface ChunkInput extends ChunkRequest, SourceInput {
  window: TimeWindow;
}

/** A chunk asked for by a workflow of an earlier ferry, by page number. */
type LegacyChunkInput = Omit<ChunkInput, 'cursor'> & { cursor?: ChunkInput['cursor']; page?: number };

export interface ChangesInput extends ChangesRequest, SourceInput {
  window: TimeWindow;
}

export interface WindowInput extends SourceInput {
  window: TimeWindow;
}

export interface WindowCounts {
  sourceCount: number;
  targetCount: number;
  /** Records dead-lettered by chunks of this window and not resolved since: at the source, not in the target. */
  deadLettered: number;
}

export function createBackfillActivities(deps: ActivityDeps, withMigration: WithMigration) {
  return {
    /** Prepares the target tables and settles the range: the source's first order when no start is given. */
    planBackfill: (input: PlanInput): Promise<Plan> =>
      withMigration(input, async (migration, source) => {
        await migration.prepareTarget(deps.db);
        const to = input.to ?? new Date().toISOString();
        const from = input.from ?? (await migration.sourceStart(source));
        const sourceTotal = from ? await migration.countSource(source, { from, to }) : 0;
        if (!input.equalWork || !from || migration.windowed === false) return { from, to, sourceTotal };
        const windows = equalWorkWindows(sourceTotal, input.equalWork);
        const budget = input.requestsPerMinute
          ? Math.floor(input.requestsPerMinute * PLAN_RATE_SHARE)
          : Number.POSITIVE_INFINITY;
        const cuts = await equalWorkCuts(
          { from, to },
          sourceTotal,
          windows,
          (window) => migration.countSource(source, window),
          { allowedRequests: budget, resolutionMs: RESOLUTION_MS[migration.windowGranularity ?? 'second'] },
        );
        return { from, to, sourceTotal, cuts };
      }),

    /** Fetches, transforms and writes one chunk in one transaction; only counts and the cursor come back. */
    copyChunk: (input: ChunkInput | LegacyChunkInput): Promise<ChunkResult> =>
      // Heartbeats (context.onPage) let Temporal notice a killed worker in seconds instead of at the timeout.
      withMigration(input, (migration, source, context) =>
        timed(() => migration.copyChunk(deps.db, source, { ...input, cursor: cursorOf(input) }, context)),
      ),

    /** Copies one chunk of the records changed since the cursor; only counts and the next cursor come back. */
    copyChanges: (input: ChangesInput): Promise<ChangesResult> =>
      withMigration(input, (migration, source, context) => {
        if (!migration.copyChanges) {
          throw new FerryError(
            `Migration "${migration.name}" cannot list changes; run it without a catch-up`,
          );
        }
        const copyChanges = migration.copyChanges.bind(migration);
        return timed(() => copyChanges(deps.db, source, input, context));
      }),

    /** Writes what paging cannot see (records deleted at the source) before a window is counted. */
    reconcileWindow: (input: WindowInput): Promise<number> =>
      withMigration(input, (migration, source, context) =>
        migration.reconcileWindow(deps.db, source, input.window, context),
      ),

    /** The source's and the target's counts for a window, to find skipped or stale records. */
    countWindow: (input: WindowInput): Promise<WindowCounts> =>
      withMigration(input, async (migration, source, context) => {
        if (migration.countWindow) return migration.countWindow(deps.db, source, input.window, context);
        const [sourceCount, targetCount, deadLettered] = await Promise.all([
          migration.countSource(source, input.window),
          migration.countTarget(deps.db, input.window, context),
          openRecordDeadLetters(deps.db, migration.name, input.window),
        ]);
        return { sourceCount, targetCount, deadLettered };
      }),
  };
}
