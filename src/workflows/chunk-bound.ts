import { patched } from '@temporalio/workflow';
import { MAX_PAGES_PER_CHUNK, maxChunkPages } from './chunk-size.js';

/**
 * The most pages a workflow lets a chunk that adapts grow to: in records (maxChunkPages) for runs started since
 * that bound was, in pages for those started before, which replay as they ran.
 */
export function chunkPagesBound(pageSize: number): number {
  return patched('chunk-bound-in-records') ? maxChunkPages(pageSize) : MAX_PAGES_PER_CHUNK;
}
