/**
 * Stateless hashing so that any record can be generated from (seed, index) alone: no record is ever stored,
 * and record 9,999,999 costs what record 0 costs.
 */
export function hash32(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
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
  return hash32(...parts) / 0x100000000;
}

/** An integer in [min, max] derived from the parts. */
export function intBetween(min: number, max: number, ...parts: number[]): number {
  return min + (hash32(...parts) % (max - min + 1));
}

export function pick<T>(items: readonly T[], ...parts: number[]): T {
  return items[hash32(...parts) % items.length] as T;
}
