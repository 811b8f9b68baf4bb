/**
 * Field paths of source records: `billing.email` is read from the part of the record a table maps (the record
 * itself, an order's line, its billing address); `$.customer_id` from the record itself whatever the part.
 */

const ROOT = '$.';

export function valueAt(part: unknown, record: unknown, path: string): unknown {
  const [start, rest] = path.startsWith(ROOT) ? [record, path.slice(ROOT.length)] : [part, path];
  let value = start;
  for (const name of rest.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[name];
  }
  return value;
}

/** The record's top-level field a path reads, given the path of the part it is relative to. */
export function topField(path: string, partPath: string | undefined): string {
  if (path.startsWith(ROOT)) return path.slice(ROOT.length).split('.')[0] as string;
  return (partPath ?? path).split('.')[0] as string;
}
