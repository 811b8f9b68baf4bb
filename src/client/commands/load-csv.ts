import type { Command } from 'commander';

const actions = () => import('../actions/load-csv.js');

/** `ferry load-csv`: a CSV file into a table, in checkpointed chunks, durable in Temporal. */
export function registerLoadCsvCommand(program: Command): void {
  program
    .command('load-csv')
    .description(
      'load a CSV file into a table in chunks (resumable by byte offset; broken lines dead-lettered with their line number) and follow it to its end',
    )
    .requiredOption(
      '--config <file>',
      'the load: file, target table, columns (see examples/load-invoices-csv.yaml)',
    )
    .option('--file <path>', "the CSV file (default: the declaration's)")
    .option('--id <workflow-id>', 'the run id (default: ferry/csv/<table>/<now>)')
    .option('--no-wait', 'print the run id and return at once')
    .option('--json', 'print one JSON object', false)
    .action(async (options) => (await actions()).runLoadCsv(options));
}
