import type { Command } from 'commander';

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('run a ferry worker: executes migrations for Temporal')
    .option(
      '--migrations <modules...>',
      'modules exporting your own migrations (paths or package names), besides FERRY_MIGRATIONS',
    )
    .option('--json', 'machine-readable output', false)
    .action(async () => (await import('../actions/worker.js')).runWorker());
}
