import { setTimeout as sleep } from 'node:timers/promises';

/** Long waits are cut into slices so that an activity keeps heartbeating through them. */
const MAX_SLICE_MS = 5_000;

/** Waits until `untilMs` (Date.now() time), calling `onWait` before each slice of at most five seconds. */
export async function waitAlive(untilMs: number, onWait: () => void): Promise<void> {
  for (let waitMs = untilMs - Date.now(); waitMs > 0; waitMs = untilMs - Date.now()) {
    onWait();
    await sleep(Math.min(waitMs, MAX_SLICE_MS));
  }
}
