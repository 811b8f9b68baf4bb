import type { Command } from 'commander';
import { integerIn } from '../options.js';

export function registerVerifyCommand(program: Command): void {
  program
    .command('verify')
    .description(
      'check a backfill (or a whole migration): counts per partition against the source, and a random sample compared field by field',
    )
    .argument('<run-or-migration>', 'a backfill workflow id, or a migration name for its whole range')
    .option('--sample <n>', 'records compared field by field with the source', integerIn(0, 100_000), 100)
    .option(
      '--repair',
      'copy the partitions that differ again, and write the sampled records that differ',
      false,
    )
    .option('--connection <name>', "source connection (default: the run's or the migration's)")
    .option('--plan <file>', 'the plan of a field migration (neon-fields): every field it maps is checked')
    .option('--json', 'print one JSON object', false)
    .action(async (target, options) => (await import('../actions/verify.js')).runVerify(target, options));
}
