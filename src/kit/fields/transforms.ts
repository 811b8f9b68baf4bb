import { z } from 'zod';
import type { FieldKind, FieldValue } from './catalogue.js';

/** A value a transform cannot make anything of: the record is dead-lettered with this reason. */
export class TransformError extends Error {}

/** A transform written in TypeScript; what it returns is checked against the target field's kind. */
export type TransformFunction = (value: FieldValue) => FieldValue;

/** The transforms a plan file can name (people who do not write code), each as small as its name says. */
export const namedTransformSchema = z.union([
  z.enum(['trim', 'lowercase', 'uppercase', 'number']),
  z.strictObject({
    date: z.strictObject({ format: z.string().regex(/^(?=.*Y)(?=.*M)(?=.*D)[YMD/.\- ]+$/) }),
  }),
  z.strictObject({ map: z.record(z.string(), z.string()).refine((map) => Object.keys(map).length > 0) }),
]);
export type NamedTransform = z.infer<typeof namedTransformSchema>;

/** The kinds a named transform's result can be written into. */
export function transformKinds(transform: NamedTransform): readonly FieldKind[] {
  if (transform === 'number') return ['number', 'text'];
  if (typeof transform === 'object' && 'date' in transform) return ['date', 'text'];
  if (typeof transform === 'object' && 'map' in transform) return ['text', 'select', 'multiselect'];
  return ['text'];
}

const text = (value: FieldValue): string => (typeof value === 'string' ? value : (value ?? []).join(', '));

/** "$1,234.50" → "1234.5": currency signs, spaces and thousands separators dropped. */
function toNumber(value: string): string {
  const cleaned = value.replace(/[^\d.,-]/g, '').replace(/,(?=\d{3}(\D|$))/g, '');
  const number = Number(cleaned);
  if (cleaned === '' || !Number.isFinite(number)) throw new TransformError(`"${value}" is not a number`);
  return String(number);
}

/** A date written in `format` (Y, M and D in any order with their separators), as YYYY-MM-DD. */
function toDate(value: string, format: string): string {
  const order = format.replace(/[^YMD]/g, '').replace(/(.)\1+/g, '$1');
  const parts = value.trim().split(/[/.\- ]+/);
  const at = (letter: string) => Number(parts[order.indexOf(letter)]);
  const [year, month, day] = [at('Y'), at('M'), at('D')];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (
    parts.length !== order.length ||
    date.getUTCFullYear() !== year ||
    date.getUTCMonth() !== month - 1 ||
    date.getUTCDate() !== day
  ) {
    throw new TransformError(`"${value}" is not a date written ${format}`);
  }
  return date.toISOString().slice(0, 10);
}

/** The function a named transform stands for. */
export function namedTransform(transform: NamedTransform): TransformFunction {
  return (value) => {
    if (value === null || value.length === 0) return null;
    const given = text(value);
    if (transform === 'trim') return given.trim();
    if (transform === 'lowercase') return given.toLowerCase();
    if (transform === 'uppercase') return given.toUpperCase();
    if (transform === 'number') return toNumber(given);
    if ('date' in transform) return toDate(given, transform.date.format);
    const mapped = transform.map[given];
    if (mapped === undefined) throw new TransformError(`"${given}" has no entry in the transform's map`);
    return mapped;
  };
}
