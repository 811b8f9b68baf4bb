import { SourceHttpError } from '../../connectors/errors.js';
import { inLanes } from '../lanes.js';
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

/** A record the source does not have (404) is left undefined; any other failure fails the request. */
function unlessGone(error: unknown): undefined {
  if (error instanceof SourceHttpError && error.status === 404) return undefined;
  throw error;
}

/**
 * Each path's record, `concurrency` requests at a time, in order; undefined where the source answered 404. The
 * first failure stops every lane, so that no request goes out for a chunk that has already failed.
 */
async function fetchAll(
  client: RestClient,
  paths: readonly string[],
  concurrency = DEFAULT_CONCURRENCY,
): Promise<unknown[]> {
  const found: unknown[] = new Array(paths.length);
  // One promise per record here, not an async function awaiting another: this runs once per record of a source
  // that lists summaries, and an activity's async context hooks every promise.
  await inLanes(paths, concurrency, (path, index) =>
    client.getJson(path).then((record) => {
      found[index] = record;
    }, unlessGone),
  );
  return found;
}

/** Each path's record, `concurrency` requests at a time, in order; those the source does not have left out. */
export async function fetchEach(
  client: RestClient,
  paths: readonly string[],
  concurrency = DEFAULT_CONCURRENCY,
): Promise<unknown[]> {
  return (await fetchAll(client, paths, concurrency)).filter((record) => record !== undefined);
}

/**
 * The full records of a listed page, in the listing's order, and the listed records whose own request answered
 * 404 (`gone`): deleted since they were listed, or listed under a key the source does not serve (e-Boekhouden's
 * `id: 0` quirk). The caller dead-letters those: a record the listing has is never dropped without a trace.
 */
export async function fetchDetails(
  client: RestClient,
  detail: Detail,
  listed: readonly unknown[],
): Promise<{ records: unknown[]; gone: unknown[] }> {
  const full = await fetchAll(
    client,
    listed.map((record) => detail.path(record)),
    detail.concurrency,
  );
  return {
    records: full.filter((record) => record !== undefined),
    gone: listed.filter((_, index) => full[index] === undefined),
  };
}
