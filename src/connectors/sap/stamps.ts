/**
 * SAP splits a document's last change into UpdateDate ('YYYY-MM-DD') and UpdateTime ('HH:MM:SS'), in the
 * server's local time with no zone. ferry reads the pair as if it were UTC and compares stamps only with other
 * stamps from the same server, never with its own clock, so the server's zone does not matter.
 */

export interface SapStamp {
  date: string;
  time: string;
}

/** The stamp as an ISO instant ('2026-07-02T10:00:00.000Z'), for watermarks and logs. */
export function instantOfStamp(date: string, time: string): string {
  return new Date(`${date}T${time}Z`).toISOString();
}

/** An instant as SAP's date and time, truncated to the second (SAP stamps carry no fraction). */
export function stampOfInstant(instant: string): SapStamp {
  const iso = new Date(instant).toISOString();
  return { date: iso.slice(0, 10), time: iso.slice(11, 19) };
}

/** `$filter` for documents changed at or after `instant`: the stamp exactly on it is included. */
export function changedSinceFilter(instant: string): string {
  const { date, time } = stampOfInstant(instant);
  return `UpdateDate gt '${date}' or (UpdateDate eq '${date}' and UpdateTime ge '${time}')`;
}

/**
 * `$filter` for the documents after a keyset position in (UpdateDate, UpdateTime, DocEntry) order: a document
 * changed again while the listing is read moves behind the position instead of shifting pages.
 */
export function changedAfterFilter(instant: string, docEntry: number): string {
  const { date, time } = stampOfInstant(instant);
  return (
    `UpdateDate gt '${date}' or (UpdateDate eq '${date}' and ` +
    `(UpdateTime gt '${time}' or (UpdateTime eq '${time}' and DocEntry gt ${docEntry})))`
  );
}
