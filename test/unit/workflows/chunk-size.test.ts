import { expect, it } from 'vitest';
import {
  CHUNK_TARGET_MS,
  MAX_PAGES_PER_CHUNK,
  MAX_RECORDS_PER_CHUNK,
  maxChunkPages,
  nextChunkPages,
} from '../../../src/workflows/chunk-size.js';

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

it('bounds a chunk by its records: 50 pages of 100, 10 of 500, 1 of 10,000; never past 50 pages', () => {
  expect(MAX_RECORDS_PER_CHUNK).toBe(5000);
  expect(maxChunkPages(100)).toBe(50);
  expect(maxChunkPages(500)).toBe(10);
  expect(maxChunkPages(2000)).toBe(2);
  expect(maxChunkPages(10_000)).toBe(1);
  expect(maxChunkPages(20)).toBe(MAX_PAGES_PER_CHUNK);
  // A fast source grows chunks of 500-record pages to 10 pages, not 50.
  let pages = 2;
  for (let chunk = 0; chunk < 10; chunk++) pages = nextChunkPages(pages, 300, maxChunkPages(500));
  expect(pages).toBe(10);
});
