import { describe, expect, it } from 'vitest';
import { cursorOf, FIRST_PAGE } from '../../../src/migrations/types.js';

describe('cursorOf: one cursor, whatever an earlier ferry asked with', () => {
  it('keeps a cursor as it is', () => {
    const cursor = { page: 2, after: '2024-05-01T09:59:59.000Z', skipIds: [9, 'INV-001'] };
    expect(cursorOf({ cursor, page: 7 })).toBe(cursor);
  });

  it("reads a backfill chunk's page number and a sync chunk's last key", () => {
    expect(cursorOf({ page: 5 })).toEqual({ page: 5 });
    expect(cursorOf({ after: 1234 })).toEqual({ page: 1, after: '1234' });
    expect(cursorOf({ after: null })).toEqual(FIRST_PAGE);
    expect(cursorOf({})).toEqual(FIRST_PAGE);
  });
});
