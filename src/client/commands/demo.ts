import type { Command } from 'commander';
import { CONCURRENCY_RANGE } from '../../workflows/control.js';
import { integerIn } from '../options.js';

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'the main job on a fresh local stack: backfill N WooCommerce orders, then check target = source',
    )
    .option('--orders <n>', 'orders in the emulated store', integerIn(1, 100_000_000), 50_000)
    .option(
      '--concurrency <n>',
      'partitions running at once',
      integerIn(CONCURRENCY_RANGE.min, CONCURRENCY_RANGE.max),
    )
    .option('--partition-days <n>', 'days per partition', integerIn(1, 3660))
    .option('--keep', 'keep the stack and its Web UI running after the summary, until Ctrl-C', false)
    .option('--json', 'end with one JSON line: counts, checksum, duration, rate, memory, history size', false)
    .action(async (options) => (await import('../actions/demo.js')).runDemoCommand(options));
}
