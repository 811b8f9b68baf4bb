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

describe('instant checks', () => {
  it('accept exactly the times and zones Date.parse accepts', () => {
    const times = [
      '00:00:00',
      '23:59:59',
      '24:00:00',
      '24:00:01',
      '24:01:00',
      '25:00:00',
      '23:60:00',
      '23:59:60',
    ];
    const fractions = ['', '.000', '.5', '.000000', '.000001'];
    const zones = ['Z', '+00:00', '-23:59', '+24:00', '+23:60', '+05:30'];
    for (const time of times)
      for (const fraction of fractions)
        for (const zone of zones) {
          const instant = `2024-02-29T${time}${fraction}${zone}`;
          const accepted = (() => {
            try {
              typeChecks.timestamptz(instant);
              return true;
            } catch {
              return false;
            }
          })();
          expect(accepted, instant).toBe(!Number.isNaN(Date.parse(instant)));
        }
  });
});
