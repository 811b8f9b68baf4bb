import type { Command } from 'commander';

export function registerCancelCommand(program: Command): void {
  program
    .command('cancel')
    .description(
      'cancel a run: its partitions stop after their current chunk, which commits whole or not at all',
    )
    .argument('<id>', 'workflow id of the run')
    .option('--json', 'print one JSON object', false)
    .action(async (id, options) => (await import('../actions/cancel.js')).runCancel(id, options));
}
