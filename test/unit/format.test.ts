import { expect, it } from 'vitest';
import { formatCount } from '../../src/format.js';

it('groups counts in thousands as en-US does, rounding first', () => {
  const values = [0, 7, 999, 1000, 12_345, 999_999.6, 1_000_000, 123_456_789, -1234, -999, 4.4e12];
  for (const value of values) expect(formatCount(value)).toBe(Math.round(value).toLocaleString('en-US'));
  expect(formatCount(1_234_567)).toBe('1,234,567');
});
