import { heartbeat } from '@temporalio/activity';
import { mapFailures } from './failures.js';

/**
 * Runs an activity body whose statements may each take a while (a million rows, a chunk of a large file) with a
 * heartbeat every few seconds meanwhile, so a lost worker shows within the heartbeat timeout and a busy one
 * never looks lost; errors mapped as every activity maps them.
 */
export async function beating<T>(body: () => Promise<T>): Promise<T> {
  const timer = setInterval(() => heartbeat(), 5_000);
  try {
    return await mapFailures(body);
  } finally {
    clearInterval(timer);
  }
}
