export { backfill } from './backfill.js';
export { partition } from './partition.js';
export { stackCheck } from './stack-check.js';
