import { describe, expect, it } from 'vitest';
import { AdaptivePace } from '../../src/connectors/adaptive-pace.js';

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
  };
}

describe('AdaptivePace (AIMD on 429s)', () => {
  it('does not pace until the source pushes back', () => {
    const clock = pacedClock();
    for (let i = 0; i < 100; i++) expect(clock.send()).toBe(0);
    expect(clock.pace.pace).toBeNull();
  });

  it('halves the measured rate on the first 429 and spaces requests by it', () => {
    const clock = pacedClock();
    // 120 requests over the last minute: 2 a second.
    for (let i = 0; i < 120; i++) {
      clock.send();
      clock.advance(500);
    }
    clock.pace.onRateLimited();
    expect(clock.pace.pace).toBeCloseTo(60, 0);
    clock.send();
    const gaps = [clock.send(), clock.send(), clock.send()];
    // A second at 60 a minute, a little less as the pace grows back meanwhile.
    for (const gap of gaps) {
      expect(gap).toBeGreaterThan(950);
      expect(gap).toBeLessThanOrEqual(1_000);
    }
  });

  it('ignores the 429s already in flight, halves again on a later one, and grows back additively', () => {
    const clock = pacedClock();
    for (let i = 0; i < 120; i++) {
      clock.send();
      clock.advance(500);
    }
    clock.pace.onRateLimited();
    clock.pace.onRateLimited(); // same moment: an answer to a request sent before the cut
    expect(clock.pace.pace).toBeCloseTo(60, 0);
    // Five intervals at 60 a minute: 5 s before another 429 counts.
    clock.advance(4_000);
    clock.pace.onRateLimited();
    expect(clock.pace.pace).toBeCloseTo(60, 0);
    clock.advance(1_000);
    clock.pace.onRateLimited();
    expect(clock.pace.pace).toBeCloseTo(30, 0);
    // Thirty seconds without a 429 add a quarter of the ceiling (120 a minute, where the 429s began).
    clock.advance(30_000);
    clock.send();
    expect(clock.pace.pace).toBeCloseTo(60, 0);
  });

  it('lifts the pace once it is back at the rate where the 429s began, with no 429 since', () => {
    const clock = pacedClock();
    for (let i = 0; i < 120; i++) {
      clock.send();
      clock.advance(500);
    }
    clock.pace.onRateLimited();
    expect(clock.pace.pace).not.toBeNull();
    clock.advance(59_000);
    clock.send();
    expect(clock.pace.pace).not.toBeNull();
    clock.advance(2_000);
    clock.send();
    expect(clock.pace.pace).toBeNull();
    expect(clock.send()).toBe(0);
  });
});
