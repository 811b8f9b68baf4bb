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

/** The windows of a plan: its cuts of equal work when it has them, else partitionDays-long slices. */
export function planWindowCount(
  plan: { from: string; to: string; cuts?: string[] },
  partitionDays: number,
): number {
  if (!plan.cuts) return windowCount(plan.from, plan.to, partitionDays);
  return Date.parse(plan.to) > Date.parse(plan.from) ? plan.cuts.length + 1 : 0;
}

/** The index-th window of a plan (see planWindowCount). */
export function planWindowAt(
  plan: { from: string; to: string; cuts?: string[] },
  partitionDays: number,
  index: number,
): TimeWindow {
  if (!plan.cuts) return windowAt(plan.from, plan.to, partitionDays, index);
  const bounds = [plan.from, ...plan.cuts, plan.to];
  return { from: bounds[index] as string, to: bounds[index + 1] as string };
}

/** A window partition's workflow id under its backfill: dead letters are filed under it. */
export function partitionIdOf(backfillId: string, index: number): string {
  return `${backfillId}/p${String(index).padStart(4, '0')}`;
}
