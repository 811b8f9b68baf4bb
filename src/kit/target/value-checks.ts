import type { z } from 'zod';

/** A value its column refuses; the message says what is wrong with it (`is not an amount`). */
export class ValueRefused extends Error {}

/**
 * Accepts a value for a column: returns it as it is written (normalised, for a schema that transforms), or throws
 * ValueRefused. Checks run for every value of every record, so the types' own are plain functions that allocate
 * nothing on success.
 */
export type ValueCheck = (value: unknown) => unknown;

const refuse = (message: string): never => {
  throw new ValueRefused(message);
};

const INTEGER_TEXT = /^-?\d+$/;
const AMOUNT_TEXT = /^-?\d+(\.\d+)?$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Whether the YYYY-MM-DD a text starts with is a day of the calendar: JavaScript's Date.parse takes 2024-02-30
 * for 1 March, where PostgreSQL refuses it (and with it the whole chunk's statement).
 */
function isCalendarDay(text: string): boolean {
  // Digits read in place (the caller's pattern put them there): this runs for every date of every record.
  const digit = (at: number) => text.charCodeAt(at) - 48;
  const year = digit(0) * 1000 + digit(1) * 100 + digit(2) * 10 + digit(3);
  const month = digit(5) * 10 + digit(6);
  const day = digit(8) * 10 + digit(9);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return day <= (month === 2 ? (leap ? 29 : 28) : (DAYS_IN_MONTH[month - 1] as number));
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/**
 * Whether an ISO instant's time and zone exist, as Date.parse decides it without parsing the whole text again:
 * hours to 23 (24:00:00 is the next midnight), minutes and seconds to 59, a zone within ±23:59.
 */
function isClockTime(text: string): boolean {
  const two = (at: number) => (text.charCodeAt(at) - 48) * 10 + text.charCodeAt(at + 1) - 48;
  const [hour, minute, second] = [two(11), two(14), two(17)];
  if (minute > 59 || second > 59) return false;
  const zone = text.endsWith('Z') ? text.length - 1 : text.length - 6;
  if (hour === 24 && (minute > 0 || second > 0 || /[1-9]/.test(text.slice(19, zone)))) return false;
  if (hour > 24) return false;
  return text.endsWith('Z') || (two(zone + 1) <= 23 && two(zone + 4) <= 59);
}

/**
 * What each column type accepts: what PostgreSQL stores as the same value, so that a bad record fails alone
 * instead of its whole chunk.
 */
export const typeChecks = {
  bigint: (value: unknown) =>
    (typeof value === 'number' && Number.isInteger(value)) ||
    (typeof value === 'string' && INTEGER_TEXT.test(value))
      ? value
      : refuse('is not an integer'),
  integer: (value: unknown) => (Number.isInteger(value) ? value : refuse('is not an integer')),
  text: (value: unknown) => (typeof value === 'string' ? value : refuse('is not text')),
  decimal: (value: unknown) =>
    (typeof value === 'number' && Number.isFinite(value)) ||
    (typeof value === 'string' && AMOUNT_TEXT.test(value))
      ? value
      : refuse('is not an amount'),
  timestamptz: (value: unknown) => {
    if (typeof value !== 'string' || !ISO_INSTANT.test(value))
      return refuse('is not an ISO instant with its zone');
    return isCalendarDay(value) && isClockTime(value) ? value : refuse('is not a valid date');
  },
  date: (value: unknown) => {
    if (typeof value !== 'string' || !ISO_DATE.test(value)) return refuse('is not a YYYY-MM-DD date');
    return isCalendarDay(value) ? value : refuse('is not a valid date');
  },
  boolean: (value: unknown) => (typeof value === 'boolean' ? value : refuse('is not true or false')),
  any: (value: unknown) => value,
} satisfies Record<string, ValueCheck>;

/** A zod schema as a check: its output is what is written, its first issue why a value is refused. */
export function schemaCheck(schema: z.ZodType): ValueCheck {
  return (value) => {
    const parsed = schema.safeParse(value);
    return parsed.success ? parsed.data : refuse(parsed.error.issues[0]?.message ?? 'is invalid');
  };
}
