import type { TimeWindow } from '../migrations/types.js';

const DAY_MS = 24 * 3600 * 1000;

export function windowCount(from: string, to: string, partitionDays: number): number {
  const span = Date.parse(to) - Date.parse(from);
  return span <= 0 ? 0 : Math.ceil(span / (partitionDays * DAY_MS));
}

/** The index-th window of [from, to) cut into partitionDays-long slices; the last one ends at `to`. */
export function windowAt(from: string, to: string, partitionDays: number, index: number): TimeWindow {
  const start = Date.parse(from) + index * partitionDays * DAY_MS;
  const end = Math.min(start + partitionDays * DAY_MS, Date.parse(to));
  return { from: new Date(start).toISOString(), to: new Date(end).toISOString() };
}

/** A window partition's workflow id under its backfill: dead letters are filed under it. */
export function partitionIdOf(backfillId: string, index: number): string {
  return `${backfillId}/p${String(index).padStart(4, '0')}`;
}
