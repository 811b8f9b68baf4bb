import { describe, expect, it } from 'vitest';
import { changes, nextChangeCursor } from '../../../src/kit/index.js';
import type { Cursor as ChangeCursor } from '../../../src/migrations/types.js';

/** A page of changes sorted by modification (whole seconds), as a source lists them. */
const page = (...changes: [key: number, modified: string][]) =>
  changes.map(([key, modified]) => ({ key, modified: `${modified}Z` }));

const start: ChangeCursor = { after: '2024-05-01T00:00:00.000Z', skipIds: [], page: 1 };

describe('nextChangeCursor (the keyset of a changes listing)', () => {
  it('ends on an empty page and on the last page', () => {
    expect(nextChangeCursor(start, [], true)).toBeNull();
    expect(nextChangeCursor({ ...start, page: 3 }, page([1, '2024-05-01T10:00:00']), false)).toBeNull();
  });

  it("moves to one second before the page's last second and skips the records already read at that second", () => {
    const next = nextChangeCursor(
      start,
      page([4, '2024-05-01T09:00:00'], [9, '2024-05-01T10:00:00'], [2, '2024-05-01T10:00:00']),
      true,
    );
    // Another record may still be written in that second: it is read again, by the next page 1.
    expect(next).toEqual({ after: '2024-05-01T09:59:59.000Z', skipIds: [9, 2], page: 1 });
  });

  it('pages through one second when a whole page shares the second the cursor already stands before', () => {
    const cursor: ChangeCursor = { after: '2024-05-01T09:59:59.000Z', skipIds: [9], page: 1 };
    const next = nextChangeCursor(
      cursor,
      page([11, '2024-05-01T10:00:00'], [12, '2024-05-01T10:00:00']),
      true,
    );
    expect(next).toEqual({ after: cursor.after, skipIds: [9, 11, 12], page: 2 });
  });

  it('drops the skipped ids once the listing moves past their second', () => {
    const cursor: ChangeCursor = { after: '2024-05-01T09:59:59.000Z', skipIds: [9, 11, 12], page: 2 };
    const next = nextChangeCursor(
      cursor,
      page([13, '2024-05-01T10:00:00'], [20, '2024-05-01T10:00:07']),
      true,
    );
    expect(next).toEqual({ after: '2024-05-01T10:00:06.000Z', skipIds: [20], page: 1 });
  });
});

describe('changes.modifiedAfter: what a page of changes leaves out', () => {
  const listing = changes.modifiedAfter((after) => ({ modified_after: after }));
  const cursor: ChangeCursor = { after: '2024-05-01T09:59:59.000Z', skipIds: [9, 'INV-2'], page: 2 };

  it('leaves out only the records already read at the second after the cursor', () => {
    expect(listing.skips(cursor, { key: 9, modified: '2024-05-01T10:00:00Z' })).toBe(true);
    expect(listing.skips(cursor, { key: 'INV-2', modified: '2024-05-01T10:00:00.000Z' })).toBe(true);
    expect(listing.skips(cursor, { key: 10, modified: '2024-05-01T10:00:00Z' })).toBe(false);
    // Changed again since it was read: a later stamp, read again.
    expect(listing.skips(cursor, { key: 9, modified: '2024-05-01T10:00:05Z' })).toBe(false);
  });

  it('a keyset the source filters itself leaves nothing out', () => {
    const keyset = changes.keyset(() => ({}));
    expect(
      keyset.skips(
        { ...cursor, after: '2024-05-01T10:00:00.000Z' },
        { key: 9, modified: '2024-05-01T10:00:00Z' },
      ),
    ).toBe(false);
  });
});
