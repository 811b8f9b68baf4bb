import { describe, expect, it } from 'vitest';
import { centsText, isoDate, isoDateTime, isoTime } from '../../../src/sandbox/emulators/formats.js';
import { unit } from '../../../src/sandbox/emulators/prng.js';
import { wordpressJson } from '../../../src/sandbox/emulators/woocommerce/wordpress.js';

const printedByDate = (ms: number) => {
  const iso = new Date(ms).toISOString();
  return [iso.slice(0, 10), iso.slice(11, 19), iso.slice(0, 19)];
};
const printed = (ms: number) => [isoDate(ms), isoTime(ms), isoDateTime(ms)];

describe('emulator formats', () => {
  it('prints every instant as toISOString does: before 1970, fractions of a millisecond, leap days, a day’s last second', () => {
    const instants = [
      0,
      -1,
      -0.5,
      0.5,
      -86_400_000.5,
      Date.parse('1969-12-31T23:59:59.999Z'),
      Date.parse('2024-02-29T23:59:59.500Z'),
      Date.parse('2000-02-29T00:00:00Z'),
      Date.parse('2100-03-01T12:34:56Z'),
      ...Array.from({ length: 20_000 }, (_, n) => (unit(11, n) - 0.3) * 5e12),
    ];
    for (const ms of instants) expect(printed(ms)).toEqual(printedByDate(ms));
  });

  it('still prints right after more days than it keeps', () => {
    const days = Array.from({ length: 100_500 }, (_, n) => n * 86_400_000 + 43_200_000);
    for (const ms of days) isoDate(ms);
    for (const ms of [days[0] as number, days[100_499] as number, -5 * 86_400_000]) {
      expect(printed(ms)).toEqual(printedByDate(ms));
    }
  });

  it('throws as Date does for an instant that is not a number', () => {
    for (const print of [isoDate, isoTime, isoDateTime]) expect(() => print(Number.NaN)).toThrow(RangeError);
  });

  it('prints an amount in whole cents as toFixed(2) does, negative ones and sums of floats included', () => {
    const amounts = [
      0,
      -0,
      0.01,
      -0.01,
      0.1 + 0.2,
      4.95 * 0.21,
      1e7,
      ...Array.from({ length: 20_000 }, (_, n) => (unit(12, n) - 0.2) * 1e6),
    ].map((value) => Math.round(value * 100) / 100);
    for (const value of amounts) expect(centsText(value)).toBe(value.toFixed(2));
  });
});

describe('wordpressJson', () => {
  it('escapes as PHP’s json_encode does by default: slashes, every code unit past ASCII, line separators', () => {
    const body = { name: 'Müller/Chloé', emoji: '😀', separator: '\u2028', quote: '"\\\t' };
    const text = wordpressJson(body);
    expect(text).toBe(
      '{"name":"M\\u00fcller\\/Chlo\\u00e9","emoji":"\\ud83d\\ude00","separator":"\\u2028","quote":"\\"\\\\\\t"}',
    );
    expect(JSON.parse(text)).toEqual(body);
  });
});
