import { patched } from '@temporalio/workflow';
import { MAX_PAGES_PER_CHUNK, maxChunkPages } from './chunk-size.js';

/**
 * The most pages a workflow lets a chunk that adapts grow to: in records (maxChunkPages), and in pages alone where
 * a history recorded before this bound replays (a run in flight then takes the records bound from its next new
 * workflow task on).
 */
export function chunkPagesBound(pageSize: number): number {
  return patched('chunk-bound-in-records') ? maxChunkPages(pageSize) : MAX_PAGES_PER_CHUNK;
}
