import type { RestClient } from './rest-api.js';

/**
 * A source whose listing carries a summary of each record and a second request its whole (e-Boekhouden's
 * mutations and their rows): each listed record is fetched again at `path(record)`, `concurrency` at a time. The
 * run's pace still spaces every request, so the parallel requests fill the source's limit instead of exceeding it.
 */
export interface Detail {
  path(record: unknown): string;
  /** Requests in flight at once per chunk; 8 unless given. */
  concurrency?: number;
}

const DEFAULT_CONCURRENCY = 8;

/** The full records of a listed page, in the listing's order. */
export async function fetchDetails(
  client: RestClient,
  detail: Detail,
  listed: readonly unknown[],
): Promise<unknown[]> {
  const full: unknown[] = new Array(listed.length);
  let next = 0;
  const fetchNext = async () => {
    for (let index = next++; index < listed.length; index = next++) {
      full[index] = await client.getJson(detail.path(listed[index]));
    }
  };
  const lanes = Math.min(detail.concurrency ?? DEFAULT_CONCURRENCY, listed.length);
  await Promise.all(Array.from({ length: lanes }, fetchNext));
  return full;
}
