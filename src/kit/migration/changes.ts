import type { Cursor } from '../../migrations/types.js';
import type { Params } from '../source/listing.js';

/** A listed record's key and modification stamp (ISO), as a changes cursor reads them. */
export interface Stamped {
  key: string | number;
  modified: string;
}

/**
 * How a listing reads the records modified since a cursor, oldest change first, and how the cursor moves on. A
 * record modified again while the listing is read moves behind the cursor instead of shifting pages, so none
 * is skipped.
 */
export interface ChangesListing {
  /** Parameters that list the records after the cursor (the window's own are added). */
  params(cursor: Cursor): Params;
  /** The cursor after a page, or null when it was the last. */
  next(cursor: Cursor, page: readonly Stamped[], more: boolean): Cursor | null;
  /** Whether a listed record was already copied at the cursor's position (and is left out). */
  skips(cursor: Cursor, record: Stamped): boolean;
  /** Whether the cursor moves by page numbers too (paging through a busy second): a positional listing is needed. */
  readonly pagesBySecond: boolean;
}

/** The keyset cursor's step: one second, the stamps' granularity. */
const SECOND_MS = 1000;

/**
 * Moves the keyset past a page of changes: after the page's last second minus one (the source compares
 * strictly), skipping the records already copied at that second; when the whole page shares the cursor's
 * second, the next page of that same second.
 */
export function nextChangeCursor(cursor: Cursor, page: readonly Stamped[], more: boolean): Cursor | null {
  const last = page[page.length - 1];
  if (!last || !more) return null;
  const boundary = new Date(Date.parse(last.modified) - SECOND_MS).toISOString();
  const atLastSecond = page.filter((record) => record.modified === last.modified).map((record) => record.key);
  if (boundary === cursor.after) {
    // The whole page shares the cursor's second: page through that second instead.
    return {
      after: cursor.after,
      skipIds: [...(cursor.skipIds ?? []), ...atLastSecond],
      page: cursor.page + 1,
    };
  }
  return { after: boundary, skipIds: atLastSecond, page: 1 };
}

/**
 * Modified strictly after an instant with whole-second stamps, as WooCommerce's `modified_after` filters: the
 * cursor stands a second before the last stamp read and skips the keys already read at that second.
 */
function modifiedAfter(params: (after: string) => Params): ChangesListing {
  return {
    params: (cursor) => params(cursor.after as string),
    next: nextChangeCursor,
    // Read already, at the second after the cursor; one changed again since has a later stamp and is read again.
    skips: (cursor, record) =>
      Date.parse(record.modified) === Date.parse(cursor.after as string) + SECOND_MS &&
      (cursor.skipIds ?? []).some((key) => String(key) === String(record.key)),
    pagesBySecond: true,
  };
}

/**
 * A keyset the source filters on itself: records whose (stamp, key) comes after the cursor's, in that order (SAP's
 * UpdateDate, UpdateTime and DocEntry). The cursor holds the last stamp and key read; `key` is null at the start.
 */
function keyset(params: (after: string, key: string | number | null) => Params): ChangesListing {
  return {
    params: (cursor) => params(cursor.after as string, cursor.skipIds?.[cursor.skipIds.length - 1] ?? null),
    next: (_cursor, page, more) => {
      const last = page[page.length - 1];
      return last && more ? { after: last.modified, skipIds: [last.key], page: 1 } : null;
    },
    // The source's filter leaves out what the cursor has read; a record changed again comes back, as it should.
    skips: () => false,
    pagesBySecond: false,
  };
}

/** The changes cursors a migration picks from; `ChangesListing` is the escape hatch for any other. */
export const changes = { modifiedAfter, keyset };
