import { describe, expect, it } from 'vitest';
import { recordCounts } from '../../../src/target/record-counts.js';

describe('recordCounts (per record, from the rows a chunk wrote)', () => {
  it('counts a new parent row as inserted, a changed parent or child row as updated, the rest unchanged', () => {
    expect(recordCounts(10, [1, 2], [2, 5, 7])).toEqual({ inserted: 2, updated: 2, unchanged: 6 });
  });

  it('counts a record once however many of its rows changed, whether its keys come as numbers or text', () => {
    // PostgreSQL returns keys as text; a transform's rows may hold them as numbers.
    expect(recordCounts(3, ['1'], [1, '3', 3, 3])).toEqual({ inserted: 1, updated: 1, unchanged: 1 });
  });

  it('keeps string keys apart: INV-001 and INV-002 are two records, not one NaN', () => {
    expect(recordCounts(5, ['INV-001', 'INV-002'], ['INV-002', 'INV-003', 'INV-004', 'INV-003'])).toEqual({
      inserted: 2,
      updated: 2,
      unchanged: 1,
    });
  });

  it('counts a chunk where nothing changed as unchanged, and an empty chunk as nothing', () => {
    expect(recordCounts(4, [], [])).toEqual({ inserted: 0, updated: 0, unchanged: 4 });
    expect(recordCounts(0, [], [])).toEqual({ inserted: 0, updated: 0, unchanged: 0 });
  });
});
