import { MalformedPageError } from '../../connectors/errors.js';
import { valueAt } from '../records/field-path.js';

/** A page's answer as a paginator reads it: the response's headers, the parsed body, its records. */
export interface PageAnswer {
  headers: Headers;
  body: unknown;
  records: readonly unknown[];
}

/** Reads a number or a link from a page's answer: a header, or a field of the body. */
export type AnswerReader<T> = (answer: PageAnswer) => T | undefined;

/**
 * How a listing is paged. Pages are numbered from 1 in ferry's checkpoints, whatever the source calls them, so
 * that a partition resumes at the page it had reached.
 */
export interface Paginator {
  /** The largest page the source serves. */
  readonly maxSize: number;
  /** What to send for page `page` of size `size`: query parameters and headers. */
  request(page: number, size: number): { params: Record<string, string>; headers?: Record<string, string> };
  /** Whether the listing goes on after page `page`; the total number of records, when the source says. */
  read(answer: PageAnswer, page: number, size: number): { more: boolean; total?: number };
}

/** A number in a header (`X-WP-Total`); a missing or non-numeric one is a malformed page. */
export function header(name: string): AnswerReader<number> {
  return ({ headers }) => {
    const value = headers.get(name);
    if (value === null || !/^\d+$/.test(value.trim())) {
      throw new MalformedPageError(`the answer has no numeric ${name} header`);
    }
    return Number(value);
  };
}

/** A number in the body (`count`, `meta.total`). */
export function bodyNumber(path: string): AnswerReader<number> {
  return ({ body }) => {
    const value = valueAt(body, body, path);
    if (typeof value !== 'number') throw new MalformedPageError(`the answer has no number at ${path}`);
    return value;
  };
}

/** The next page's link: OData's `odata.nextLink` (v3/v4 spellings). */
export const odataNextLink: AnswerReader<string> = ({ body }) => {
  const page = body as Record<string, unknown>;
  const link = page['odata.nextLink'] ?? page['@odata.nextLink'];
  return typeof link === 'string' ? link : undefined;
};

/** The next page's link in the `Link` header (`<…>; rel="next"`), as WordPress and GitHub send it. */
export const linkHeaderNext: AnswerReader<string> = ({ headers }) => {
  for (const part of (headers.get('link') ?? '').split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (match) return match[1];
  }
  return undefined;
};

/** The next page's link in the body (`links.next`, `paging.next`). */
export function bodyLink(path: string): AnswerReader<string> {
  return ({ body }) => {
    const value = valueAt(body, body, path);
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
}

/**
 * Whether there is more after a page: the total of pages or of records when the source sends one, else a next
 * link when it sends one, else a full page.
 */
function moreAfter(
  answer: PageAnswer,
  page: number,
  size: number,
  ends: { totalPages?: AnswerReader<number>; total?: AnswerReader<number>; next?: AnswerReader<string> },
): { more: boolean; total?: number } {
  const total = ends.total?.(answer);
  if (ends.totalPages) return { more: page < (ends.totalPages(answer) ?? 0), total };
  if (total !== undefined) return { more: page * size < total, total };
  if (ends.next) return { more: ends.next(answer) !== undefined };
  return { more: answer.records.length >= size };
}

interface Ends {
  /** The number of pages (`X-WP-TotalPages`). */
  totalPages?: AnswerReader<number>;
  /** The number of records over all pages (`X-WP-Total`, `count`): a window's count comes from it. */
  total?: AnswerReader<number>;
  /** A next link whose presence says there is more (`odataNextLink`, `linkHeaderNext`). */
  next?: AnswerReader<string>;
}

/** `?page=3&per_page=100`: page numbers from 1. */
function pageNumber(options: { page?: string; size?: string; maxSize: number } & Ends): Paginator {
  const { page: pageParam = 'page', size: sizeParam = 'per_page' } = options;
  return {
    maxSize: options.maxSize,
    request: (page, size) => ({ params: { [pageParam]: String(page), [sizeParam]: String(size) } }),
    read: (answer, page, size) => moreAfter(answer, page, size, options),
  };
}

/**
 * `?offset=200&limit=100` (or `$skip`/`$top`). `sizeHeader` sends the size as a header instead, as SAP's
 * Service Layer takes it (`Prefer: odata.maxpagesize=100`).
 */
function offsetLimit(
  options: {
    offset?: string;
    limit?: string;
    sizeHeader?: (size: number) => Record<string, string>;
    maxSize: number;
  } & Ends,
): Paginator {
  const { offset = 'offset', limit = 'limit' } = options;
  return {
    maxSize: options.maxSize,
    request: (page, size) => ({
      params: {
        [offset]: String((page - 1) * size),
        ...(options.sizeHeader ? {} : { [limit]: String(size) }),
      },
      ...(options.sizeHeader ? { headers: options.sizeHeader(size) } : {}),
    }),
    read: (answer, page, size) => moreAfter(answer, page, size, options),
  };
}

/** The paginators a listing picks from; `Paginator` is the escape hatch for any other. */
export const paginate = { pageNumber, offsetLimit };
