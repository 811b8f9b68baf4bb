import type { MalformedPageError } from '../../connectors/errors.js';
import type { Cursor } from '../../migrations/types.js';
import type { ListedPage } from './listing.js';

/** A page read, or the error of one that stayed malformed (its range is then recorded as failed). */
export type PageRead = { page: ListedPage } | { failed: MalformedPageError };

/** Pages asked for ahead of the one being read: the source answers them while this one is transformed. */
const DEPTH = 2;

/**
 * Reads a chunk's pages of a positional listing a few ahead, so that the source's latency overlaps the transform
 * and the other requests. Only pages the listing is known to have are asked ahead (from the total its first page
 * reports), never past the chunk's last page: no request is spent on a page nobody reads. A listing that reports
 * no total, or is not positional, is read one page at a time as before. Requests still go through the run's pace.
 */
export class PageReader {
  private readonly ahead = new Map<number, Promise<PageRead>>();
  private lastPage = 0;

  constructor(
    private readonly read: (at: Cursor) => Promise<PageRead>,
    private readonly positional: boolean,
    private readonly pageSize: number,
  ) {}

  /** The page at `at`; `left` counts it and the chunk's pages after it. */
  async next(at: Cursor, left: number): Promise<PageRead> {
    const pending = this.ahead.get(at.page) ?? this.read(at);
    this.ahead.delete(at.page);
    this.readAhead(at.page, left);
    const result = await pending;
    if ('page' in result && result.page.total !== undefined) {
      this.lastPage = Math.ceil(result.page.total / this.pageSize);
      this.readAhead(at.page, left);
    }
    return result;
  }

  private readAhead(page: number, left: number): void {
    if (!this.positional) return;
    for (let step = 1; step <= DEPTH && step < left && page + step <= this.lastPage; step++) {
      if (this.ahead.has(page + step)) continue;
      const read = this.read({ page: page + step });
      read.catch(() => undefined); // awaited when its turn comes, or dropped by drain()
      this.ahead.set(page + step, read);
    }
  }

  /** Waits out reads still in flight when the chunk ends before their pages (the listing shrank meanwhile). */
  async drain(): Promise<void> {
    await Promise.allSettled(this.ahead.values());
    this.ahead.clear();
  }
}
