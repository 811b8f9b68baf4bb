import { formatDuration } from '../../format.js';
import type { incrementalSync } from '../../workflows/incremental-sync.js';
import { formatTable, note, printResult, utcSeconds } from '../output.js';
import { syncLine } from '../run-status.js';
import {
  backfillSyncSchedule,
  type CreateScheduleOptions,
  createResolvedSchedule,
  describeSyncSchedule,
  listSyncSchedules,
  resolvePastInterval,
  resolveSchedule,
  type SyncScheduleDetails,
  syncSchedule,
  triggerSyncSchedule,
} from '../schedules.js';
import { withClient } from '../temporal.js';

interface Json {
  json: boolean;
}

export async function runScheduleCreate(
  migration: string,
  options: Omit<CreateScheduleOptions, 'migration'> & Json,
): Promise<void> {
  const { json, ...rest } = options;
  // Bad input is named before Temporal is contacted.
  const schedule = resolveSchedule({ ...rest, migration });
  await withClient(async (client, config) => {
    const created = await createResolvedSchedule(client, config.taskQueue, schedule);
    printResult(
      json,
      {
        name: created.scheduleId,
        ...created.memo,
        catchupWindowMs: created.catchupWindowMs,
        paused: !!rest.paused,
      },
      () =>
        `created schedule ${created.scheduleId}: ${created.memo.migration} every ${created.memo.every}, lookback ${created.memo.lookback}, ` +
        `overlapping runs skipped; see it with \`ferry schedule describe ${created.scheduleId}\``,
    );
  });
}

export async function runScheduleList(options: Json): Promise<void> {
  await withClient(async (client) => {
    const schedules = await listSyncSchedules(client);
    printResult(options.json, { schedules }, () =>
      schedules.length === 0
        ? 'no sync schedules; create one with `ferry schedule create MIGRATION --every 5m`'
        : formatTable(
            ['NAME', 'MIGRATION', 'EVERY', 'LOOKBACK', 'STATE', 'LAST RUN (UTC)', 'NEXT RUN (UTC)'],
            schedules.map((s) => [
              s.name,
              s.migration,
              s.every,
              s.lookback,
              s.paused ? 'paused' : 'active',
              s.lastRunAt ? utcSeconds(s.lastRunAt) : '-',
              s.nextRunAt && !s.paused ? utcSeconds(s.nextRunAt) : '-',
            ]),
          ),
    );
  });
}

function describeText(d: SyncScheduleDetails): string {
  const head = [
    `${d.name}: ${d.migration} (connection ${d.connection}) every ${d.every}, lookback ${d.lookback}`,
    `  ${d.paused ? `PAUSED${d.note ? ` (${d.note})` : ''}` : 'active'}; overlap ${d.overlap}, catch-up window ${formatDuration(d.catchupWindowMs / 1000)}`,
    `  runs taken ${d.actionsTaken}, skipped while one ran ${d.skippedOverlap}, missed ${d.missedCatchupWindow}`,
    `  next: ${d.paused ? '- (paused)' : d.nextRunsAt.slice(0, 3).map(utcSeconds).join(', ') || '-'}`,
  ];
  if (d.recentRuns.length === 0) return [...head, '  no runs yet'].join('\n');
  const runs = formatTable(
    ['STARTED (UTC)', 'STATE', 'RESULT', 'WORKFLOW ID'],
    [...d.recentRuns]
      .reverse()
      .map((run) => [
        utcSeconds(run.startedAt),
        run.status,
        run.result ? syncLine(run.result) : (run.error ?? '-'),
        run.workflowId,
      ]),
  );
  return [...head, '', runs].join('\n');
}

export async function runScheduleDescribe(name: string, options: Json): Promise<void> {
  await withClient(async (client) => {
    const details = await describeSyncSchedule(client, name);
    printResult(options.json, details, () => describeText(details));
  });
}

export async function runSchedulePause(name: string, options: Json & { note?: string; unpause?: boolean }) {
  await withClient(async (client) => {
    const { handle } = await syncSchedule(client, name);
    const note = options.note ?? `${options.unpause ? 'unpaused' : 'paused'} with ferry`;
    if (options.unpause) await handle.unpause(note);
    else await handle.pause(note);
    const state = options.unpause ? 'active' : 'paused';
    printResult(options.json, { name, state, note }, () =>
      options.unpause
        ? `${name} is active again`
        : `${name} is paused: no new syncs start (a running one finishes); \`ferry schedule unpause ${name}\` resumes it`,
    );
  });
}

export async function runScheduleTrigger(name: string, options: Json & { wait: boolean }): Promise<void> {
  await withClient(async (client) => {
    const outcome = await triggerSyncSchedule(client, name);
    if (!outcome.started) {
      printResult(
        options.json,
        { name, started: false, runningWorkflowId: outcome.runningWorkflowId },
        () =>
          `${name}: skipped, a sync is still running (${outcome.runningWorkflowId ?? 'unknown'}); syncs never overlap`,
      );
      return;
    }
    if (!options.wait) {
      printResult(
        options.json,
        { name, started: true, workflowId: outcome.workflowId },
        () => `${name}: started ${outcome.workflowId}; follow it with \`ferry status ${outcome.workflowId}\``,
      );
      return;
    }
    note(`${name}: started ${outcome.workflowId}, waiting for it to finish...`);
    const result = await client.workflow
      .getHandle<typeof incrementalSync>(outcome.workflowId, undefined, {
        firstExecutionRunId: outcome.runId,
      })
      .result();
    printResult(
      options.json,
      { name, started: true, workflowId: outcome.workflowId, result },
      () => `${outcome.workflowId}: ${syncLine(result)}`,
    );
  });
}

export async function runScheduleDelete(name: string, options: Json): Promise<void> {
  await withClient(async (client) => {
    const { handle } = await syncSchedule(client, name);
    await handle.delete();
    printResult(
      options.json,
      { name, deleted: true },
      () =>
        `deleted schedule ${name} (a running sync finishes; the watermark stays, so a new schedule goes on from it)`,
    );
  });
}

export async function runScheduleBackfill(name: string, options: Json & { from: string; to: string }) {
  const interval = resolvePastInterval(options.from, options.to);
  await withClient(async (client) => {
    await backfillSyncSchedule(client, name, interval);
    printResult(
      options.json,
      { name, from: options.from, to: options.to },
      () =>
        `${name}: replaying ${options.from} → ${options.to}; each run re-reads changes from its own scheduled time`,
    );
  });
}
