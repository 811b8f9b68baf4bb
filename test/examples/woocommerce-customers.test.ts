import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startWooEmulator, type WooEmulator } from '../../src/sandbox/emulators/woocommerce/server.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { runCli } from '../helpers/run-cli.js';
import { wooGet } from '../helpers/woo-http.js';
import { WorkerProcesses } from '../helpers/worker-process.js';

/** The example as a team's project: its own package.json, ferry installed from `file:../..`. */
const EXAMPLE = fileURLToPath(new URL('../../examples/woocommerce-customers', import.meta.url));
const run = promisify(execFile);
const where = { cwd: EXAMPLE, bin: `${EXAMPLE}/node_modules/ferry/bin/ferry.js` };

interface WooCustomer {
  id: number;
  email: string;
  first_name: string;
  last_name: string;
  date_created_gmt: string;
  date_modified_gmt: string;
  billing: { city: string; country: string };
}

/** Every customer the store has, read apart from ferry, as `id|email|…` lines. */
async function sourceLines(emulator: WooEmulator): Promise<string[]> {
  const lines: string[] = [];
  for (let page = 1; ; page++) {
    const response = await wooGet(emulator, '/customers', { page, per_page: 100, orderby: 'id' });
    const customers = (await response.json()) as WooCustomer[];
    for (const c of customers) {
      const at = (gmt: string) => new Date(`${gmt}Z`).toISOString();
      const fields = [c.email, c.first_name, c.last_name, c.billing.city, c.billing.country];
      lines.push([c.id, ...fields, at(c.date_created_gmt), at(c.date_modified_gmt)].join('|'));
    }
    if (page >= Number(response.headers.get('x-wp-totalpages'))) return lines.sort();
  }
}

describe("the example outside ferry's tree (examples/woocommerce-customers)", () => {
  let emulator: WooEmulator;
  let database: TestDatabase;
  const taskQueue = `example-${Date.now()}`;
  const workers = new WorkerProcesses({
    databaseUrl: () => database.url,
    taskQueue,
    connections: () => ({ woocommerce: emulator.connection }),
  });

  beforeAll(async () => {
    // As its README says: `npm install` (here `npm ci`, from the committed lockfile) links ferry from ../..
    await run('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: EXAMPLE }).catch(
      (error) => {
        throw new Error(
          `npm ci in examples/woocommerce-customers failed; when ferry's dependencies change, run npm install there and commit its lockfile (${(error as Error).message})`,
        );
      },
    );
    emulator = await startWooEmulator({ orders: 1500, seed: 29 });
    database = await createTestDatabase();
  }, 180_000);
  afterAll(async () => {
    workers.killAll();
    await emulator?.close();
    await database?.drop();
  });

  it("type-checks against ferry's published types, as the team's editor does", async () => {
    const tsc = fileURLToPath(new URL('../../node_modules/.bin/tsc', import.meta.url));
    await expect(run(tsc, ['-p', 'tsconfig.json'], { cwd: EXAMPLE })).resolves.toMatchObject({ stdout: '' });
  });

  it('runs end to end through a real worker: every customer of the store, exactly', async () => {
    workers.spawn({ ...where, args: ['--migrations', './customers.ts'] });
    const result = await runCli(
      ['start', 'woocommerce-customers', '--id', `test/example-${Date.now()}`, '--watch', '--json'],
      {
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        FERRY_TASK_QUEUE: taskQueue,
        FERRY_HOME: '/nonexistent-ferry-home',
        FERRY_MIGRATIONS: './customers.ts',
      },
      120_000,
      where,
    );
    expect(result.stderr).not.toContain('rror');
    const status = JSON.parse(result.stdout) as {
      state: string;
      records: { fetched: number; inserted: number };
    };
    const expected = await sourceLines(emulator);
    expect(expected.length).toBeGreaterThan(100);
    expect(status.state).toBe('completed');
    expect(status.records).toMatchObject({ fetched: expected.length, inserted: expected.length });
    const rows = await database.db('woo_customers').select('*');
    const actual = rows.map((r) =>
      [r.id, r.email, r.first_name, r.last_name, r.city, r.country]
        .concat([r.registered_at.toISOString(), r.modified_at.toISOString()])
        .join('|'),
    );
    expect(actual.sort()).toEqual(expected);
  });
});
