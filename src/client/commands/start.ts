import type { Command } from 'commander';
import { CONCURRENCY_RANGE, RATE_RANGE } from '../../workflows/control.js';
import { integerIn } from '../options.js';

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('start a backfill of a migration (e.g. woocommerce-orders); prints its workflow id')
    .argument('<migration>', 'name of the migration')
    .option('--from <date>', "first creation date to copy (default: the source's first record)")
    .option('--to <date>', 'copy records created before this date (default: now)')
    .option('--partition-days <n>', 'days per partition', integerIn(1, 3660))
    .option(
      '--concurrency <n>',
      'partitions running at once',
      integerIn(CONCURRENCY_RANGE.min, CONCURRENCY_RANGE.max),
    )
    .option(
      '--rate <requests-per-minute>',
      'limit on requests to the source for the whole run (default: none)',
      integerIn(RATE_RANGE.min, RATE_RANGE.max),
    )
    .option(
      '--page-size <n>',
      'records per source page (at most what the source serves)',
      integerIn(1, 10_000),
    )
    .option('--pages-per-chunk <n>', 'pages written per transaction', integerIn(1, 50))
    .option('--connection <name>', "source connection (default: the migration's)")
    .option('--id <id>', 'workflow id (default: ferry/<migration>/<from>..<to>)')
    .option(
      '--dry-run',
      'fetch and transform everything, write nothing: report what would be inserted, updated and unchanged',
      false,
    )
    .option('--plan <file>', 'the plan of a field migration (neon-fields), a YAML or JSON file')
    .option(
      '--apply',
      'write: a migration that writes back into an API (neon-fields) runs dry without it',
      false,
    )
    .option(
      '--verify-sample <n>',
      'records compared field by field with the source at the end (default: 100; 0: none)',
      integerIn(0, 100_000),
    )
    .option('--watch', 'follow the run with a progress bar until it ends', false)
    .option('--json', 'print one JSON object', false)
    .action(async (migration, options) => (await import('../actions/start.js')).runStart(migration, options));
}
