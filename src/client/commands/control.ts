import type { Command } from 'commander';
import { CONCURRENCY_RANGE, RATE_RANGE } from '../../workflows/control.js';
import type { ControlChange } from '../actions/control.js';

const control = async (id: string, change: ControlChange, options: { json: boolean }) =>
  (await import('../actions/control.js')).runControl(id, change, options);

/** pause, resume and set: Temporal updates on a running backfill, answered or refused by the workflow itself. */
export function registerControlCommands(program: Command): void {
  program
    .command('pause')
    .description(
      'pause a run: partitions finish their current chunk and stop; returns once nothing is written',
    )
    .argument('<id>', 'workflow id of the run')
    .option('--json', 'print one JSON object', false)
    .action((id, options) => control(id, { kind: 'pause' }, options));
  program
    .command('resume')
    .description('resume a paused run from where its partitions stopped')
    .argument('<id>', 'workflow id of the run')
    .option('--json', 'print one JSON object', false)
    .action((id, options) => control(id, { kind: 'resume' }, options));
  program
    .command('set')
    .description("change a running run's concurrency or rate limit; applies from each partition's next chunk")
    .argument('<id>', 'workflow id of the run')
    .option(
      '--concurrency <n>',
      `partitions running at once (${CONCURRENCY_RANGE.min}-${CONCURRENCY_RANGE.max})`,
    )
    .option(
      '--rate <requests-per-minute>',
      `requests per minute to the source for the whole run (${RATE_RANGE.min}-${RATE_RANGE.max}), or off`,
    )
    .option('--json', 'print one JSON object', false)
    .action((id, options) =>
      control(id, { kind: 'set', concurrency: options.concurrency, rate: options.rate }, options),
    );
}
