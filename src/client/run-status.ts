import type { Client } from '@temporalio/client';
import { FerryError } from '../errors.js';
import { type BackfillProgress, progressQuery, type RunState } from '../workflows/messages.js';

export interface RunStatus extends Partial<BackfillProgress> {
  workflowId: string;
  state: RunState;
  error?: string;
}

const RUN_STATES: Record<string, RunState> = {
  RUNNING: 'running',
  COMPLETED: 'completed',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
  TERMINATED: 'failed',
  TIMED_OUT: 'failed',
  CONTINUED_AS_NEW: 'running',
};

/** Temporal's execution status (its enum name) as ferry's run state. */
export function runStateOf(status: string): RunState {
  return RUN_STATES[status] ?? 'failed';
}

/** A run's progress from its query while it runs, from its result or last known state once it has ended. */
export async function readRunStatus(client: Client, workflowId: string): Promise<RunStatus> {
  const handle = client.workflow.getHandle(workflowId);
  let description: Awaited<ReturnType<typeof handle.describe>>;
  try {
    description = await handle.describe();
  } catch (error) {
    if ((error as Error).name === 'WorkflowNotFoundError') {
      throw new FerryError(`No run with id ${workflowId}; list runs with \`ferry list\` or check the id`);
    }
    throw error;
  }
  const status = description.status.name;
  if (status === 'RUNNING') {
    return { workflowId, ...(await handle.query(progressQuery)), state: 'running' };
  }
  if (status === 'COMPLETED') {
    return { workflowId, ...((await handle.result()) as BackfillProgress), state: 'completed' };
  }
  const state = runStateOf(status);
  const error = await handle.result().then(
    () => undefined,
    (failure: Error) => (failure.cause as Error | undefined)?.message ?? failure.message,
  );
  // A query on a closed run needs a worker; without one the state and error still tell what happened.
  const progress = await handle.query(progressQuery).catch(() => undefined);
  return { workflowId, ...progress, state, ...(state === 'failed' && error ? { error } : {}) };
}

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0
    ? `${h}h${String(m).padStart(2, '0')}m`
    : m > 0
      ? `${m}m${String(s % 60).padStart(2, '0')}s`
      : `${s}s`;
}

export function summarize(status: RunStatus): string {
  const r = status.records;
  const p = status.partitions;
  const lines = [
    `${status.workflowId}: ${status.state}`,
    p
      ? `  partitions ${p.done}/${p.total} done, ${p.running} running, ${p.failed} failed, ${p.mismatched} mismatched`
      : '',
    r
      ? `  records fetched ${r.fetched} of ${status.sourceTotal ?? '?'}: inserted ${r.inserted}, updated ${r.updated}, unchanged ${r.unchanged}`
      : '',
    status.recordsPerSecond !== undefined
      ? `  ${status.recordsPerSecond} records/s, elapsed ${formatDuration((status.elapsedMs ?? 0) / 1000)}, ETA ${formatDuration(status.etaSeconds)}`
      : '',
    ...(status.problems ?? []).map(
      (problem) =>
        `  partition ${problem.index} ${problem.window.from}..${problem.window.to}: ${problem.outcome}` +
        (problem.error
          ? ` (${problem.error})`
          : ` (source ${problem.sourceCount}, target ${problem.targetCount})`),
    ),
    status.error ? `  error: ${status.error}` : '',
  ];
  return lines.filter(Boolean).join('\n');
}
