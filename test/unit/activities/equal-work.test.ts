import { describe, expect, it } from 'vitest';
import { equalWorkCuts, equalWorkWindows } from '../../../src/activities/equal-work.js';
import type { TimeWindow } from '../../../src/migrations/types.js';

const RANGE = { from: '2020-01-01T00:00:00.000Z', to: '2025-01-01T00:00:00.000Z' };
const START = Date.parse(RANGE.from);
const SPAN = Date.parse(RANGE.to) - START;

/** A store whose records were created at these instants, counted as a source counts a window. */
function store(instants: number[]) {
  let requests = 0;
  const count = async (window: TimeWindow) => {
    requests++;
    const [from, to] = [Date.parse(window.from), Date.parse(window.to)];
    return instants.filter((at) => at >= from && at < to).length;
  };
  return { count, requests: () => requests, total: instants.length, instants };
}

/** The records in each window the cuts make. */
function perWindow(instants: number[], cuts: string[]): number[] {
  const bounds = [START, ...cuts.map((cut) => Date.parse(cut)), Date.parse(RANGE.to)];
  return bounds
    .slice(0, -1)
    .map((from, i) => instants.filter((at) => at >= from && at < (bounds[i + 1] as number)).length);
}

const uniform = (n: number) => Array.from({ length: n }, (_, i) => START + Math.floor((i / n) * SPAN));

describe('windows of equal work', () => {
  it('keeps every slot busy in whole rounds, and stops at a few windows per slot on a big one', () => {
    const request = { concurrency: 4, recordsPerChunk: 1000, pageSize: 100 };
    expect(equalWorkWindows(0, request)).toBe(1);
    expect(equalWorkWindows(150, request)).toBe(2); // no window smaller than a page
    expect(equalWorkWindows(2000, request)).toBe(4);
    expect(equalWorkWindows(2000, request)).toBe(4);
    expect(equalWorkWindows(5000, request)).toBe(4); // not five windows, the fifth alone on four slots
    expect(equalWorkWindows(31_999, request)).toBe(4);
    expect(equalWorkWindows(32_000, request)).toBe(8); // two rounds once each window holds four chunks
    expect(equalWorkWindows(100_000, request)).toBe(16);
    expect(equalWorkWindows(1_000_000, request)).toBe(16);
  });

  it('cuts a uniform store into windows within a sixteenth of their share, in a few requests', async () => {
    const source = store(uniform(2000));
    const cuts = await equalWorkCuts(RANGE, source.total, 4, source.count);
    expect(cuts).toHaveLength(3);
    for (const records of perWindow(source.instants, cuts))
      expect(Math.abs(records - 500)).toBeLessThanOrEqual(500 / 16);
    expect(source.requests()).toBeLessThanOrEqual(4 * 4 + 8);
  });

  it('cuts a skewed store (nine in ten records in its last month) where its records are', async () => {
    const lastMonth = Date.parse(RANGE.to) - 30 * 24 * 3600 * 1000;
    const instants = [
      ...uniform(500),
      ...Array.from({ length: 4500 }, (_, i) => lastMonth + Math.floor((i / 4500) * 30 * 24 * 3600 * 1000)),
    ].sort((a, b) => a - b);
    const source = store(instants);
    const cuts = await equalWorkCuts(RANGE, source.total, 5, source.count);
    const counts = perWindow(instants, cuts);
    expect(counts).toHaveLength(5);
    expect(counts.reduce((sum, n) => sum + n, 0)).toBe(5000);
    for (const records of counts) expect(Math.abs(records - 1000)).toBeLessThanOrEqual(1000 / 8);
  });

  it('leaves one window when the records cannot be told apart (all in one second), and tiles the range', async () => {
    const source = store(Array.from({ length: 3000 }, () => START + 5000));
    const cuts = await equalWorkCuts(RANGE, source.total, 4, source.count);
    expect(perWindow(source.instants, cuts).filter((n) => n > 0)).toEqual([3000]);
    const sorted = [...cuts].sort();
    expect(cuts).toEqual(sorted);
    for (const cut of cuts) expect(cut > RANGE.from && cut < RANGE.to).toBe(true);
  });

  it('stops at its request budget: windows then differ more, but still tile the range', async () => {
    const source = store(uniform(10_000));
    const cuts = await equalWorkCuts(RANGE, source.total, 8, source.count, { allowedRequests: 3 });
    expect(source.requests()).toBe(3);
    expect(perWindow(source.instants, cuts).reduce((sum, n) => sum + n, 0)).toBe(10_000);
  });

  it('cuts on whole seconds, or on midnights for a source that filters by day', async () => {
    const odd = { from: '2020-01-01T00:00:00.357Z', to: RANGE.to };
    const source = store(uniform(4000));
    for (const cut of await equalWorkCuts(odd, source.total, 4, source.count))
      expect(cut).toMatch(/:\d\d\.000Z$/);
    const byDay = await equalWorkCuts(RANGE, source.total, 4, source.count, {
      resolutionMs: 24 * 3600 * 1000,
    });
    expect(byDay).toHaveLength(3);
    for (const cut of byDay) expect(cut).toMatch(/T00:00:00\.000Z$/);
    // A store whose records all fall on one day cannot be cut inside it.
    const oneDay = store(Array.from({ length: 3000 }, (_, i) => START + 3600_000 + i));
    expect(await equalWorkCuts(RANGE, 3000, 4, oneDay.count, { resolutionMs: 24 * 3600 * 1000 })).toEqual([]);
  });

  it('stops at its deadline with the windows it has', async () => {
    let clock = 0;
    const source = store(uniform(10_000));
    const slow = async (window: TimeWindow) => {
      clock += 50_000; // each round of counts takes longer than the plan may
      return source.count(window);
    };
    const cuts = await equalWorkCuts(RANGE, source.total, 8, slow, { now: () => clock });
    expect(source.requests()).toBe(1);
    expect(perWindow(source.instants, cuts).reduce((sum, n) => sum + n, 0)).toBe(10_000);
  });

  it('asks nothing for one window or an empty store', async () => {
    const source = store(uniform(10));
    expect(await equalWorkCuts(RANGE, 10, 1, source.count)).toEqual([]);
    expect(await equalWorkCuts(RANGE, 0, 4, source.count)).toEqual([]);
    expect(source.requests()).toBe(0);
  });
});
