import { resolveTemporalCli } from '../../sandbox/temporal-cli.js';
import { printResult } from '../output.js';

export async function runProvision(options: { json: boolean }): Promise<void> {
  const cli = await resolveTemporalCli();
  printResult(options.json, cli, () =>
    cli.kind === 'path'
      ? `Temporal CLI: ${cli.path} (found via ${cli.source})`
      : 'No Temporal CLI and no Go: the Temporal SDK will download its dev server on first use',
  );
}
