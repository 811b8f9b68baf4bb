export { backfill } from './backfill.js';
export { deadLetterRetry } from './dead-letter-retry.js';
export { incrementalSync } from './incremental-sync.js';
export { match } from './match.js';
export { matchPartition } from './match-partition.js';
export { partition } from './partition.js';
export { stackCheck } from './stack-check.js';
export { verify } from './verify.js';
