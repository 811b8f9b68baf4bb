import { WorkflowUpdateFailedError } from '@temporalio/client';
import { FerryError } from '../../errors.js';
import {
  type ControlAnswer,
  pauseUpdate,
  resumeUpdate,
  setConcurrencyUpdate,
  setRateLimitUpdate,
} from '../../workflows/control.js';
import { rootCauseMessage } from '../failure.js';
import { note, printResult } from '../output.js';
import { runningHandle } from '../run-handle.js';
import { withClient } from '../temporal.js';

/** One change asked of a running backfill; values are passed on as typed, for the workflow to judge. */
export type ControlChange =
  | { kind: 'pause' }
  | { kind: 'resume' }
  | { kind: 'set'; concurrency?: string; rate?: string };

/** "8" → 8, "off" → null (no limit); anything else goes to the workflow as is, which rejects it by name. */
function asValue(raw: string, offWord?: string): unknown {
  if (offWord && raw === offWord) return null;
  return /^-?\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : raw;
}

function describe(answer: ControlAnswer): string {
  const rate = answer.requestsPerMinute === null ? 'none' : `${answer.requestsPerMinute} requests/min`;
  return `${answer.paused ? 'paused' : 'running'}, ${answer.runningPartitions} partitions running, concurrency ${answer.concurrency}, rate limit ${rate}`;
}

export async function runControl(workflowId: string, change: ControlChange, options: { json: boolean }) {
  if (change.kind === 'set' && change.concurrency === undefined && change.rate === undefined) {
    throw new FerryError(
      'Nothing to set: give --concurrency N and/or --rate R (requests per minute, or off)',
    );
  }
  await withClient(async (client) => {
    const handle = await runningHandle(client, workflowId);
    let answer: ControlAnswer | undefined;
    try {
      if (change.kind === 'pause') {
        note(`pausing ${workflowId}: running partitions finish their current chunk first...`);
        answer = await handle.executeUpdate(pauseUpdate);
      } else if (change.kind === 'resume') {
        answer = await handle.executeUpdate(resumeUpdate);
      } else {
        if (change.concurrency !== undefined) {
          answer = await handle.executeUpdate(setConcurrencyUpdate, {
            args: [asValue(change.concurrency) as number],
          });
        }
        if (change.rate !== undefined) {
          answer = await handle.executeUpdate(setRateLimitUpdate, {
            args: [asValue(change.rate, 'off') as number | null],
          });
        }
      }
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError) {
        const reason = rootCauseMessage(error);
        throw new FerryError(`Run ${workflowId} refused the change: ${reason}`);
      }
      throw error;
    }
    const result = answer as ControlAnswer;
    printResult(options.json, { workflowId, ...result }, () => `${workflowId}: ${describe(result)}`);
  });
}
