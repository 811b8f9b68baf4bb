import { z } from 'zod';
import { customFieldById, customFieldByName, standardFieldByName } from './fields.js';
import type { Account } from './generator.js';
import { AccountRequestError, displayValue } from './shapes.js';

export const OPERATORS = [
  'EQUAL',
  'NOT_EQUAL',
  'BLANK',
  'NOT_BLANK',
  'LESS_THAN',
  'GREATER_THAN',
  'LESS_AND_EQUAL',
  'GREATER_AND_EQUAL',
  'IN_RANGE',
  'NOT_IN_RANGE',
  'CONTAIN',
  'NOT_CONTAIN',
] as const;
export type Operator = (typeof OPERATORS)[number];

/** Neon's largest search page. */
export const MAX_PAGE_SIZE = 200;

const fieldName = z.union([z.string().min(1), z.number().int()]).transform(String);

export const searchRequestSchema = z.object({
  searchFields: z
    .array(
      z.object({
        field: fieldName,
        operator: z.enum(OPERATORS),
        value: z.union([z.string(), z.number()]).transform(String).optional(),
        valueList: z.array(z.union([z.string(), z.number()]).transform(String)).optional(),
      }),
    )
    .min(1),
  outputFields: z.array(fieldName).min(1),
  pagination: z.object({
    currentPage: z.number().int().min(0),
    pageSize: z.number().int().min(1).max(MAX_PAGE_SIZE),
    sortColumn: fieldName.optional(),
    sortDirection: z.enum(['ASC', 'DESC']).optional(),
  }),
});
export type SearchRequest = z.infer<typeof searchRequestSchema>;

/** A field named as a search may name it: a standard display name, or a custom field's id (or name). */
function resolveField(name: string): { key: string; label: string } {
  if (standardFieldByName.has(name)) return { key: name, label: name };
  const custom = customFieldById.get(name) ?? customFieldByName.get(name);
  if (custom) return { key: custom.id, label: custom.name };
  throw new AccountRequestError(`Unknown field: ${name}`);
}

const numeric = (value: string) => value.trim() !== '' && Number.isFinite(Number(value));

function compare(a: string, b: string): number {
  if (numeric(a) && numeric(b)) return Number(a) - Number(b);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Whether a value passes one search condition; a multi-select's value (`A|B`) is EQUAL to each option. */
function passes(
  value: string | null,
  condition: SearchRequest['searchFields'][number],
  multi: boolean,
): boolean {
  const { operator } = condition;
  if (operator === 'BLANK') return value === null || value === '';
  if (operator === 'NOT_BLANK') return value !== null && value !== '';
  if (operator === 'IN_RANGE' || operator === 'NOT_IN_RANGE') {
    const [low, high] = condition.valueList ?? [];
    if (low === undefined || high === undefined) {
      throw new AccountRequestError(`${operator} needs a valueList of two values`);
    }
    const inside = value !== null && compare(value, low) >= 0 && compare(value, high) <= 0;
    return operator === 'IN_RANGE' ? inside : !inside;
  }
  if (condition.value === undefined) throw new AccountRequestError(`${operator} needs a value`);
  const wanted = condition.value;
  const text = value ?? '';
  switch (operator) {
    case 'EQUAL':
      return multi ? text.split('|').includes(wanted) : text === wanted;
    case 'NOT_EQUAL':
      return multi ? !text.split('|').includes(wanted) : text !== wanted;
    case 'CONTAIN':
      return text.toLowerCase().includes(wanted.toLowerCase());
    case 'NOT_CONTAIN':
      return !text.toLowerCase().includes(wanted.toLowerCase());
    case 'LESS_THAN':
      return value !== null && compare(text, wanted) < 0;
    case 'GREATER_THAN':
      return value !== null && compare(text, wanted) > 0;
    case 'LESS_AND_EQUAL':
      return value !== null && compare(text, wanted) <= 0;
    case 'GREATER_AND_EQUAL':
      return value !== null && compare(text, wanted) >= 0;
  }
}

/** One page of a search over `accounts`, as Neon answers it; result keys are the fields' display names. */
export function search(accounts: Iterable<Account>, request: SearchRequest) {
  const conditions = request.searchFields.map((condition) => {
    const { key } = resolveField(condition.field);
    return { condition, key, multi: customFieldById.get(key)?.displayType === 'Checkbox' };
  });
  const outputs = request.outputFields.map(resolveField);
  const { currentPage, pageSize, sortDirection = 'ASC' } = request.pagination;
  const sortKey = resolveField(request.pagination.sortColumn ?? 'Account ID').key;
  const matching: Account[] = [];
  for (const account of accounts) {
    if (
      conditions.every(({ condition, key, multi }) => passes(displayValue(account, key), condition, multi))
    ) {
      matching.push(account);
    }
  }
  if (sortKey !== 'Account ID' || sortDirection === 'DESC') {
    const sign = sortDirection === 'DESC' ? -1 : 1;
    matching.sort(
      (a, b) => sign * compare(displayValue(a, sortKey) ?? '', displayValue(b, sortKey) ?? '') || a.id - b.id,
    );
  }
  const page = matching.slice(currentPage * pageSize, (currentPage + 1) * pageSize);
  return {
    pagination: {
      currentPage,
      pageSize,
      totalPages: Math.ceil(matching.length / pageSize),
      totalResults: matching.length,
      sortColumn: request.pagination.sortColumn ?? 'Account ID',
      sortDirection,
    },
    searchResults: page.map((account) =>
      Object.fromEntries(outputs.map(({ key, label }) => [label, displayValue(account, key)])),
    ),
  };
}
