import type { MatchRules } from './rules.js';

/** Customers (and payments) are hashed into this many buckets; partitions are ranges of them. */
export const BUCKETS = 1024;

/** A range of customer (or payment) hash buckets: one partition. */
export interface BucketRange {
  from: number;
  to: number;
}

/** `count` ranges of buckets of (nearly) equal size, covering all of them: a run's partitions. */
export function bucketRanges(count: number): BucketRange[] {
  const parts = Math.max(1, Math.min(BUCKETS, Math.floor(count)));
  return Array.from({ length: parts }, (_, n) => ({
    from: Math.floor((n * BUCKETS) / parts),
    to: Math.floor(((n + 1) * BUCKETS) / parts),
  }));
}

/**
 * A number put into SQL text. Every threshold comes from the validated rules and every bucket from the
 * workflow's own arithmetic; this checks it is a finite number all the same, so no text can reach the SQL.
 */
export function num(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
  return String(value);
}

export const inRange = (column: string, range: BucketRange) =>
  `${column} >= ${num(range.from)} and ${column} < ${num(range.to)}`;

/** The invoice may have been issued this many days before the payment, or (a prepayment) this many after. */
export const inDateWindow = (rules: MatchRules, invoice: string, payment: string) =>
  `${invoice}.issued_on between ${payment}.paid_on - ${num(rules.dateWindow.before)} and ${payment}.paid_on + ${num(rules.dateWindow.after)}`;

/** The most cents an amount may be off from `cents` (an SQL expression) under a tolerance. */
export const toleranceOf = (tolerance: { cents: number; percent: number }, cents: string) =>
  tolerance.percent > 0
    ? `greatest(${num(tolerance.cents)}, round(${cents} * ${num(tolerance.percent)} / 100))`
    : num(tolerance.cents);

/** A statement on the partition's own connection (its temporary tables live there). */
export type Sql = (text: string, values?: unknown[]) => Promise<{ rowCount: number | null; rows: unknown[] }>;
