/**
 * Field paths of source records: `billing.email` is read from the part of the record a table maps (the record
 * itself, an order's line, its billing address); `$.customer_id` from the record itself whatever the part.
 */

const ROOT = '$.';

/** Reads one path from a part of a record and the record; compiled once, it runs for every value. */
export type Reader = (part: unknown, record: unknown) => unknown;

export function readerOf(path: string): Reader {
  const fromRoot = path.startsWith(ROOT);
  const names = (fromRoot ? path.slice(ROOT.length) : path).split('.');
  return (part, record) => {
    let value = fromRoot ? record : part;
    for (const name of names) {
      if (value === null || typeof value !== 'object') return undefined;
      value = (value as Record<string, unknown>)[name];
    }
    return value;
  };
}

const READERS = new Map<string, Reader>();

/** The value at a path, through the path's reader (compiled on first use). */
export function valueAt(part: unknown, record: unknown, path: string): unknown {
  let read = READERS.get(path);
  if (!read) {
    read = readerOf(path);
    READERS.set(path, read);
  }
  return read(part, record);
}

/** The record's top-level field a path reads, given the path of the part it is relative to. */
export function topField(path: string, partPath: string | undefined): string {
  if (path.startsWith(ROOT)) return path.slice(ROOT.length).split('.')[0] as string;
  return (partPath ?? path).split('.')[0] as string;
}
