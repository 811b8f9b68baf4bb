import { describe, expect, it } from 'vitest';
import { afterWait, inTurn, type Wait, waitAliveUnlessDue } from '../../../src/connectors/wait.js';

/** A wait the test ends by hand, recording when it was asked. */
function heldWait(name: string, asked: string[]) {
  let release = () => undefined as void;
  const wait: Wait = () => {
    asked.push(name);
    return new Promise<void>((resolve) => {
      release = resolve;
    });
  };
  return { wait, release: () => release() };
}

describe('inTurn', () => {
  it('makes no promise when no wait holds the request back, and asks every one', () => {
    const asked: string[] = [];
    const free =
      (name: string): Wait =>
      () => {
        asked.push(name);
        return undefined;
      };
    expect(inTurn([free('pace'), free('adaptive'), free('shared')])).toBeUndefined();
    expect(asked).toEqual(['pace', 'adaptive', 'shared']);
  });

  it('asks the next wait only once the one before is over', async () => {
    const asked: string[] = [];
    const pace = heldWait('pace', asked);
    const shared = heldWait('shared', asked);
    let done = false;
    const waiting = inTurn([
      pace.wait,
      () => {
        asked.push('adaptive');
        return undefined;
      },
      shared.wait,
    ])?.then(() => {
      done = true;
    });
    expect(waiting).toBeInstanceOf(Promise);
    expect(asked).toEqual(['pace']);
    pace.release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(asked).toEqual(['pace', 'adaptive', 'shared']);
    expect(done).toBe(false);
    shared.release();
    await waiting;
    expect(done).toBe(true);
  });
});

describe('waitAliveUnlessDue', () => {
  it('is undefined for a time already come, and waits (heartbeating) for one ahead', async () => {
    let beats = 0;
    expect(waitAliveUnlessDue(Date.now() - 1, () => beats++)).toBeUndefined();
    const started = Date.now();
    await waitAliveUnlessDue(started + 30, () => beats++);
    expect(Date.now() - started).toBeGreaterThanOrEqual(29);
    expect(beats).toBeGreaterThanOrEqual(1);
  });
});

describe('afterWait', () => {
  it('runs at once with no wait, and only once a wait is over', async () => {
    const ran: string[] = [];
    expect(afterWait(undefined, () => ran.push('now'))).toBeUndefined();
    expect(ran).toEqual(['now']);
    let release = () => undefined as void;
    const waiting = afterWait(
      new Promise<void>((resolve) => {
        release = resolve;
      }),
      () => ran.push('after'),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(ran).toEqual(['now']);
    release();
    await waiting;
    expect(ran).toEqual(['now', 'after']);
  });
});
