import type { Command } from 'commander';
import { RATE_RANGE } from '../../workflows/control.js';
import { integerIn } from '../options.js';

const actions = () => import('../actions/schedule.js');

/** `ferry schedule …`: incremental syncs on Temporal Schedules, never two of one schedule at once. */
export function registerScheduleCommands(program: Command): void {
  const schedule = program
    .command('schedule')
    .description(
      'run a migration as an incremental sync on a Temporal Schedule (create, list, describe, ...)',
    );
  schedule
    .command('create')
    .description('create a schedule that syncs what changed since the last sync, every interval')
    .argument('<migration>', 'name of the migration (e.g. sap-orders)')
    .requiredOption('--every <duration>', 'interval between syncs, e.g. 5m (at least 10s)')
    .option('--lookback <duration>', "re-read this long before the watermark (default: the migration's, 10m)")
    .option('--name <name>', 'schedule name (default: the migration name)')
    .option('--connection <name>', "source connection (default: the migration's)")
    .option(
      '--rate <requests-per-minute>',
      'limit on requests to the source per sync',
      integerIn(RATE_RANGE.min, RATE_RANGE.max),
    )
    .option(
      '--page-size <n>',
      'records per source page (at most what the source serves)',
      integerIn(1, 10_000),
    )
    .option('--pages-per-chunk <n>', 'pages written per transaction', integerIn(1, 50))
    .option('--paused', 'create it paused', false)
    .option('--json', 'print one JSON object', false)
    .action(async (migration, options) =>
      (await actions()).runScheduleCreate(migration, {
        every: options.every,
        lookback: options.lookback,
        name: options.name,
        connection: options.connection,
        requestsPerMinute: options.rate,
        pageSize: options.pageSize,
        pagesPerChunk: options.pagesPerChunk,
        paused: options.paused,
        json: options.json,
      }),
    );
  schedule
    .command('list')
    .description('list the sync schedules')
    .option('--json', 'print one JSON object', false)
    .action(async (options) => (await actions()).runScheduleList(options));
  schedule
    .command('describe')
    .description("a schedule's settings, next runs and recent runs with their results")
    .argument('<name>', 'schedule name')
    .option('--json', 'print one JSON object', false)
    .action(async (name, options) => (await actions()).runScheduleDescribe(name, options));
  schedule
    .command('pause')
    .description('stop starting syncs (a running one finishes)')
    .argument('<name>', 'schedule name')
    .option('--note <text>', 'why, shown by describe and in the Web UI')
    .option('--json', 'print one JSON object', false)
    .action(async (name, options) => (await actions()).runSchedulePause(name, options));
  schedule
    .command('unpause')
    .description('start syncing again on the interval')
    .argument('<name>', 'schedule name')
    .option('--note <text>', 'why, shown by describe and in the Web UI')
    .option('--json', 'print one JSON object', false)
    .action(async (name, options) => (await actions()).runSchedulePause(name, { ...options, unpause: true }));
  schedule
    .command('trigger')
    .description('sync now; skipped if a sync of this schedule is still running')
    .argument('<name>', 'schedule name')
    .option('--wait', 'wait for the sync and print its result', false)
    .option('--json', 'print one JSON object', false)
    .action(async (name, options) => (await actions()).runScheduleTrigger(name, options));
  schedule
    .command('delete')
    .description('delete a schedule (its watermark stays)')
    .argument('<name>', 'schedule name')
    .option('--json', 'print one JSON object', false)
    .action(async (name, options) => (await actions()).runScheduleDelete(name, options));
  schedule
    .command('backfill')
    .description('run the schedule for a past interval: re-reads the changes made since --from')
    .argument('<name>', 'schedule name')
    .requiredOption('--from <date>', 'start of the interval')
    .requiredOption('--to <date>', 'end of the interval (not in the future)')
    .option('--json', 'print one JSON object', false)
    .action(async (name, options) => (await actions()).runScheduleBackfill(name, options));
}
