import type { Command } from 'commander';
import { integerIn } from '../options.js';

export function registerSetupTemporalCommand(program: Command): void {
  program
    .command('setup-temporal')
    .description(
      "create the Temporal namespace if it is missing, and register ferry's search attributes (FerryMigration, FerryKind) on it",
    )
    .option('--retention-days <n>', 'history retention of a namespace it creates', integerIn(1, 3650), 7)
    .option('--json', 'print one JSON object', false)
    .action(async (options) => (await import('../actions/setup-temporal.js')).runSetupTemporal(options));
}
