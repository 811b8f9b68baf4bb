import { isoDate } from '../formats.js';
/**
 * e-Boekhouden's list filters, in both spellings in use: `date=[range]2023-01-01,2023-12-31` and
 * `date[range]=2023-01-01,2023-12-31`, with the operators range, gt, gte, lt, lte, not_eq and like; a bare
 * value means equal.
 */

export type Operator = 'eq' | 'range' | 'gt' | 'gte' | 'lt' | 'lte' | 'not_eq' | 'like';
const OPERATORS = new Set<Operator>(['range', 'gt', 'gte', 'lt', 'lte', 'not_eq', 'like']);

export interface Filter {
  field: string;
  operator: Operator;
  values: string[];
}

export class FilterError extends Error {}

/** The filter on `field` in these parameters, or undefined when there is none. */
export function filterOf(params: URLSearchParams, field: string): Filter | undefined {
  for (const [name, raw] of params) {
    const bracketed = new RegExp(`^${field}\\[(\\w+)\\]$`).exec(name);
    if (name !== field && !bracketed) continue;
    const prefixed = /^\[(\w+)\](.*)$/.exec(raw);
    const operator = (bracketed?.[1] ?? prefixed?.[1] ?? 'eq') as Operator;
    const value = bracketed ? raw : (prefixed?.[2] ?? raw);
    if (operator !== 'eq' && !OPERATORS.has(operator))
      throw new FilterError(`Unknown operator [${operator}] on ${field}`);
    const values = operator === 'range' ? value.split(',') : [value];
    if (operator === 'range' && values.length !== 2)
      throw new FilterError(`[range] on ${field} needs two values`);
    return { field, operator, values };
  }
  return undefined;
}

/** Whether a value passes a filter; values compare as text (dates are ISO, so text order is date order). */
export function passes(filter: Filter | undefined, value: string | number | undefined): boolean {
  if (!filter) return true;
  const text = value === undefined ? '' : String(value);
  const [first = '', second = ''] = filter.values;
  switch (filter.operator) {
    case 'eq':
      return text === first;
    case 'not_eq':
      return text !== first;
    case 'range':
      return text >= first && text <= second;
    case 'gt':
      return text > first;
    case 'gte':
      return text >= first;
    case 'lt':
      return text < first;
    case 'lte':
      return text <= first;
    case 'like':
      return text.toLowerCase().includes(first.replace(/%/g, '').toLowerCase());
  }
}

/**
 * The dates a date filter can match, as [from, to) for the store's id range; `exact` when they are exactly the
 * dates it matches (no filter, or an interval), so that no record needs checking on its own.
 */
export function dateBounds(filter: Filter | undefined): { from?: string; to?: string; exact?: true } {
  if (!filter) return { exact: true };
  const next = (date: string) => isoDate(Date.parse(`${date}T00:00:00Z`) + 86_400_000);
  const [first = '', second = ''] = filter.values;
  switch (filter.operator) {
    case 'eq':
      return { from: first, to: next(first), exact: true };
    case 'range':
      return { from: first, to: next(second), exact: true };
    case 'gt':
      return { from: next(first), exact: true };
    case 'gte':
      return { from: first, exact: true };
    case 'lt':
      return { to: first, exact: true };
    case 'lte':
      return { to: next(first), exact: true };
    default:
      return {};
  }
}
