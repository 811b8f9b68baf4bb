import type { WriteCounts } from '../migrations/types.js';

/**
 * Per-record counts of a chunk written as a parent row and child rows: a record is inserted when its parent
 * row is new, updated when its parent row or any child row changed (or a child was deleted), unchanged when
 * nothing was written for it. Keys are compared as text: PostgreSQL returns bigint keys as strings, and a key
 * such as `INV-001` is no number at all.
 */
export function recordCounts(
  total: number,
  inserted: Iterable<string | number>,
  touched: Iterable<string | number>,
): WriteCounts {
  const insertedKeys = new Set([...inserted].map(String));
  const changed = new Set([...touched].map(String));
  for (const key of insertedKeys) changed.delete(key);
  return {
    inserted: insertedKeys.size,
    updated: changed.size,
    unchanged: total - insertedKeys.size - changed.size,
  };
}
