import type { Command } from 'commander';

export function registerProvisionCommand(program: Command): void {
  program
    .command('provision')
    .description(
      'find or build the Temporal CLI that the local stack and the tests use (builds once, minutes)',
    )
    .option('--json', 'print one JSON object', false)
    .action(async (options) => (await import('../actions/provision.js')).runProvision(options));
}
