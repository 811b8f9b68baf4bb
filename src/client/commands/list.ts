import { type Command, Option } from 'commander';
import { integerIn } from '../options.js';
import { LISTED_STATES } from '../run-list.js';

export function registerListCommand(program: Command): void {
  program
    .command('list')
    .description('runs, newest first, from Temporal visibility')
    .option('--migration <name>', 'only runs of this migration')
    .addOption(new Option('--status <state>', 'only runs in this state').choices(LISTED_STATES))
    .option('--limit <n>', 'at most this many runs (1-1000)', integerIn(1, 1000), 50)
    .option('--json', 'print one JSON object', false)
    .action(async (options) => (await import('../actions/list.js')).runList(options));
}
