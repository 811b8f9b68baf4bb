import type { Client } from '@temporalio/client';
import { getMigration } from '../migrations/registry.js';
import { FERRY_KIND, FERRY_MIGRATION } from '../search-attributes.js';
import type { RunState } from '../workflows/messages.js';
import { runStateOf } from './run-status.js';

export const LISTED_STATES = ['running', 'completed', 'failed', 'cancelled'] as const;
export type ListedState = (typeof LISTED_STATES)[number];

export interface RunFilter {
  migration?: string;
  state?: ListedState;
  limit: number;
}

export interface RunSummary {
  workflowId: string;
  state: RunState;
  migration: string | undefined;
  startedAt: string;
  closedAt: string | undefined;
}

/** Which of Temporal's execution statuses each state stands for (failed includes terminated and timed out). */
const STATUSES: Record<ListedState, string[]> = {
  running: ['Running'],
  completed: ['Completed'],
  failed: ['Failed', 'Terminated', 'TimedOut'],
  cancelled: ['Canceled'],
};

const quoted = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/**
 * The visibility query for runs: top-level ferry workflows only (a backfill's partitions are part of it), and
 * not the runs a workflow continued as new from, which are the same run going on.
 */
export function runListQuery(filter: Omit<RunFilter, 'limit'>): string {
  const clauses = [
    // Explicit: under Elasticsearch visibility `!=` also matches workflows without the attribute.
    `${FERRY_KIND.name} IS NOT NULL`,
    `${FERRY_KIND.name} != 'partition'`,
    `ExecutionStatus != 'ContinuedAsNew'`,
  ];
  if (filter.migration)
    clauses.push(`${FERRY_MIGRATION.name} = ${quoted(getMigration(filter.migration).name)}`);
  if (filter.state) clauses.push(`ExecutionStatus IN (${STATUSES[filter.state].map(quoted).join(', ')})`);
  return clauses.join(' AND ');
}

/** Runs as Temporal's visibility lists them, newest first: no table of our own to drift from the truth. */
export async function listRuns(client: Client, filter: RunFilter): Promise<RunSummary[]> {
  const runs: RunSummary[] = [];
  for await (const execution of client.workflow.list({ query: runListQuery(filter) })) {
    runs.push({
      workflowId: execution.workflowId,
      state: runStateOf(execution.status.name),
      migration: execution.typedSearchAttributes.get(FERRY_MIGRATION),
      startedAt: execution.startTime.toISOString(),
      closedAt: execution.closeTime?.toISOString(),
    });
    if (runs.length >= filter.limit) break;
  }
  return runs;
}
