import { expect, it } from 'vitest';
import { CHUNK_TARGET_MS, MAX_PAGES_PER_CHUNK, nextChunkPages } from '../../../src/workflows/chunk-size.js';

it('scales a chunk towards its target duration, at most doubling or halving, within 1 and the bound', () => {
  expect(CHUNK_TARGET_MS).toBe(5000);
  expect(nextChunkPages(10, 5000)).toBe(10);
  expect(nextChunkPages(10, 4000)).toBe(13);
  expect(nextChunkPages(10, 500)).toBe(20); // ten times too fast: doubled, not ×10
  expect(nextChunkPages(40, 1000)).toBe(MAX_PAGES_PER_CHUNK);
  expect(nextChunkPages(10, 20_000)).toBe(5); // four times too slow: halved
  expect(nextChunkPages(1, 60_000)).toBe(1);
  expect(nextChunkPages(10, 0)).toBe(20);
});
