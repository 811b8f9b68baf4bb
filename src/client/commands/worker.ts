import type { Command } from 'commander';
import { integerIn } from '../options.js';

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('run a ferry worker: executes migrations for Temporal')
    .option(
      '--migrations <modules...>',
      'modules exporting your own migrations (paths or package names), besides FERRY_MIGRATIONS',
    )
    .option(
      '--wait <seconds>',
      'how long to wait for Temporal and PostgreSQL at start, trying again with backoff (0: fail at once)',
      integerIn(0, 86_400),
      300,
    )
    .option(
      '--metrics <host:port>',
      "serve Prometheus metrics at http://<host:port>/metrics: the SDK's and ferry's (or FERRY_METRICS_ADDRESS)",
    )
    .option('--json', 'machine-readable output', false)
    .action(async (options) => (await import('../actions/worker.js')).runWorker(options));
}
