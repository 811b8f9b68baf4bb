import type { Command } from 'commander';
import { MAX_MATCH_PARTITIONS } from '../../matching/declaration.js';
import { MATCH_CONCURRENCY_RANGE } from '../../workflows/match-messages.js';
import { integerIn } from '../options.js';

const actions = () => import('../actions/match.js');

/** `ferry match …`: payments matched to invoices in PostgreSQL, the run durable in Temporal; review of ties. */
export function registerMatchCommands(program: Command): void {
  const match = program
    .command('match')
    .description('match payments to invoices (start, report, review, confirm, reject)');
  match
    .command('start')
    .description('start a match run from a declaration (inputs, rules, partitions) and follow it to its end')
    .requiredOption('--config <file>', 'the declaration: YAML or JSON (see examples/match-generated.yaml)')
    .option('--partitions <n>', 'ranges of customers matched apart', integerIn(1, MAX_MATCH_PARTITIONS))
    .option(
      '--concurrency <n>',
      'partitions matched at once',
      integerIn(MATCH_CONCURRENCY_RANGE.min, MATCH_CONCURRENCY_RANGE.max),
    )
    .option('--id <workflow-id>', 'the run id (default: ferry/match/<now>)')
    .option('--no-wait', 'print the run id and return at once')
    .option('--json', 'print one JSON object', false)
    .action(async (options) => (await actions()).runMatchStart(options));
  match
    .command('generate')
    .description(
      'fill the database with a generated ledger whose true matches are known (ledger_customers, ledger_invoices, bank_payments, match_truth)',
    )
    .option(
      '--invoices <n>',
      'invoices in the ledger (payments come with them)',
      integerIn(1, 20_000_000),
      10_000,
    )
    .option('--seed <n>', 'seed of the generated ledger', integerIn(0, 2 ** 31), 4)
    .option(
      '--csv <dir>',
      'write the ledger as CSV files into this folder instead (customers, invoices, payments, truth), with a match.yaml that reads them',
    )
    .option('--json', 'print one JSON object', false)
    .action(async (options) => (await actions()).runMatchGenerate(options));
  match
    .command('report')
    .description(
      'what a run matched, per rule and confidence, what is left open by age, the largest open amounts',
    )
    .argument('<run>', 'the match run id')
    .option('--html <file>', 'also write the report as one self-contained HTML page with charts')
    .option('--json', 'print one JSON object', false)
    .action(async (run, options) => (await actions()).runMatchReport(run, options));
  match
    .command('review')
    .description('open review items: payments with candidates no rule could tell apart')
    .option('--limit <n>', 'at most this many', integerIn(1, 100_000), 50)
    .option('--json', 'print one JSON object', false)
    .action(async (options) => (await actions()).runMatchReview(options));
  match
    .command('confirm')
    .description('confirm a review item: the payment pays the invoice what both have open')
    .argument('<review-id>', 'from ferry match review', integerIn(1, Number.MAX_SAFE_INTEGER))
    .option('--json', 'print one JSON object', false)
    .action(async (id, options) => (await actions()).runMatchDecision(id, 'confirm', options));
  match
    .command('reject')
    .description('reject a review item: the payment does not pay that invoice')
    .argument('<review-id>', 'from ferry match review', integerIn(1, Number.MAX_SAFE_INTEGER))
    .option('--json', 'print one JSON object', false)
    .action(async (id, options) => (await actions()).runMatchDecision(id, 'reject', options));
}
