import {
  type Client,
  ScheduleAlreadyRunning,
  type ScheduleDescription,
  type ScheduleHandle,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
} from '@temporalio/client';
import { z } from 'zod';
import { FerryError } from '../errors.js';
import { formatDuration } from '../format.js';
import { ferrySearchAttributes } from '../search-attributes.js';
import type { IncrementalSyncInput, incrementalSync, SyncResult } from '../workflows/incremental-sync.js';
import { isoInstant, toAfterFrom } from './backfill.js';
import { rootCauseMessage } from './failure.js';
import { invalidOption } from './options.js';
import { durationMs, resolveSync, type SyncOptions } from './sync.js';

/** What ferry keeps in a schedule's memo: how it was asked for, shown back by list and describe. */
const scheduleMemoSchema = z.object({
  ferry: z.literal('incremental-sync'),
  migration: z.string(),
  connection: z.string(),
  every: z.string(),
  lookback: z.string(),
});
export type SyncScheduleMemo = z.infer<typeof scheduleMemoSchema>;

const scheduleOptionsSchema = z.object({
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'use letters, digits, dots, dashes and underscores')
    .optional(),
  every: durationMs.refine((ms) => ms >= 10_000, 'must be at least 10s'),
  paused: z.boolean().default(false),
});

export interface CreateScheduleOptions extends Omit<SyncOptions, 'lookback'> {
  every: string;
  lookback?: string;
  name?: string;
  paused?: boolean;
}

/** A missed run is still taken if Temporal comes back within one interval (at least a minute); older ones are not. */
const catchupWindowMs = (everyMs: number) => Math.max(60_000, everyMs);

function noSuchSchedule(name: string): FerryError {
  return new FerryError(`No sync schedule named ${name}; list them with \`ferry schedule list\``);
}

/** The memo of a ferry sync schedule, or undefined for any other schedule in the namespace. */
function ferryMemo(memo: Record<string, unknown> | undefined): SyncScheduleMemo | undefined {
  const parsed = scheduleMemoSchema.safeParse(memo ?? {});
  return parsed.success ? parsed.data : undefined;
}

/** A schedule's options checked and resolved, before Temporal is contacted. */
export interface ResolvedSchedule {
  scheduleId: string;
  memo: SyncScheduleMemo;
  input: IncrementalSyncInput;
  everyMs: number;
  every: string;
  paused: boolean;
}

export function resolveSchedule(options: CreateScheduleOptions): ResolvedSchedule {
  const parsed = scheduleOptionsSchema.safeParse(options);
  if (!parsed.success) throw invalidOption(parsed.error);
  const input = resolveSync(options);
  const scheduleId = parsed.data.name ?? input.migration;
  return {
    scheduleId,
    memo: {
      ferry: 'incremental-sync',
      migration: input.migration,
      connection: input.connection,
      every: options.every,
      lookback: options.lookback ?? formatDuration(input.lookbackSeconds),
    },
    input,
    everyMs: parsed.data.every,
    every: options.every,
    paused: parsed.data.paused,
  };
}

/** Creates a Temporal Schedule that starts an incremental sync every interval, never two at once. */
export function createSyncSchedule(
  client: Client,
  taskQueue: string,
  options: CreateScheduleOptions,
): Promise<{ scheduleId: string; memo: SyncScheduleMemo; catchupWindowMs: number }> {
  return createResolvedSchedule(client, taskQueue, resolveSchedule(options));
}

export async function createResolvedSchedule(
  client: Client,
  taskQueue: string,
  { scheduleId, memo, input, everyMs, every, paused }: ResolvedSchedule,
): Promise<{ scheduleId: string; memo: SyncScheduleMemo; catchupWindowMs: number }> {
  const window = catchupWindowMs(everyMs);
  try {
    await client.schedule.create({
      scheduleId,
      spec: { intervals: [{ every: everyMs }] },
      action: {
        type: 'startWorkflow',
        workflowType: 'incrementalSync' satisfies typeof incrementalSync.name,
        // Temporal appends each run's scheduled time, so every sync has an id of its own.
        workflowId: `ferry/sync/${scheduleId}`,
        taskQueue,
        args: [input],
        typedSearchAttributes: ferrySearchAttributes(input.migration, 'incremental'),
        staticSummary: `${input.migration} incremental sync every ${every} (schedule ${scheduleId})`,
      },
      policies: {
        // A sync still running when the next is due makes that one skip: syncs never overlap.
        overlap: ScheduleOverlapPolicy.SKIP,
        catchupWindow: window,
        // One failed sync (the source down for a while) must not stop the ones after it.
        pauseOnFailure: false,
      },
      state: paused ? { paused: true, note: 'created paused' } : undefined,
      memo,
    });
  } catch (error) {
    if (error instanceof ScheduleAlreadyRunning) {
      throw new FerryError(
        `A schedule named ${scheduleId} already exists; delete it with \`ferry schedule delete ${scheduleId}\` or pass --name`,
      );
    }
    throw error;
  }
  return { scheduleId, memo, catchupWindowMs: window };
}

