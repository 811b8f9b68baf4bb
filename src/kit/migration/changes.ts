import type { ChangeCursor } from '../../migrations/types.js';
import type { Params } from '../source/listing.js';

/**
 * How a listing reads records modified since an instant, oldest change first: the parameter the source
 * compares strictly (`modified_after`) and the order by modification. Sources whose stamps have whole seconds
 * page through a second shared by more than a page instead of losing the rest of it.
 */
export interface ModifiedSince {
  /** Parameters that list records modified strictly after an ISO instant, in modification order. */
  params(after: string): Params;
}

/** The keyset cursor's step: one second, the stamps' granularity. */
const SECOND_MS = 1000;

/**
 * Moves the keyset past a page of changes: after the page's last second minus one (the source compares
 * strictly), skipping the records already copied at that second; when the whole page shares the cursor's
 * second, the next page of that same second. `modified` holds each record's stamp (ISO), `key` its key.
 */
export function nextChangeCursor(
  cursor: ChangeCursor,
  page: readonly { key: string | number; modified: string }[],
  more: boolean,
): ChangeCursor | null {
  const last = page[page.length - 1];
  if (!last || !more) return null;
  const boundary = new Date(Date.parse(last.modified) - SECOND_MS).toISOString();
  const atLastSecond = page.filter((record) => record.modified === last.modified).map((record) => record.key);
  if (boundary === cursor.after) {
    // The whole page shares the cursor's second: page through that second instead.
    return { after: cursor.after, skipIds: [...cursor.skipIds, ...atLastSecond], page: cursor.page + 1 };
  }
  return { after: boundary, skipIds: atLastSecond, page: 1 };
}
