export { backfill } from './backfill.js';
export { deadLetterRetry } from './dead-letter-retry.js';
export { incrementalSync } from './incremental-sync.js';
export { partition } from './partition.js';
export { stackCheck } from './stack-check.js';
export { verify } from './verify.js';
