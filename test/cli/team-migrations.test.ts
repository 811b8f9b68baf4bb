import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startWooEmulator, type WooEmulator } from '../../src/sandbox/emulators/woocommerce/server.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { runCli } from '../helpers/run-cli.js';
import { WorkerProcesses } from '../helpers/worker-process.js';

const fixture = (name: string) =>
  fileURLToPath(new URL(`../fixtures/team-migrations/${name}`, import.meta.url));
const SHOP = fixture('shop.mjs');
const noTemporal = { TEMPORAL_ADDRESS: '127.0.0.1:9' };

describe("a team's migrations, loaded from its own module", () => {
  it('are unknown until loaded, and a module that cannot serve is named', async () => {
    const unknown = await runCli(['start', 'shop-orders'], noTemporal);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toBe(
      'ferry: Unknown migration "shop-orders"; known migrations: woocommerce-orders, sap-orders, eboekhouden-mutations, neon-fields ' +
        '(load your own with FERRY_MIGRATIONS=<module>, or ferry worker --migrations <module>)',
    );
    const empty = await runCli(['start', 'shop-orders'], {
      ...noTemporal,
      FERRY_MIGRATIONS: fixture('nothing.mjs'),
    });
    expect(empty.stderr.trim()).toMatch(
      /^ferry: \S+nothing\.mjs exports no migration \(an object with name, /,
    );
    const missing = await runCli(['start', 'shop-orders'], {
      ...noTemporal,
      FERRY_MIGRATIONS: './no-such-module.mjs',
    });
    expect(missing.stderr.trim()).toMatch(
      /^ferry: Cannot load migrations from \.\/no-such-module\.mjs \(.*\)$/,
    );
    expect(missing.code).toBe(1);
  });

  describe('with a real worker', () => {
    let emulator: WooEmulator;
    let database: TestDatabase;
    const taskQueue = `team-${Date.now()}`;
    const workers = new WorkerProcesses({
      databaseUrl: () => database.url,
      taskQueue,
      connections: () => ({ woocommerce: emulator.connection }),
    });
    const cli = (args: string[], env: Record<string, string> = {}) =>
      runCli(args, {
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        FERRY_TASK_QUEUE: taskQueue,
        FERRY_HOME: '/nonexistent-ferry-home',
        ...env,
      });

    beforeAll(async () => {
      emulator = await startWooEmulator({ orders: 400, seed: 71 });
      database = await createTestDatabase();
    });
    afterAll(async () => {
      workers.killAll();
      await emulator.close();
      await database.drop();
    });

    it('a worker that was not given the module refuses the run by naming the migration and how to load it', async () => {
      const plain = workers.spawn();
      try {
        const result = await cli(
          ['start', 'shop-orders', '--id', `test/team-refused-${Date.now()}`, '--watch', '--json'],
          {
            FERRY_MIGRATIONS: SHOP,
          },
        );
        expect(result.code).toBe(1);
        const status = JSON.parse(result.stdout) as { state: string; error?: string };
        expect(status.state).toBe('failed');
        expect(status.error).toContain('Unknown migration "shop-orders"');
        expect(status.error).toContain('ferry worker --migrations <module>');
      } finally {
        // Gone before the next test's worker polls the same task queue.
        const exited = once(plain, 'exit');
        plain.kill('SIGKILL');
        await exited;
      }
    });

    it('a worker started with --migrations runs it end to end, started by name from the CLI', async () => {
      workers.spawn({ args: ['--migrations', SHOP] });
      const result = await cli(
        ['start', 'shop-orders', '--id', `test/team-${Date.now()}`, '--watch', '--json'],
        {
          FERRY_MIGRATIONS: SHOP,
        },
      );
      expect(result.stderr).not.toContain('error');
      const status = JSON.parse(result.stdout) as {
        state: string;
        records: { fetched: number; inserted: number };
      };
      expect(status.state).toBe('completed');
      expect(status.records).toMatchObject({ fetched: 400, inserted: 400 });
      expect(await database.db('orders').count({ n: '*' }).first()).toEqual({ n: '400' });
    });
  });
});
