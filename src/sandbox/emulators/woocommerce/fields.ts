/**
 * WordPress's `_fields` parameter (rest_filter_response_fields): a comma-separated list of fields to keep,
 * where `billing.email` keeps one field of a nested object. Lists are not filtered inside, as in WordPress.
 */
export function parseFields(raw: string | null): string[][] | undefined {
  if (raw === null) return undefined;
  const paths = raw
    .split(',')
    .map((field) => field.trim())
    .filter((field) => field.length > 0)
    .map((field) => field.split('.'));
  return paths.length > 0 ? paths : undefined;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function pickFields(record: Json, paths: readonly (readonly string[])[]): Json {
  const picked: Json = {};
  for (const [head, ...rest] of paths) {
    if (head === undefined || !(head in record)) continue;
    const value = record[head];
    if (rest.length === 0 || !isObject(value)) {
      picked[head] = value;
      continue;
    }
    const nested = isObject(picked[head]) ? (picked[head] as Json) : {};
    picked[head] = { ...nested, ...pickFields(value, [rest]) };
  }
  return picked;
}
