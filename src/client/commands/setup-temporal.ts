import type { Command } from 'commander';

export function registerSetupTemporalCommand(program: Command): void {
  program
    .command('setup-temporal')
    .description("register ferry's search attributes (FerryMigration, FerryKind) on a Temporal namespace")
    .option('--json', 'print one JSON object', false)
    .action(async (options) => (await import('../actions/setup-temporal.js')).runSetupTemporal(options));
}