export interface SyncScheduleSummary extends SyncScheduleMemo {
  name: string;
  paused: boolean;
  note: string | undefined;
  nextRunAt: string | null;
  lastRunAt: string | null;
}

/** Every ferry sync schedule in the namespace (other schedules are left out). */
export async function listSyncSchedules(client: Client): Promise<SyncScheduleSummary[]> {
  const found: SyncScheduleSummary[] = [];
  for await (const schedule of client.schedule.list()) {
    const memo = ferryMemo(schedule.memo);
    if (!memo) continue;
    const recent = schedule.info.recentActions.at(-1);
    found.push({
      name: schedule.scheduleId,
      ...memo,
      paused: schedule.state.paused,
      note: schedule.state.note || undefined,
      nextRunAt: schedule.info.nextActionTimes[0]?.toISOString() ?? null,
      lastRunAt: recent?.takenAt.toISOString() ?? null,
    });
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

/** A handle on a ferry sync schedule and its description; other and missing schedules are refused by name. */
export async function syncSchedule(
  client: Client,
  name: string,
): Promise<{ handle: ScheduleHandle; description: ScheduleDescription; memo: SyncScheduleMemo }> {
  const handle = client.schedule.getHandle(name);
  const description = await handle.describe().catch((error: unknown) => {
    if (error instanceof ScheduleNotFoundError) throw noSuchSchedule(name);
    throw error;
  });
  const memo = ferryMemo(description.memo);
  if (!memo) throw new FerryError(`Schedule ${name} is not a ferry sync schedule; ferry leaves it alone`);
  return { handle, description, memo };
}

export type RunStatus =
  | 'running'
  | 'completed'
  | 'failed'
  | 'cancelled'
  | 'terminated'
  | 'timed_out'
  | 'continued';

export interface ScheduledRun {
  workflowId: string;
  scheduledAt: string;
  startedAt: string;
  closedAt: string | null;
  status: RunStatus;
  /** Counts and duration of a completed sync. */
  result: Pick<
    SyncResult,
    'fetched' | 'inserted' | 'updated' | 'unchanged' | 'deleted' | 'durationMs' | 'since' | 'watermark'
  > | null;
  error: string | null;
}

/** A run the schedule started, with its outcome read from Temporal (results are counts only, never records). */
async function scheduledRun(
  client: Client,
  action: ScheduleDescription['info']['recentActions'][number],
): Promise<ScheduledRun> {
  const { workflowId, firstExecutionRunId } = action.action.workflow;
  const handle = client.workflow.getHandle<typeof incrementalSync>(workflowId, undefined, {
    firstExecutionRunId,
  });
  const run: ScheduledRun = {
    workflowId,
    scheduledAt: action.scheduledAt.toISOString(),
    startedAt: action.takenAt.toISOString(),
    closedAt: null,
    status: 'running',
    result: null,
    error: null,
  };
  const description = await handle.describe().catch(() => undefined);
  if (!description) return { ...run, status: 'terminated', error: 'no longer kept by Temporal' };
  run.status = description.status.name.toLowerCase() as RunStatus;
  run.closedAt = description.closeTime?.toISOString() ?? null;
  if (run.status === 'running') return run;
  try {
    const result = await handle.result();
    const { fetched, inserted, updated, unchanged, deleted, durationMs, since, watermark } = result;
    return {
      ...run,
      status: 'completed',
      result: { fetched, inserted, updated, unchanged, deleted, durationMs, since, watermark },
    };
  } catch (error) {
    return { ...run, error: rootCauseMessage(error) };
  }
}

export interface SyncScheduleDetails extends SyncScheduleSummary {
  overlap: string;
  catchupWindowMs: number;
  nextRunsAt: string[];
  actionsTaken: number;
  skippedOverlap: number;
  missedCatchupWindow: number;
  /** Oldest first, as Temporal keeps them (its last ten). */
  recentRuns: ScheduledRun[];
}

export async function describeSyncSchedule(client: Client, name: string): Promise<SyncScheduleDetails> {
  const { description, memo } = await syncSchedule(client, name);
  const info = description.info;
  return {
    name,
    ...memo,
    paused: description.state.paused,
    note: description.state.note || undefined,
    nextRunAt: info.nextActionTimes[0]?.toISOString() ?? null,
    lastRunAt: info.recentActions.at(-1)?.takenAt.toISOString() ?? null,
    overlap: String(description.policies.overlap).toLowerCase(),
    catchupWindowMs: Number(description.policies.catchupWindow),
    nextRunsAt: info.nextActionTimes.map((time) => time.toISOString()),
    actionsTaken: info.numActionsTaken,
    skippedOverlap: info.numActionsSkippedOverlap,
    missedCatchupWindow: info.numActionsMissedCatchupWindow,
    recentRuns: await Promise.all(info.recentActions.map((action) => scheduledRun(client, action))),
  };
}

export type TriggerOutcome =
  | { started: true; workflowId: string; runId: string }
  | { started: false; runningWorkflowId: string | null };

const TRIGGER_NOTICE_MS = 30_000;

/**
 * Runs a schedule's sync now, under its overlap policy: while a sync is still running the trigger is skipped.
 * Temporal answers a trigger before its scheduler acts on it, so the outcome is read back from the schedule.
 * Runs are told apart by run id: two syncs started in the same second share a workflow id.
 */
export async function triggerSyncSchedule(client: Client, name: string): Promise<TriggerOutcome> {
  const { handle, description } = await syncSchedule(client, name);
  const runsOf = (info: ScheduleDescription['info']) =>
    [...info.runningActions, ...info.recentActions.map((action) => action.action)].map(
      (action) => action.workflow,
    );
  const known = new Set(runsOf(description.info).map((run) => run.firstExecutionRunId));
  const skippedBefore = description.info.numActionsSkippedOverlap;
  // The SDK's trigger allows overlap unless told otherwise; ferry's syncs never overlap.
  await handle.trigger(ScheduleOverlapPolicy.SKIP);
  const deadline = Date.now() + TRIGGER_NOTICE_MS;
  for (let delayMs = 10; Date.now() < deadline; delayMs = Math.min(200, delayMs * 2)) {
    const { info } = await handle.describe();
    const started = runsOf(info).find((run) => !known.has(run.firstExecutionRunId));
    if (started) return { started: true, workflowId: started.workflowId, runId: started.firstExecutionRunId };
    if (info.numActionsSkippedOverlap > skippedBefore) {
      // The schedule's list of running actions lags; the run it skipped for is its latest.
      const latest = info.recentActions.at(-1)?.action.workflow.workflowId;
      return { started: false, runningWorkflowId: latest ?? null };
    }
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
  throw new FerryError(
    `Schedule ${name} did not act on the trigger within ${TRIGGER_NOTICE_MS / 1000}s; is Temporal's scheduler overloaded?`,
  );
}

const pastIntervalSchema = z
  .object({
    from: isoInstant,
    to: isoInstant.refine(
      (to) => Date.parse(to) <= Date.now(),
      'must not be in the future: a backfill replays the past',
    ),
  })
  .superRefine(toAfterFrom);

export type PastInterval = z.output<typeof pastIntervalSchema>;

/** A schedule backfill's --from and --to, checked before Temporal is contacted. */
export function resolvePastInterval(from: string, to: string): PastInterval {
  const interval = pastIntervalSchema.safeParse({ from, to });
  if (!interval.success) throw invalidOption(interval.error);
  return interval.data;
}

/** Runs the schedule for a past interval (each missed time once, under its overlap policy). */
export async function backfillSyncSchedule(client: Client, name: string, interval: PastInterval) {
  const { handle } = await syncSchedule(client, name);
  await handle.backfill({ start: new Date(interval.from), end: new Date(interval.to) });
}
