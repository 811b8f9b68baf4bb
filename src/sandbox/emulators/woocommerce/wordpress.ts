import { isoDateTime } from '../formats.js';

/** What every WordPress REST collection shares: its integer parameters, paging and date format. */

/** A non-negative integer parameter as WordPress accepts it, or undefined. */
export function integerParam(value: string): number | undefined {
  return /^\d+$/.test(value) ? Number(value) : undefined;
}

/** `page` and `per_page` (1–100, default 10), with WordPress's messages added to `problems`. */
export function pagingParams(
  params: URLSearchParams,
  problems: Record<string, string>,
): { page: number; perPage: number } {
  const page = integerParam(params.get('page') ?? '1');
  if (page === undefined || page < 1) problems.page = 'page must be greater than or equal to 1';
  const perPage = integerParam(params.get('per_page') ?? '10');
  if (perPage === undefined || perPage < 1 || perPage > 100)
    problems.per_page = 'per_page must be between 1 (inclusive) and 100 (inclusive)';
  return { page: page ?? 1, perPage: perPage ?? 10 };
}

/** A date as WordPress sends it: ISO without a zone (the emulated site's zone is UTC). */
export const wordpressDate = isoDateTime;

const PHP_ESCAPED = /[/\u0080-\uffff]/g;
const phpEscape = (char: string) =>
  char === '/' ? '\\/' : `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * JSON as the WordPress REST API writes it: PHP's json_encode without flags escapes `/` and every character past
 * ASCII (`M\u00fcller`, `https:\/\/`), so a client meets pure ASCII however the data is spelled.
 */
export function wordpressJson(body: unknown): string {
  return JSON.stringify(body).replace(PHP_ESCAPED, phpEscape);
}
