import { barChart, count, escapeHtml, lineChart, page, table, timelineChart, totals } from './html-parts.js';
import type { RunReport } from './run-report.js';

/** Partitions drawn on the timeline at most: beyond, the page would be a wall of bars. */
const TIMELINE_ROWS = 60;

/** A run report as one self-contained HTML page with its charts (see html-parts.ts). */
export function runReportHtml(report: RunReport): string {
  const shares = barChart(
    'Where the time went (of the time chunks ran, summed over partitions)',
    Object.entries(report.timeShares).map(([part, share]) => ({
      label: part,
      value: share,
      note: `${Math.round(share * 100)}%${part === report.bottleneck ? ' · what binds' : ''}`,
    })),
    '#2f6fb0',
  );
  const throughput = lineChart(
    'Records per second over the run',
    report.throughput.map((slice) => slice.recordsPerSecond),
    'records/s',
    '#3b8f5a',
  );
  const timeline =
    report.timeline.length > 0
      ? timelineChart(
          `Partitions on a timeline${report.timeline.length > TIMELINE_ROWS ? ` (the first ${TIMELINE_ROWS} of ${report.timeline.length})` : ''}`,
          report.timeline.slice(0, TIMELINE_ROWS).map((span) => ({
            label: span.partition.split('/').at(-1) ?? span.partition,
            from: Date.parse(span.from),
            to: Date.parse(span.to),
            note: `${count(span.records)} records, ${span.from} → ${span.to}`,
          })),
          '#c0673a',
        )
      : '';
  const recommendations =
    report.recommendations.length > 0
      ? `<ul>${report.recommendations
          .map(
            (item) =>
              `<li>${escapeHtml(item.advice)}<br><span class="evidence">${escapeHtml(item.evidence)}</span></li>`,
          )
          .join('')}</ul>`
      : '<p>Nothing stands out: no limit, source, database or scheduling cost dominates.</p>';
  const deadLetters =
    report.deadLettersByReason.length > 0
      ? table(
          ['reason', 'records'],
          report.deadLettersByReason.map((row) => [row.reason, count(row.count)]),
        )
      : '<p>None.</p>';
  return page(
    `Run report: ${report.runId}`,
    `${totals([
      { label: 'records', value: count(report.records), note: `${count(report.written)} written` },
      { label: 'duration', value: `${report.durationSeconds} s` },
      { label: 'records per second', value: count(report.recordsPerSecond) },
      { label: 'API calls per record', value: String(report.apiCallsPerRecord) },
      { label: '429s', value: count(report.rateLimited) },
      { label: 'retries', value: count(report.retries) },
      { label: 'dead letters', value: count(report.deadLettered) },
      { label: 'worker peak memory', value: `${report.workerPeakRssMb} MB` },
    ])}
<h2>Recommendations</h2>
${recommendations}
<h2>Throughput</h2>
${throughput}
<h2>Where the time went</h2>
${shares}
<h2>Partitions</h2>
${timeline}
<h2>Dead letters by reason</h2>
${deadLetters}`,
  );
}
