import type { Command } from 'commander';
import { integerIn } from '../options.js';

const actions = () => import('../actions/dlq.js');

/** The filters `list`, `retry` and `discard` share. */
function withFilters(command: Command): Command {
  return command
    .option('--run <id>', 'only dead letters filed by this run (backfill or sync workflow id)')
    .option('--class <error-class>', 'only this error class: InvalidRecordError or MalformedPageError')
    .option('--id <ids...>', 'only these dead-letter ids');
}

/** `ferry dlq …`: records and pages a run could not write, kept with their reason until retried or discarded. */
export function registerDeadLetterCommands(program: Command): void {
  const dlq = program
    .command('dlq')
    .description(
      'dead letters: records a run refused and pages that stayed malformed (list, show, retry, discard)',
    );
  withFilters(
    dlq
      .command('list')
      .description('list dead letters, open ones unless told otherwise')
      .option('--migration <name>', 'only this migration'),
  )
    .option('--resolved', 'list resolved ones (written at last or discarded) instead', false)
    .option('--all', 'list open and resolved ones', false)
    .option('--limit <n>', 'at most this many', integerIn(1, 100_000), 50)
    .option('--json', 'print one JSON object', false)
    .action(async (options) => (await actions()).runDeadLetterList(options));
  dlq
    .command('show')
    .description('one dead letter in full: its reason, attempts and the payload as the source sent it')
    .argument('<id>', 'dead-letter id (from ferry dlq list)', integerIn(1, Number.MAX_SAFE_INTEGER))
    .option('--json', 'print one JSON object', false)
    .action(async (id, options) => (await actions()).runDeadLetterShow(id, options));
  withFilters(
    dlq
      .command('retry')
      .description(
        "fetch the migration's open dead letters from the source again and write them through its transform and writer",
      )
      .argument('<migration>', 'name of the migration'),
  )
    .option('--connection <name>', "source connection (default: the migration's)")
    .option('--plan <file>', 'the plan a field migration (neon-fields) writes the records with')
    .option('--json', 'print one JSON object', false)
    .action(async (migration, options) => (await actions()).runDeadLetterRetry(migration, options));
  withFilters(
    dlq
      .command('discard')
      .description('close open dead letters without writing them')
      .argument('<migration>', 'name of the migration'),
  )
    .option('--json', 'print one JSON object', false)
    .action(async (migration, options) => (await actions()).runDeadLetterDiscard(migration, options));
}
