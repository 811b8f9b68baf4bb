import { formatCount, formatDuration } from '../format.js';
import type { TimeWindow } from '../migrations/types.js';
import type { BackfillProgress } from './messages.js';
import type { SyncResult } from './sync-messages.js';

/**
 * What the Temporal Web UI shows for ferry's workflows, in its markdown: a one-line summary and the options
 * fixed at start, and the current details a running backfill refreshes.
 */

/** Markdown's hard line break: keeps lines together where paragraphs would not fit the UI's panel. */
const MARKDOWN_LINE_BREAK = '  \n';

const day = (iso: string | null | undefined) => (iso ? iso.slice(0, 10) : '?');

export function backfillSummary(migration: string, from?: string | null, to?: string | null): string {
  return `${migration} backfill ${from ? day(from) : 'from the start'} → ${to ? day(to) : 'now'}`;
}

export function optionsDetails(options: Record<string, unknown>): string {
  return Object.entries(options)
    .filter(([, value]) => value !== undefined && typeof value !== 'object')
    .map(([key, value]) => `- **${key}**: ${String(value)}`)
    .join('\n');
}

export function partitionSummary(index: number, total: number, window: TimeWindow, catchUp: boolean): string {
  return catchUp
    ? `catch-up: changes in ${day(window.from)} → ${day(window.to)} since the backfill started`
    : `partition ${index + 1} of ${total}: ${day(window.from)} → ${day(window.to)}`;
}

export function backfillCurrentDetails(progress: BackfillProgress): string {
  const { records, partitions, control } = progress;
  const percent =
    progress.sourceTotal > 0 ? Math.min(100, (records.fetched * 100) / progress.sourceTotal) : 0;
  const done = `${percent.toFixed(1)}% · ${formatCount(records.fetched)} of ${formatCount(progress.sourceTotal)} records`;
  // Four short lines: the Web UI's panel shows about that much without scrolling.
  const headline = control.paused
    ? partitions.running > 0
      ? `**Pausing** · ${done} · waiting for ${partitions.running} chunks`
      : `**Paused** · ${done} · writes nothing`
    : `**${progress.state.charAt(0).toUpperCase()}${progress.state.slice(1)}** · ${done} · ${formatCount(progress.recordsPerSecond)}/s · ETA ${formatDuration(progress.etaSeconds)}`;
  return [
    headline,
    `inserted ${formatCount(records.inserted)} · updated ${formatCount(records.updated)} · unchanged ${formatCount(records.unchanged)}`,
    `partitions ${partitions.done} of ${partitions.total} done · ${partitions.running} running · ${partitions.parked} parked · ${partitions.failed} failed`,
    `concurrency ${control.concurrency} · rate limit ${rateText(control.requestsPerMinute)}`,
  ].join(MARKDOWN_LINE_BREAK);
}

export function partitionCurrentDetails(details: {
  phase: string;
  records: number;
  passes: number;
  position: string;
  requestsPerMinute: number | null;
}): string {
  return [
    `**${details.phase}** · ${formatCount(details.records)} records · pass ${details.passes}`,
    details.position,
    `rate limit ${rateText(details.requestsPerMinute)}`,
  ].join(MARKDOWN_LINE_BREAK);
}

const rateText = (requestsPerMinute: number | null) =>
  requestsPerMinute === null ? 'none' : `${formatCount(requestsPerMinute)}/min`;

export function syncCurrentDetails(result: SyncResult): string {
  const lines = [
    `**${result.phase}** · ${formatDuration(result.durationMs / 1000)}`,
    result.since
      ? `changes since ${result.since} · watermark → ${result.watermark ?? 'none'}`
      : 'reading the watermark',
    `${formatCount(result.fetched)} fetched · ${formatCount(result.inserted)} inserted · ${formatCount(result.updated)} updated · ${formatCount(result.unchanged)} unchanged · ${formatCount(result.deleted)} lines deleted`,
  ];
  if (result.backfilled) lines.push(`first backfill: ${formatCount(result.backfilled.fetched)} records`);
  return lines.join(MARKDOWN_LINE_BREAK);
}
