/**
 * Every OData query string ferry sends SAP's Service Layer, built here: literals, key lists, date windows and the
 * change stamps. SAP splits a document's last change into UpdateDate ('YYYY-MM-DD') and UpdateTime ('HH:MM:SS'),
 * in the server's local time with no zone; ferry reads the pair as if it were UTC and compares stamps only with
 * other stamps from the same server, never with its own clock, so the server's zone does not matter.
 */

/** A string literal, its quotes doubled. */
const literal = (value: string | number) =>
  typeof value === 'number' ? String(value) : `'${value.replace(/'/g, "''")}'`;

/** Both conditions. */
export const and = (first: string, second: string) => `(${first}) and (${second})`;

/** Either condition. */
export const or = (first: string, second: string) => `(${first}) or (${second})`;

/** `Field eq value`. */
export const equals = (field: string, value: string | number) => `${field} eq ${literal(value)}`;

/** `Field gt value`: a keyset's records after the last key read. */
export const keyAfter = (field: string, value: string | number) => `${field} gt ${literal(value)}`;

/** `Key eq 'a' or Key eq 'b' …`: many records by key in one request. */
export const anyOf = (field: string, values: readonly (string | number)[]) =>
  values.map((value) => `${field} eq ${literal(value)}`).join(' or ');

/** Dates from `from` (inclusive) to `to` (exclusive). */
export const dateRange = (field: string, bounds: { from: string; to: string }) =>
  `${field} ge ${literal(bounds.from)} and ${field} lt ${literal(bounds.to)}`;

/** The stamp as an ISO instant ('2026-07-02T10:00:00.000Z'), for watermarks and logs. */
export function instantOfStamp(date: string, time: string): string {
  return new Date(`${date}T${time}Z`).toISOString();
}

/** An instant as SAP's date and time, truncated to the second (SAP stamps carry no fraction). */
export function stampOfInstant(instant: string): { date: string; time: string } {
  const iso = new Date(instant).toISOString();
  return { date: iso.slice(0, 10), time: iso.slice(11, 19) };
}

/** Documents changed at or after `instant`: the stamp exactly on it is included. */
export function changedSince(instant: string): string {
  const { date, time } = stampOfInstant(instant);
  return `UpdateDate gt '${date}' or (UpdateDate eq '${date}' and UpdateTime ge '${time}')`;
}

/**
 * Documents after a keyset position in (UpdateDate, UpdateTime, DocEntry) order: a document changed again while
 * the listing is read moves behind the position instead of shifting pages.
 */
export function changedAfter(instant: string, docEntry: number): string {
  const { date, time } = stampOfInstant(instant);
  return (
    `UpdateDate gt '${date}' or (UpdateDate eq '${date}' and ` +
    `(UpdateTime gt '${time}' or (UpdateTime eq '${time}' and DocEntry gt ${docEntry})))`
  );
}
