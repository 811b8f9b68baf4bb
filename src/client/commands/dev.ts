import type { Command } from 'commander';
import { integerIn, PORT } from '../options.js';

export function registerDevCommand(program: Command): void {
  program
    .command('dev')
    .description(
      'start the local stack: PostgreSQL, Temporal with its Web UI, the WooCommerce, SAP and e-Boekhouden emulators and a worker',
    )
    .option('--orders <n>', 'orders in the emulated WooCommerce store', integerIn(0, 100_000_000), 10_000)
    .option('--seed <n>', 'seed of the generated store data', integerIn(0, 2 ** 31), 42)
    .option('--persist', 'keep Temporal history and PostgreSQL data in FERRY_HOME across restarts', false)
    .option('--temporal-port <port>', 'Temporal gRPC port (0 = any free port)', PORT, 7233)
    .option('--ui-port <port>', 'Temporal Web UI port (0 = any free port)', PORT, 8233)
    .option('--postgres-port <port>', 'embedded PostgreSQL port (0 = any free port)', PORT, 0)
    .option('--emulator-port <port>', 'WooCommerce emulator port (0 = any free port)', PORT, 8780)
    .option(
      '--sap-orders <n>',
      'sales orders in the emulated SAP Business One company',
      integerIn(0, 500_000),
      2000,
    )
    .option(
      '--sap-port <port>',
      'SAP Business One Service Layer emulator port (0 = any free port)',
      PORT,
      8790,
    )
    .option(
      '--eboekhouden-mutations <n>',
      'mutations in the emulated e-Boekhouden administration',
      integerIn(0, 10_000_000),
      5000,
    )
    .option('--eboekhouden-port <port>', 'e-Boekhouden API emulator port (0 = any free port)', PORT, 8800)
    .option(
      '--neon-accounts <n>',
      'accounts in the emulated Neon CRM organisation',
      integerIn(0, 1_000_000),
      2000,
    )
    .option('--neon-port <port>', 'Neon CRM API emulator port (0 = any free port)', PORT, 8810)
    .option(
      '--rate-limit <n>',
      'emulator requests per minute per key (0 = unlimited)',
      integerIn(0, 1_000_000),
      0,
    )
    .option('--no-worker', 'do not run a ferry worker inside this process')
    .option('--json', 'print only the JSON line with the addresses', false)
    .action(async (options) => (await import('../actions/dev.js')).runDev(options));
}
