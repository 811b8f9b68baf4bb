import { describe, expect, it } from 'vitest';
import { type PageRead, PageReader } from '../../../src/kit/source/read-ahead.js';
import type { Cursor } from '../../../src/migrations/types.js';

/** A listing of `records` records in pages of 10 that says its total (or not); it logs what is asked. */
function listing(records: number, sayTotal = true) {
  const asked: number[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const read = async (at: Cursor): Promise<PageRead> => {
    asked.push(at.page);
    inFlight++;
    mostInFlight = Math.max(mostInFlight, inFlight);
    await new Promise((resolve) => setTimeout(resolve, 5));
    inFlight--;
    const count = Math.max(0, Math.min(10, records - (at.page - 1) * 10));
    const more = at.page * 10 < records;
    return {
      page: {
        records: Array.from({ length: count }, (_, i) => (at.page - 1) * 10 + i),
        next: more ? { page: at.page + 1 } : null,
        ...(sayTotal ? { total: records } : {}),
      },
    };
  };
  return { read, asked, mostInFlight: () => mostInFlight };
}

/** Reads a chunk of up to `pages` pages from page `from`, as the kit's chunk loop does. */
async function chunk(reader: PageReader, from: number, pages: number) {
  const seen: number[] = [];
  let cursor: Cursor | null = { page: from };
  for (let fetched = 0; cursor && fetched < pages; fetched++) {
    const result = await reader.next(cursor, pages - fetched);
    if (!('page' in result)) throw new Error('unexpected');
    seen.push(...(result.page.records as number[]));
    cursor = result.page.next;
  }
  await reader.drain();
  return seen;
}

describe('reading pages ahead', () => {
  it('asks a couple of pages ahead, in order, and none past the listing or the chunk', async () => {
    const source = listing(45);
    const seen = await chunk(new PageReader(source.read, true, 10), 1, 10);
    expect(seen).toEqual(Array.from({ length: 45 }, (_, i) => i));
    expect(source.asked).toEqual([1, 2, 3, 4, 5]);
    expect(source.mostInFlight()).toBe(3); // the page being read and two ahead

    const bounded = listing(200);
    await chunk(new PageReader(bounded.read, true, 10), 3, 4);
    expect(bounded.asked).toEqual([3, 4, 5, 6]);
  });

  it('reads one page at a time when the listing says no total, or is not positional', async () => {
    for (const [source, positional] of [
      [listing(45, false), true],
      [listing(45), false],
    ] as const) {
      expect(await chunk(new PageReader(source.read, positional, 10), 1, 10)).toHaveLength(45);
      expect(source.asked).toEqual([1, 2, 3, 4, 5]);
      expect(source.mostInFlight()).toBe(1);
    }
  });
});
