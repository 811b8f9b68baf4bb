/**
 * Stateless hashing so that any record can be generated from (seed, index) alone: no record is ever stored,
 * and record 9,999,999 costs what record 0 costs.
 */
export function hash32(...parts: number[]): number {
  return hashOf(parts);
}

/** hash32 of parts already in an array: the helpers below pass on their own rest array instead of spreading it. */
function hashOf(parts: readonly number[]): number {
  let h = 0x811c9dc5;
  for (let index = 0; index < parts.length; index++) {
    const part = parts[index] as number;
    // Mix both halves so indices above 2^32 still spread.
    h = Math.imul(h ^ (part >>> 0), 0x01000193);
    h = Math.imul(h ^ Math.floor(part / 0x100000000), 0x01000193);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 12;
    h = Math.imul(h, 0x297a2d39);
    h ^= h >>> 15;
  }
  return h >>> 0;
}

/** A float in [0, 1) derived from the parts. */
export function unit(...parts: number[]): number {
  return hashOf(parts) / 0x100000000;
}

/** An integer in [min, max] derived from the parts. */
export function intBetween(min: number, max: number, ...parts: number[]): number {
  return min + (hashOf(parts) % (max - min + 1));
}

export function pick<T>(items: readonly T[], ...parts: number[]): T {
  return items[hashOf(parts) % items.length] as T;
}
