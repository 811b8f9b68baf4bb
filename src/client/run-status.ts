import type { Client } from '@temporalio/client';
import type { SampleResult } from '../activities/verify.js';
import { formatDuration } from '../format.js';
import {
  type BackfillProgress,
  type PartitionReport,
  progressQuery,
  type RunState,
} from '../workflows/messages.js';
import { type SyncResult, syncProgressQuery } from '../workflows/sync-messages.js';
import { rootCauseMessage } from './failure.js';
import { noSuchRun } from './run-handle.js';

export interface RunStatus extends Partial<BackfillProgress> {
  workflowId: string;
  state: RunState;
  error?: string;
  /** An incremental sync's phase and counts (a backfill's progress is spread in instead). */
  sync?: SyncResult;
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
      throw noSuchRun(workflowId);
    }
    throw error;
  }
  const status = description.status.name;
  if (description.type === 'incrementalSync') {
    if (status === 'RUNNING') {
      return { workflowId, state: 'running', sync: await handle.query(syncProgressQuery) };
    }
    if (status === 'COMPLETED') {
      return { workflowId, state: 'completed', sync: (await handle.result()) as SyncResult };
    }
  }
  if (status === 'RUNNING') {
    return { workflowId, ...(await handle.query(progressQuery)), state: 'running' };
  }
  if (status === 'COMPLETED') {
    return { workflowId, ...((await handle.result()) as BackfillProgress), state: 'completed' };
  }
  const state = runStateOf(status);
  const error = await handle.result().then(
    () => undefined,
    (failure: Error) => rootCauseMessage(failure),
  );
  // A query on a closed run needs a worker; without one the state and error still tell what happened.
  const progress = await handle.query(progressQuery).catch(() => undefined);
  return {
    workflowId,
    ...progress,
    ...(progress ? { etaSeconds: null } : {}),
    state,
    ...(state === 'failed' && error ? { error } : {}),
  };
}

export function summarize(status: RunStatus): string {
  const r = status.records;
  const p = status.partitions;
  const c = status.state === 'running' ? status.control : undefined;
  const lines = [
    `${status.workflowId}: ${status.state}`,
    p
      ? `  partitions ${p.done}/${p.total} done, ${p.running} running, ${p.parked} parked, ${p.failed} failed, ${p.mismatched} mismatched`
      : '',
    c
      ? `  ${c.paused ? `PAUSED (ferry resume ${status.workflowId}), ` : ''}concurrency ${c.concurrency}, rate limit ${c.requestsPerMinute === null ? 'none' : `${c.requestsPerMinute} requests/min`}`
      : '',
    r && status.dryRun
      ? `  DRY RUN, nothing written: of ${r.fetched} records fetched, ${r.inserted} would be inserted, ${r.updated} updated, ${r.unchanged} unchanged`
      : r
        ? `  records fetched ${r.fetched} of ${status.sourceTotal ?? '?'}: inserted ${r.inserted}, updated ${r.updated}, unchanged ${r.unchanged}`
        : '',
    r?.deadLettered || r?.failedPages
      ? `  ${status.dryRun ? 'would dead-letter' : 'dead-lettered'} ${r.deadLettered ?? 0} records, ${r.failedPages ?? 0} failed pages (ferry dlq list)`
      : '',
    ...(status.sample ?? []).map(
      (difference) =>
        `    ${difference.change} ${difference.key}${difference.fields.length > 0 ? `: ${difference.fields.join(', ')}` : difference.change === 'update' ? ': its lines' : ''}`,
    ),
    status.recordsPerSecond !== undefined
      ? `  ${status.recordsPerSecond} records/s, elapsed ${formatDuration((status.elapsedMs ?? 0) / 1000)}` +
        // An ended run has nothing left to estimate.
        (status.state === 'running' ? `, ETA ${formatDuration(status.etaSeconds)}` : '')
      : '',
    ...(status.problems ?? []).map(problemLine),
    status.verification ? `  ${verificationLine(status.workflowId, status.verification)}` : '',
    status.sync ? `  ${syncLine(status.sync)}` : '',
    status.error ? `  error: ${status.error}` : '',
  ];
  return lines.filter(Boolean).join('\n');
}

/** A partition that did not end exact, with only what is known of it: a cancelled one was never counted. */
function problemLine(problem: PartitionReport): string {
  const known = problem.error
    ? [problem.error]
    : [
        problem.sourceCount !== undefined ? `source ${problem.sourceCount}` : '',
        problem.targetCount !== undefined ? `target ${problem.targetCount}` : '',
        problem.counts.deadLettered ? `${problem.counts.deadLettered} dead-lettered` : '',
        problem.counts.failedPages ? `${problem.counts.failedPages} failed pages` : '',
      ].filter(Boolean);
  return (
    `  partition ${problem.index} ${problem.window.from}..${problem.window.to}: ${problem.outcome}` +
    (known.length > 0 ? ` (${known.join(', ')})` : '')
  );
}

/** One sync's outcome on one line, for `ferry status` and `ferry schedule describe`. */
export function syncLine(
  sync: Pick<SyncResult, 'fetched' | 'inserted' | 'updated' | 'unchanged' | 'deleted' | 'durationMs'> &
    Partial<Pick<SyncResult, 'phase' | 'since'>>,
): string {
  return [
    sync.phase && sync.phase !== 'completed' ? `${sync.phase}:` : '',
    `fetched ${sync.fetched}, inserted ${sync.inserted}, updated ${sync.updated}, unchanged ${sync.unchanged}, lines deleted ${sync.deleted}`,
    `in ${formatDuration(sync.durationMs / 1000)}`,
    sync.since ? `(changes since ${sync.since})` : '',
  ]
    .filter(Boolean)
    .join(' ');
}

/** The backfill's final sample check on one line. */
export function verificationLine(workflowId: string, sample: SampleResult): string {
  const wrong = sample.differences.length + sample.notAtSource.length;
  return wrong === 0
    ? `verified: ${sample.sampled} random records equal the source field by field`
    : `verification: ${wrong} of ${sample.sampled} sampled records differ from the source; see \`ferry verify ${workflowId}\``;
}
