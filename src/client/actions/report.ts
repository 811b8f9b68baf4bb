import { writeFile } from 'node:fs/promises';
import { FerryError } from '../../errors.js';
import { type RunReport, runReport as readRunReport } from '../../report/run-report.js';
import { runReportHtml } from '../../report/run-report-html.js';
import { withDatabase } from '../database.js';
import { formatTable, note, printResult } from '../output.js';

function formatRunReport(report: RunReport): string {
  return [
    `run ${report.runId} (${report.migration}): ${report.records} records in ${report.durationSeconds} s, ${report.recordsPerSecond} records/s; ${report.written} written, ${report.deadLettered} dead-lettered`,
    `${report.requests} requests (${report.apiCallsPerRecord} per record), ${report.rateLimited} answered 429, ${report.retries} retried; ${report.partitions} partitions, ${report.chunks} chunks; worker peak ${report.workerPeakRssMb} MB`,
    '',
    formatTable(
      ['where the time went', 'share'],
      Object.entries(report.timeShares).map(([part, share]) => [
        `${part}${part === report.bottleneck ? ' (binds)' : ''}`,
        `${Math.round(share * 100)}%`,
      ]),
    ),
    '',
    report.recommendations.length > 0
      ? [
          'recommendations:',
          ...report.recommendations.map((item) => `- ${item.advice}\n  (${item.evidence})`),
        ].join('\n')
      : 'recommendations: none, nothing stands out',
  ].join('\n');
}

export async function runReport(runId: string, options: { json: boolean; html?: string }): Promise<void> {
  const report = await withDatabase((db) => readRunReport(db, runId));
  if (report.chunks === 0) {
    throw new FerryError(
      `No chunk of run ${runId} is recorded (is it a backfill, sync or retry id? see ferry list; timings are kept 30 days, and field migrations written back through an API, such as neon-fields, keep none yet)`,
    );
  }
  if (options.html) {
    await writeFile(options.html, runReportHtml(report));
    note(`wrote ${options.html}`);
  }
  printResult(options.json, report, () => formatRunReport(report));
}
