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

/** As waitAlive, but undefined (no promise made) when `untilMs` has come already. */
export function waitAliveUnlessDue(untilMs: number, onWait: () => void): Promise<void> | undefined {
  return untilMs > Date.now() ? waitAlive(untilMs, onWait) : undefined;
}

/** A wait that may be over already: undefined then. */
export type Wait = () => Promise<void> | undefined;

/**
 * Waits for each of `waits` in turn, the next asked once the one before is over; undefined when none had to wait.
 * A request per record goes through a source's limits, which almost always let it go at once: awaiting each would
 * make promises for nothing, and under an activity's async context every promise costs a hook.
 */
export function inTurn(waits: readonly Wait[], from = 0): Promise<void> | undefined {
  for (let index = from; index < waits.length; index++) {
    const waiting = (waits[index] as Wait)();
    if (waiting) return waiting.then(() => inTurn(waits, index + 1));
  }
  return undefined;
}

/** Runs `then` once `waiting` is over, or at once when there is no wait (undefined then, as inTurn's). */
export function afterWait(waiting: Promise<void> | undefined, then: () => void): Promise<void> | undefined {
  if (waiting) return waiting.then(then);
  then();
  return undefined;
}
