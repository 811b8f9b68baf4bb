import type { Command } from 'commander';
import { resolveTemporalCli } from '../../sandbox/temporal-cli.js';
import { printResult } from '../output.js';

async function runProvision(options: { json: boolean }): Promise<void> {
  const cli = await resolveTemporalCli();
  printResult(options.json, cli, () =>
    cli.kind === 'path'
      ? `Temporal CLI: ${cli.path} (found via ${cli.source})`
      : 'No Temporal CLI and no Go: the Temporal SDK will download its dev server on first use',
  );
}

export function registerProvisionCommand(program: Command): void {
  program
    .command('provision')
    .description(
      'find or build the Temporal CLI that the local stack and the tests use (builds once, minutes)',
    )
    .option('--json', 'print one JSON object', false)
    .action(runProvision);
}
