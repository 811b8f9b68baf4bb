import { describe, expect, it } from 'vitest';
import { partitionIdOf, windowAt, windowCount } from '../../../src/workflows/windows.js';

const from = '2024-01-01T00:00:00.000Z';

describe('window planning', () => {
  it('counts partitions of a range, rounding a partial last one up, and none for an empty range', () => {
    expect(windowCount(from, '2024-01-31T00:00:00.000Z', 10)).toBe(3);
    expect(windowCount(from, '2024-01-31T00:00:01.000Z', 10)).toBe(4);
    expect(windowCount(from, from, 10)).toBe(0);
    expect(windowCount('2024-02-01T00:00:00.000Z', from, 10)).toBe(0);
  });

  it('tiles [from, to) without a gap or an overlap, the last window ending at to', () => {
    const to = '2024-03-05T12:30:00.000Z';
    const count = windowCount(from, to, 7);
    const windows = Array.from({ length: count }, (_, index) => windowAt(from, to, 7, index));
    expect(windows[0]?.from).toBe(from);
    expect(windows.at(-1)?.to).toBe(to);
    for (let index = 1; index < windows.length; index++) {
      expect(windows[index]?.from).toBe(windows[index - 1]?.to);
    }
    expect(windows.at(-1)).toEqual({ from: '2024-03-04T00:00:00.000Z', to });
  });

  it('names a partition under its backfill, sorted by index', () => {
    expect(partitionIdOf('ferry/woocommerce-orders/start..now', 7)).toBe(
      'ferry/woocommerce-orders/start..now/p0007',
    );
    expect(partitionIdOf('b', 12) > partitionIdOf('b', 9)).toBe(true);
  });
});
