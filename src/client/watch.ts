import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { SingleBar } from 'cli-progress';
import { formatDuration } from '../format.js';
import { type RunStatus, readRunStatus } from './run-status.js';

/** Follows a run with a live bar (records, rate, ETA) on stderr until it ends; returns its final status. */
export async function watchRun(client: Client, workflowId: string, intervalMs = 1000): Promise<RunStatus> {
  const bar = new SingleBar({
    format:
      ' {bar} {percentage}% | {value}/{total} records | {rate} rec/s | ETA {eta_text} | partitions {parts}',
    stream: process.stderr,
    hideCursor: true,
    noTTYOutput: !process.stderr.isTTY,
    notTTYSchedule: 10_000,
  });
  let started = false;
  for (;;) {
    const status = await readRunStatus(client, workflowId);
    const total = Math.max(status.sourceTotal ?? 0, status.records?.fetched ?? 0, 1);
    const payload = {
      rate: status.recordsPerSecond ?? 0,
      eta_text: status.control?.paused ? 'paused' : formatDuration(status.etaSeconds),
      parts: status.partitions ? `${status.partitions.done}/${status.partitions.total}` : '?',
    };
    if (!started) {
      bar.start(total, status.records?.fetched ?? 0, payload);
      started = true;
    }
    bar.setTotal(total);
    bar.update(status.records?.fetched ?? 0, payload);
    if (status.state !== 'running') {
      bar.stop();
      return status;
    }
    await sleep(intervalMs);
  }
}
