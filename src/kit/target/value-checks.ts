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
  const [year, month, day] = [text.slice(0, 4), text.slice(5, 7), text.slice(8, 10)].map(Number) as [
    number,
    number,
    number,
  ];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
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
    return Number.isNaN(Date.parse(value)) || !isCalendarDay(value) ? refuse('is not a valid date') : value;
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
