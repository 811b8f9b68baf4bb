import { describe, expect, it } from 'vitest';
import { centsText, isoDate, isoDateTime, isoTime } from '../../../src/sandbox/emulators/formats.js';
import { unit } from '../../../src/sandbox/emulators/prng.js';

describe('emulator formats', () => {
  it('prints every instant as toISOString does, before 1970, on leap days and at a day’s last second', () => {
    const instants = [
      0,
      -1,
      -86_400_000,
      Date.parse('1969-12-31T23:59:59.999Z'),
      Date.parse('2024-02-29T23:59:59.500Z'),
      Date.parse('2000-02-29T00:00:00Z'),
      Date.parse('2100-03-01T12:34:56Z'),
      ...Array.from({ length: 20_000 }, (_, n) => Math.floor((unit(11, n) - 0.3) * 5e12)),
    ];
    for (const ms of instants) {
      const iso = new Date(ms).toISOString();
      expect([isoDate(ms), isoTime(ms), isoDateTime(ms)]).toEqual([
        iso.slice(0, 10),
        iso.slice(11, 19),
        iso.slice(0, 19),
      ]);
    }
  });

  it('prints an amount in cents as toFixed(2) does, negative ones and those binary floats cannot hold', () => {
    const amounts = [
      0,
      -0,
      0.01,
      -0.01,
      1.005,
      4.95 * 0.21,
      1e7,
      ...Array.from({ length: 20_000 }, (_, n) => Math.round((unit(12, n) - 0.2) * 1e8) / 100),
    ].map((value) => Math.round(value * 100) / 100);
    for (const value of amounts) expect(centsText(value)).toBe(value.toFixed(2));
  });
});
