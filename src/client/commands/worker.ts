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
      '--grace <seconds>',
      'on SIGTERM, how long running steps may go on before those that can stop are cancelled (chunks always commit)',
      integerIn(0, 3600),
      30,
    )
    .option(
      '--metrics <host:port>',
      "serve Prometheus metrics at http://<host:port>/metrics: the SDK's and ferry's (or FERRY_METRICS_ADDRESS)",
    )
    .option(
      '--health <host:port>',
      'serve GET /healthz there: 200 while the worker runs and PostgreSQL answers (or FERRY_HEALTH_ADDRESS)',
    )
    .option('--json', 'machine-readable output', false)
    .action(async (options) => (await import('../actions/worker.js')).runWorker(options));
}
