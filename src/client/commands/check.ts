import type { Command } from 'commander';

export function registerCheckCommand(program: Command): void {
  program
    .command('check')
    .description('run a workflow that proves the worker reaches the target database and a source connection')
    .option('--connection <name>', 'source connection to check', 'woocommerce')
    .option('--json', 'print one JSON object', false)
    .action(async (options) => (await import('../actions/check.js')).runCheck(options));
}
