import type { TimeWindow } from '../migrations/types.js';

/** How a backfill asks for windows of equal work instead of fixed days. */
export interface EqualWorkRequest {
  /** Partitions the run starts with at once: at least this many windows when there is enough to fill them. */
  concurrency: number;
  /** Records a chunk reads (pageSize × pagesPerChunk): a window of fewer than that is not worth its own. */
  recordsPerChunk: number;
  /** Records a page holds: no window is cut smaller than a page. */
  pageSize: number;
}

/** More windows than slots, so that a slot that finishes early finds work; each costs a child and an end check. */
const WINDOWS_PER_SLOT = 4;
/** The chunks a window holds at the least before the run is cut into more than one round of windows. */
const CHUNKS_PER_WINDOW = 4;
/** Counts asked at once while planning. */
const PARALLEL_COUNTS = 4;
/** The most counts a plan asks, however many windows: planning must end well within its activity's time. */
const MAX_PLAN_REQUESTS = 64;
/** Planning stops refining past this, with the windows it has (they tile the range whatever the counts say). */
const PLAN_DEADLINE_MS = 45_000;

/** The resolution of a cut: a source's date filter takes whole seconds (WooCommerce's `after`) or days (SAP's). */
export const RESOLUTION_MS = { second: 1000, day: 24 * 3600 * 1000 } as const;

/**
 * How many windows: a whole number of rounds of the slots (five windows on four slots would leave three idle while
 * the fifth runs), never a window under a page. One round unless each window of another would still hold a few
 * chunks: a window's start and end checks cost about as much as a chunk, more rounds only pay off on a long run
 * (where they let a slot that finished early take more work).
 */
export function equalWorkWindows(total: number, request: EqualWorkRequest): number {
  if (total <= 0) return 1;
  const slots = request.concurrency;
  const rounds = Math.max(
    1,
    Math.min(WINDOWS_PER_SLOT, Math.floor(total / (request.recordsPerChunk * slots * CHUNKS_PER_WINDOW))),
  );
  return Math.max(1, Math.min(rounds * slots, Math.ceil(total / request.pageSize)));
}

interface Bucket {
  from: number;
  to: number;
  records: number;
}

/** A window may differ from its share by about this fraction of it once planning has the counts it needs. */
const TOLERANCE = 1 / 16;

/** The records before each boundary between buckets (not the range's own ends), in order. */
function boundaryCounts(buckets: readonly Bucket[]): { at: number; before: number }[] {
  const bounds: { at: number; before: number }[] = [];
  let before = 0;
  for (const bucket of buckets.slice(0, -1)) {
    before += bucket.records;
    bounds.push({ at: bucket.to, before });
  }
  return bounds;
}

/**
 * Cuts [from, to) into `windows` windows of about equal record counts, from the source's own counts. Only the
 * stretches of time where a cut belongs (those holding a window's end, the fullest first) are halved and their
 * first halves counted (a request each, a few at once; the second half is the rest), until each cut is within a
 * sixteenth of a share of its place or the requests allowed are spent; each cut then takes the boundary nearest
 * its place. A skewed store (most records in its last weeks) is cut finely where its records are; no window is
 * left without records, and the planning stops at a budget of requests and time. Returns the inner boundaries,
 * ascending. Counts only balance the work: whatever they say, the windows tile the range, so a record created
 * meanwhile or a count that is off changes no result.
 */
export async function equalWorkCuts(
  range: { from: string; to: string },
  total: number,
  windows: number,
  count: (window: TimeWindow) => Promise<number>,
  options: {
    /** Requests the source's rate limit leaves for planning; the planner needs a few per window. */
    allowedRequests?: number;
    /** Cuts fall on whole units of this (a second, or a day for a source that filters by date). */
    resolutionMs?: number;
    now?: () => number;
  } = {},
): Promise<string[]> {
  if (windows <= 1 || total <= 0) return [];
  const resolution = options.resolutionMs ?? RESOLUTION_MS.second;
  const now = options.now ?? Date.now;
  const deadline = now() + PLAN_DEADLINE_MS;
  const maxRequests = Math.min(windows * 4 + 8, MAX_PLAN_REQUESTS, options.allowedRequests ?? Infinity);
  /** The bucket's middle on a whole unit, or undefined when no whole unit lies strictly inside it. */
  const middleOf = (bucket: Bucket) => {
    const middle = Math.floor((bucket.from + (bucket.to - bucket.from) / 2) / resolution) * resolution;
    const up = middle + resolution;
    if (middle > bucket.from && middle < bucket.to) return middle;
    return up > bucket.from && up < bucket.to ? up : undefined;
  };
  const share = total / windows;
  const places = Array.from({ length: windows - 1 }, (_, index) => share * (index + 1));
  /** Whether a cut's place falls inside the bucket that starts after `before` records, too far from its ends. */
  const holdsACut = (bucket: Bucket, before: number) =>
    places.some(
      (place) => place - before > share * TOLERANCE && before + bucket.records - place > share * TOLERANCE,
    );
  const buckets: Bucket[] = [{ from: Date.parse(range.from), to: Date.parse(range.to), records: total }];
  for (let requests = 0; requests < maxRequests && now() < deadline; ) {
    let before = 0;
    const candidates: Bucket[] = [];
    for (const bucket of buckets) {
      if (middleOf(bucket) !== undefined && holdsACut(bucket, before)) candidates.push(bucket);
      before += bucket.records;
    }
    const fullest = candidates
      .sort((a, b) => b.records - a.records)
      .slice(0, Math.min(PARALLEL_COUNTS, maxRequests - requests));
    if (fullest.length === 0) break;
    requests += fullest.length;
    const halves = await Promise.all(
      fullest.map(async (bucket) => {
        const middle = middleOf(bucket) as number;
        const window = { from: new Date(bucket.from).toISOString(), to: new Date(middle).toISOString() };
        const first = Math.min(bucket.records, await count(window));
        return [
          { from: bucket.from, to: middle, records: first },
          { from: middle, to: bucket.to, records: bucket.records - first },
        ];
      }),
    );
    fullest.forEach((bucket, index) => {
      buckets.splice(buckets.indexOf(bucket), 1, ...(halves[index] as Bucket[]));
    });
  }
  // Each cut at the boundary nearest its place, after the last cut and with records between: no empty window.
  const bounds = boundaryCounts(buckets);
  const cuts: string[] = [];
  let lastBefore = 0;
  let from = 0;
  for (const place of places) {
    let best: { at: number; before: number } | undefined;
    for (let index = from; index < bounds.length; index++) {
      const bound = bounds[index] as { at: number; before: number };
      if (bound.before <= lastBefore || bound.before >= total) continue;
      if (!best || Math.abs(bound.before - place) < Math.abs(best.before - place)) {
        best = bound;
        from = index + 1;
      }
      if (bound.before >= place) break;
    }
    if (!best) break;
    cuts.push(new Date(best.at).toISOString());
    lastBefore = best.before;
  }
  return cuts;
}
