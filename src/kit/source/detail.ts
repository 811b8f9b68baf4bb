import { SourceHttpError } from '../../connectors/errors.js';
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

/** One record by its own request; undefined when the source no longer has it (404). */
export async function fetchOne(client: RestClient, path: string): Promise<unknown> {
  try {
    return await client.getJson(path);
  } catch (error) {
    if (error instanceof SourceHttpError && error.status === 404) return undefined;
    throw error;
  }
}

/** Each path's record, `concurrency` requests at a time, in order; those the source no longer has left out. */
export async function fetchEach(
  client: RestClient,
  paths: readonly string[],
  concurrency = DEFAULT_CONCURRENCY,
): Promise<unknown[]> {
  const found: unknown[] = new Array(paths.length);
  let next = 0;
  const fetchNext = async () => {
    for (let index = next++; index < paths.length; index = next++) {
      found[index] = await fetchOne(client, paths[index] as string);
    }
  };
  const lanes = Math.min(concurrency, paths.length);
  await Promise.all(Array.from({ length: lanes }, fetchNext));
  return found.filter((record) => record !== undefined);
}

/**
 * The full records of a listed page, in the listing's order. A record deleted between the listing and its own
 * request is left out, as if the listing had not had it.
 */
export function fetchDetails(
  client: RestClient,
  detail: Detail,
  listed: readonly unknown[],
): Promise<unknown[]> {
  return fetchEach(
    client,
    listed.map((record) => detail.path(record)),
    detail.concurrency,
  );
}
