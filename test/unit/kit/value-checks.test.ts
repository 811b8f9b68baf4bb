import { describe, expect, it } from 'vitest';
import { typeChecks, ValueRefused } from '../../../src/kit/target/value-checks.js';

describe('date checks agree with PostgreSQL', () => {
  it('refuse a day the calendar does not have, which Date.parse would roll over into the next month', () => {
    for (const day of [
      '2024-02-30',
      '2023-02-29',
      '1900-02-29',
      '2024-04-31',
      '2024-11-31',
      '2024-13-01',
      '2024-00-10',
      '2024-01-00',
      '2024-01-32',
    ]) {
      expect(() => typeChecks.date(day), day).toThrow(new ValueRefused('is not a valid date'));
    }
    expect(() => typeChecks.timestamptz('2024-02-30T10:00:00Z')).toThrow(ValueRefused);
  });

  it('accept the days it has', () => {
    for (const day of ['2024-02-29', '2000-02-29', '2023-02-28', '2024-12-31', '2024-01-01', '2024-04-30'])
      expect(typeChecks.date(day)).toBe(day);
    expect(typeChecks.timestamptz('2024-02-29T23:30:00+02:00')).toBe('2024-02-29T23:30:00+02:00');
  });
});
