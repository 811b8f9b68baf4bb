import type { Command } from 'commander';

export function registerRateLimitCommand(program: Command): void {
  program
    .command('rate-limit')
    .description(
      "show or set a source connection's request limit, shared by every worker and run (on top of a run's --rate)",
    )
    .argument('<connection>', 'connection name, e.g. woocommerce or sap')
    .argument('[requests-per-minute]', 'a whole number from 1 to 60000, or off')
    .option('--json', 'print one JSON object', false)
    .action(async (connection, rate, options) =>
      (await import('../actions/rate-limit.js')).runRateLimit(connection, rate, options),
    );
}
