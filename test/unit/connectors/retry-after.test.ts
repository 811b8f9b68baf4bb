import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../../../src/connectors/errors.js';
import { transientBackoffMs } from '../../../src/connectors/http.js';

const now = Date.parse('2026-11-30T12:00:00Z');

describe('Retry-After', () => {
  it('reads delta-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter(' 7 ', now)).toBe(7_000);
  });

  it('waits at least a second for 0, a missing, an empty or an unreadable header: never a tight loop', () => {
    for (const header of ['0', null, '', '  ', 'soon', '-5', '1.5']) {
      expect(parseRetryAfter(header, now), String(header)).toBe(1_000);
    }
  });

  it('waits until an HTTP date, and at least the floor for a date already past', () => {
    expect(parseRetryAfter('Mon, 30 Nov 2026 12:00:42 GMT', now)).toBe(42_000);
    expect(parseRetryAfter('Mon, 30 Nov 2026 11:00:00 GMT', now)).toBe(1_000);
    expect(parseRetryAfter('Mon, 30 Nov 2026 11:00:00 GMT', now, 250)).toBe(250);
  });
});

describe('backoff after a 5xx, a timeout or a reset', () => {
  it('spreads backoffs between zero and a cap that doubles up to ten seconds', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((retry) => transientBackoffMs(retry, () => 0.999_999))).toEqual([
      499, 999, 1_999, 3_999, 7_999, 9_999, 9_999,
    ]);
    expect(transientBackoffMs(3, () => 0)).toBe(0);
  });
});
