import type { Command } from 'commander';

/** `ferry report RUN`: how a run went, where its time went, and what to change. */
export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description(
      'how a run went: throughput over time, API calls per record, 429s, dead letters, where the time went, and recommendations',
    )
    .argument('<run>', 'the run id (a backfill, sync or dead-letter retry workflow id)')
    .option('--html <file>', 'also write the report as one self-contained HTML page with charts')
    .option('--json', 'print one JSON object', false)
    .action(async (run, options) => (await import('../actions/report.js')).runReport(run, options));
}
