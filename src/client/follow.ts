import { setTimeout as sleep } from 'node:timers/promises';
import { note } from './output.js';

/**
 * Waits for a run's result, printing to stderr how it goes (`describe`, asked every two seconds) whenever that
 * changes: the CLI's view of a run that has no record count to draw a bar from.
 */
export async function followToEnd<T>(
  handle: { workflowId: string; result(): Promise<T> },
  describe: () => Promise<string>,
): Promise<T> {
  note(`started ${handle.workflowId}`);
  let finished = false;
  const result = handle.result().finally(() => {
    finished = true;
  });
  let shown = '';
  while (!finished) {
    await Promise.race([result.catch(() => undefined), sleep(2_000)]);
    if (finished) break;
    const line = await describe();
    if (line !== shown) note(line);
    shown = line;
  }
  return result;
}
