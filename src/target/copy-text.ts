import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Knex } from 'knex';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { quote } from './bulk-upsert.js';

const NEEDS_ESCAPE = /[\\\t\n\r]/;
const ESCAPED = /[\\\t\n\r]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * A value in COPY's text format: `\N` for null; an instant as ISO 8601; an object or array (a jsonb value) as
 * JSON; backslash, tab and line breaks escaped.
 */
export function copyText(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'number') return String(value);
  const text =
    value instanceof Date
      ? value.toISOString()
      : typeof value === 'object'
        ? JSON.stringify(value)
        : String(value);
  // Most values need no escaping: one test instead of four replacements (this runs for every value of a load).
  return NEEDS_ESCAPE.test(text) ? text.replace(ESCAPED, (char) => ESCAPES[char] as string) : text;
}

/** One row of COPY's text format. */
export const copyLine = (values: readonly unknown[]) => `${values.map(copyText).join('\t')}\n`;

/** Lines joined into writes of about 256 KB: a write per row would cost a message and a syscall each. */
function* batched(lines: Iterable<string>): Generator<string> {
  let batch: string[] = [];
  let size = 0;
  for (const line of lines) {
    batch.push(line);
    size += line.length;
    if (size >= 256 * 1024) {
      yield batch.join('');
      batch = [];
      size = 0;
    }
  }
  if (batch.length > 0) yield batch.join('');
}

/**
 * COPY of lines (copyLine's) into a table's named columns, inside the caller's transaction: knex hands a
 * transaction its own connection, so the COPY commits or rolls back with the rest of it.
 */
export async function copyLinesInto(
  trx: Knex.Transaction,
  table: string,
  columns: readonly string[],
  lines: Iterable<string>,
): Promise<void> {
  const client = (await trx.client.acquireConnection()) as pg.PoolClient;
  await pipeline(
    Readable.from(batched(lines)),
    client.query(copyFrom(`copy ${quote(table)} (${columns.map(quote).join(', ')}) from stdin`)),
  );
}
