import { describe, expect, it } from 'vitest';
import { AdaptivePace } from '../../../src/connectors/adaptive-pace.js';

/** A pace on a clock the test moves; `send` reserves a request and moves the clock to its start. */
function pacedClock() {
  let now = 1_000_000;
  const pace = new AdaptivePace(() => now);
  return {
    pace,
    advance: (ms: number) => {
      now += ms;
    },
    send: () => {
      const at = pace.reserve();
      const waited = at - now;
      now = Math.max(now, at);
      return waited;
    },
    /** Sends at the pace for this long (10 a second when there is no pace). */
    sendFor(ms: number) {
      const until = now + ms;
      while (now < until) {
        if (this.send() === 0) now += 100;
      }
    },
  };
}

describe('AdaptivePace (AIMD on 429s)', () => {
  it('does not pace until the source pushes back', () => {
    const clock = pacedClock();
    for (let i = 0; i < 100; i++) expect(clock.send()).toBe(0);
    expect(clock.pace.pace).toBeNull();
  });

  it('cuts to 90% of what the source let through over the last minute, and spaces requests by it', () => {
    const clock = pacedClock();
    // Two requests a second; the minute before the refused one holds 119 that got through.
    for (let i = 0; i < 121; i++) {
      clock.send();
      clock.advance(500);
    }
    clock.pace.onRateLimited();
    expect(clock.pace.pace).toBeCloseTo(0.9 * 119, 5);
    clock.send();
    const gaps = [clock.send(), clock.send(), clock.send()];
    // 60/107.1 s apart, a little less as the pace grows back meanwhile.
    for (const gap of gaps) {
      expect(gap).toBeGreaterThan(550);
      expect(gap).toBeLessThanOrEqual(561);
    }
  });

  it('ignores the 429s already in flight, cuts again on a later one, and grows back additively', () => {
    const clock = pacedClock();
    for (let i = 0; i < 121; i++) {
      clock.send();
      clock.advance(500);
    }
    clock.pace.onRateLimited();
    clock.pace.onRateLimited(); // same moment: an answer to a request sent before the cut
    expect(clock.pace.pace).toBeCloseTo(107.1, 5);
    // Six seconds at 107 a minute, then a 429: 90% of what got through in the minute before it.
    clock.sendFor(6_000);
    clock.pace.onRateLimited();
    expect(clock.pace.pace).toBeGreaterThan(100);
    expect(clock.pace.pace).toBeLessThan(106);
    const cut = clock.pace.pace as number;
    // Half a minute of sending without a 429 adds an eighth of where it was cut to (a quarter a minute).
    clock.sendFor(30_000);
    expect(clock.pace.pace).toBeGreaterThan(cut * 1.12);
    expect(clock.pace.pace).toBeLessThan(cut * 1.13);
  });

  it('earns no growth while it waits: after a long wait the pace is where it was cut', () => {
    const clock = pacedClock();
    for (let i = 0; i < 121; i++) {
      clock.send();
      clock.advance(500);
    }
    clock.pace.onRateLimited();
    clock.advance(50_000);
    clock.send();
    // At most two intervals (about 1.1 s at 107 a minute) earned.
    expect(clock.pace.pace).toBeLessThan(107.7);
  });

  it('lifts the pace once it is back at the rate where the 429s began, with no 429 since', () => {
    const clock = pacedClock();
    // 31 requests in 15.5 s (120 a minute), 30 of them let through: cut to 90% of 116, then + 26 a minute.
    for (let i = 0; i < 31; i++) {
      clock.send();
      clock.advance(500);
    }
    clock.pace.onRateLimited();
    expect(clock.pace.pace).toBeCloseTo((0.9 * 30 * 60) / 15.5, 5);
    clock.sendFor(10_000);
    expect(clock.pace.pace).not.toBeNull();
    clock.sendFor(30_000);
    expect(clock.pace.pace).toBeNull();
    expect(clock.send()).toBe(0);
  });

  it('lifts a crushed pace after a minute without a 429, however low it went', () => {
    const clock = pacedClock();
    clock.send();
    clock.advance(1_000);
    clock.send();
    // A storm: every request refused for 20 s.
    for (let i = 0; i < 20; i++) {
      clock.advance(1_000);
      clock.send();
      clock.pace.onRateLimited();
    }
    expect(clock.pace.pace).toBeLessThan(10);
    clock.advance(61_000);
    expect(clock.send()).toBe(0);
    expect(clock.pace.pace).toBeNull();
  });
});
