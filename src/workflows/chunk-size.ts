/** What a chunk aims to take: long enough that Temporal's cost per chunk is small, short enough that a pause waits
 * only seconds for the chunk in flight. */
export const CHUNK_TARGET_MS = 5_000;
/** A chunk that adapts stops reading pages past this (see ChunkRequest.readForMs), whatever its size. */
export const CHUNK_READ_LIMIT_MS = 4 * CHUNK_TARGET_MS;
/** The most pages a chunk reads (the `--pages-per-chunk` bound): memory stays bounded whatever the source's speed. */
export const MAX_PAGES_PER_CHUNK = 50;
/** The most records a chunk that adapts grows to: its memory is its records, whatever a page holds. */
export const MAX_RECORDS_PER_CHUNK = 5_000;

/**
 * The most pages a chunk of `pageSize`-record pages grows to: 50 pages of 100, 10 of 500. Bounded by pages alone,
 * pages of 500 let a chunk hold 25,000 e-Boekhouden mutations and the worker's peak grow with the run.
 */
export function maxChunkPages(pageSize: number): number {
  return Math.max(1, Math.min(MAX_PAGES_PER_CHUNK, Math.floor(MAX_RECORDS_PER_CHUNK / pageSize)));
}

/**
 * The pages of a partition's next chunk, from how long its last one took: scaled towards the target duration, at
 * most doubled or halved at a time (one slow answer does not swing it), between 1 and the bound. A fast source
 * gets fewer, larger chunks (fewer workflow tasks and progress signals per record); a slow or throttled one keeps
 * chunks of a few seconds.
 */
export function nextChunkPages(pages: number, elapsedMs: number, maxPages = MAX_PAGES_PER_CHUNK): number {
  const scaled = Math.round((pages * CHUNK_TARGET_MS) / Math.max(1, elapsedMs));
  return Math.max(1, Math.min(maxPages, pages * 2, Math.max(Math.ceil(pages / 2), scaled)));
}
