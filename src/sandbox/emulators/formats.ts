/**
 * Dates and amounts as the emulated APIs print them, written for the emulators' hot path: a page of 100 orders
 * prints about 500 dates and 1,700 amounts, and `new Date(ms).toISOString()` and `toFixed` were a sixth of the
 * WooCommerce emulator's CPU in a backfill (bench/backfill.ts with a CPU profile). Same text as those for the
 * years 0 to 9999, faster; an instant that is not a number throws RangeError, as Date's does.
 */

const DAY_MS = 86_400_000;
/** The days printed so far (a store spans a few thousand); cleared if something asks for very many. */
const days = new Map<number, string>();
const MAX_DAYS_KEPT = 100_000;
const TWO_DIGITS = Array.from({ length: 60 }, (_, n) => String(n).padStart(2, '0'));

/** `YYYY-MM-DD` of an instant, in UTC: `new Date(ms).toISOString().slice(0, 10)`. */
export function isoDate(ms: number): string {
  const day = Math.floor(Math.trunc(ms) / DAY_MS);
  let text = days.get(day);
  if (text === undefined) {
    if (days.size >= MAX_DAYS_KEPT) days.clear();
    text = new Date(day * DAY_MS).toISOString().slice(0, 10);
    days.set(day, text);
  }
  return text;
}

/** `HH:MM:SS` of an instant, in UTC: `new Date(ms).toISOString().slice(11, 19)`. */
export function isoTime(ms: number): string {
  // A Date keeps whole milliseconds, cut toward zero.
  const whole = Math.trunc(ms);
  if (!Number.isFinite(whole)) throw new RangeError('Invalid time value');
  const second = Math.floor((whole - Math.floor(whole / DAY_MS) * DAY_MS) / 1000);
  const hh = TWO_DIGITS[Math.floor(second / 3600)] as string;
  const mm = TWO_DIGITS[Math.floor(second / 60) % 60] as string;
  const ss = TWO_DIGITS[second % 60] as string;
  return `${hh}:${mm}:${ss}`;
}

/** `YYYY-MM-DDTHH:MM:SS` of an instant, in UTC, without a zone: `new Date(ms).toISOString().slice(0, 19)`. */
export function isoDateTime(ms: number): string {
  return `${isoDate(ms)}T${isoTime(ms)}`;
}

/**
 * An amount in whole cents with two decimals: `value.toFixed(2)` for such a value (the emulators round amounts to
 * cents before printing them).
 */
export function centsText(value: number): string {
  const cents = Math.round(Math.abs(value) * 100);
  const fraction = cents % 100;
  const sign = value < 0 && cents > 0 ? '-' : '';
  return `${sign}${Math.floor(cents / 100)}.${fraction < 10 ? '0' : ''}${fraction}`;
}
