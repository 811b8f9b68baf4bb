import { MalformedPageError } from '../../connectors/errors.js';
import type { Cursor } from '../../migrations/types.js';
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
 * What to send for a page: query parameters and headers, parts of a POST body (a search API that pages in its
 * body), or the link the source handed out for it.
 */
export interface PageRequest {
  params?: Record<string, string>;
  headers?: Record<string, string>;
  body?: Record<string, unknown>;
  link?: string;
}

/**
 * How a listing is paged, from a cursor to the next: a partition's checkpoint is the cursor, so it resumes at the
 * page it had reached. Pages are also counted from 1 (`cursor.page`), whatever the source calls them.
 */
export interface Paginator {
  /** The largest page the source serves. */
  readonly maxSize: number;
  /**
   * Whether any page can be asked for by its number alone: a page that stays malformed is then recorded and
   * skipped. Links and keysets cannot skip a page they have not read.
   */
  readonly positional: boolean;
  request(cursor: Cursor, size: number): PageRequest;
  /** The next page's cursor, or null at the end; the total number of records, when the source says. */
  read(answer: PageAnswer, cursor: Cursor, size: number): { next: Cursor | null; total?: number };
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

/** The next positional cursor, when there is more. */
function nextPosition(answer: PageAnswer, cursor: Cursor, size: number, ends: Ends) {
  const { more, total } = moreAfter(answer, cursor.page, size, ends);
  return { next: more ? { page: cursor.page + 1 } : null, ...(total === undefined ? {} : { total }) };
}

/** `?page=3&per_page=100`: page numbers from 1. */
function pageNumber(options: { page?: string; size?: string; maxSize: number } & Ends): Paginator {
  const { page: pageParam = 'page', size: sizeParam = 'per_page' } = options;
  return {
    maxSize: options.maxSize,
    positional: true,
    request: (cursor, size) => ({ params: { [pageParam]: String(cursor.page), [sizeParam]: String(size) } }),
    read: (answer, cursor, size) => nextPosition(answer, cursor, size, options),
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
    positional: true,
    request: (cursor, size) => ({
      params: {
        [offset]: String((cursor.page - 1) * size),
        ...(options.sizeHeader ? {} : { [limit]: String(size) }),
      },
      ...(options.sizeHeader ? { headers: options.sizeHeader(size) } : {}),
    }),
    read: (answer, cursor, size) => nextPosition(answer, cursor, size, options),
  };
}

/**
 * Links the source hands out (`Link: <…>; rel="next"`, OData's `odata.nextLink`, a `links.next` in the body,
 * an opaque cursor URL): the first page is asked with the size parameter, every later one at its link, which the
 * cursor keeps.
 */
function nextLink(options: { next: AnswerReader<string>; size?: string; maxSize: number }): Paginator {
  return {
    maxSize: options.maxSize,
    positional: false,
    request: (cursor, size) =>
      cursor.link ? { link: cursor.link } : { params: options.size ? { [options.size]: String(size) } : {} },
    read: (answer, cursor) => {
      const link = options.next(answer);
      return { next: link ? { page: cursor.page + 1, link } : null };
    },
  };
}

/**
 * A keyset: each page asks for the records after the last key read (`?after_id=1234&limit=100`, a filter built
 * by `params`, or a condition in a search's POST body built by `body`), so records added, removed or changed
 * meanwhile never shift a page. Records must come in key order.
 */
function keyset(
  options: {
    key: string;
    maxSize: number;
    /** The number of records that match, when the source says (Neon's `pagination.totalResults`). */
    total?: AnswerReader<number>;
  } & (
    | { params: (after: string | undefined, size: number) => Record<string, string> }
    | { body: (after: string | undefined, size: number) => Record<string, unknown> }
  ),
): Paginator {
  return {
    maxSize: options.maxSize,
    positional: false,
    request: (cursor, size) =>
      'params' in options
        ? { params: options.params(cursor.after, size) }
        : { body: options.body(cursor.after, size) },
    read: (answer, cursor, size) => {
      const { records } = answer;
      const total = options.total?.(answer);
      const counted = total === undefined ? {} : { total };
      const last = records[records.length - 1];
      if (last === undefined || records.length < size) return { next: null, ...counted };
      return { next: { page: cursor.page + 1, after: String(valueAt(last, last, options.key)) }, ...counted };
    },
  };
}

/** The paginators a listing picks from; `Paginator` is the escape hatch for any other. */
export const paginate = { pageNumber, offsetLimit, nextLink, keyset };
