import type { Command } from 'commander';

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description('progress of a run: partitions, records, rate, ETA and what went wrong')
    .argument('<id>', 'workflow id of the run')
    .option('--watch', 'follow the run with a progress bar until it ends', false)
    .option('--json', 'print one JSON object', false)
    .action(async (id, options) => (await import('../actions/status.js')).runStatus(id, options));
}
