import { expect, it } from 'vitest';
import { median } from '../../../bench/lib/median.js';

it('takes the middle of an odd count and the mean of the two middles of an even one, whatever the order', () => {
  expect(median([31.2, 23.4, 44.1])).toBe(31.2);
  expect(median([5, 1, 4, 2])).toBe(3);
  expect(median([7])).toBe(7);
});

it('refuses an empty list rather than answering NaN', () => {
  expect(() => median([])).toThrow('no values');
});
