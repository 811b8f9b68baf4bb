import { chmod, mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

let home: string;
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'ferry-bad-input-'));
});

/** Each case: non-zero exit, exactly one line on stderr that names the problem, nothing started. */
async function expectOneLineError(args: string[], env: NodeJS.ProcessEnv, pattern: RegExp) {
  const result = await runCli(args, { FERRY_HOME: home, ...env });
  expect(result.code).not.toBe(0);
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^ferry: /);
  expect(lines[0]).toMatch(pattern);
  return result;
}

describe('bad input', () => {
  it('an unknown command', async () => {
    await expectOneLineError(['chek'], {}, /unknown command 'chek' \(Did you mean check\?\)/);
  });

  it('an unknown flag', async () => {
    await expectOneLineError(['dev', '--ordres', '5'], {}, /unknown option '--ordres'/);
  });

  it('a flag value out of range', async () => {
    await expectOneLineError(
      ['dev', '--orders', '-3'],
      {},
      /--orders <n>.*expected an integer from 0 to 100000000/,
    );
  });

  it('an unreachable DATABASE_URL, with its password hidden (a worker told not to wait for it)', async () => {
    const result = await expectOneLineError(
      ['worker', '--wait', '0'],
      { DATABASE_URL: 'postgres://ferry:s3cret-pw@127.0.0.1:9/ferry' },
      /Cannot connect to PostgreSQL at postgres:\/\/ferry:\*\*\*@127\.0\.0\.1:9\/ferry \(.*ECONNREFUSED.*\); check DATABASE_URL/,
    );
    expect(result.stderr + result.stdout).not.toContain('s3cret-pw');
  });

  it('a DATABASE_URL that is not a PostgreSQL URL', async () => {
    await expectOneLineError(
      ['worker'],
      { DATABASE_URL: 'mysql://x@y/z' },
      /DATABASE_URL: must start with postgres:\/\//,
    );
  });

  it('a TEMPORAL_CLI_PATH that does not exist: ferry dev starts nothing', async () => {
    await expectOneLineError(
      ['dev', '--postgres-port', '0'],
      { TEMPORAL_CLI_PATH: '/nonexistent/temporal' },
      /TEMPORAL_CLI_PATH=\/nonexistent\/temporal is not an executable file/,
    );
    expect(await readdir(home)).toEqual([]);
  });

  it('a port that is taken: ferry dev names it and the flag, and starts nothing', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      await expectOneLineError(
        ['dev', '--temporal-port', String(port)],
        {},
        new RegExp(`Port ${port} is already in use .*--temporal-port <port>`),
      );
      expect(await readdir(home)).toEqual([]);
    } finally {
      blocker.close();
    }
  });

  it('a second ferry dev on the same FERRY_HOME, which would wipe the first one', async () => {
    const busyHome = await mkdtemp(join(tmpdir(), 'ferry-busy-'));
    await mkdir(busyHome, { recursive: true });
    const liveState = {
      pid: process.pid,
      temporalAddress: '127.0.0.1:7233',
      namespace: 'default',
      uiUrl: 'http://127.0.0.1:8233',
      databaseUrl: 'postgres://ferry:x@127.0.0.1:5432/ferry',
      emulators: {
        woocommerce: {
          baseUrl: 'http://127.0.0.1:8780/wp-json/wc/v3',
          controlUrl: 'http://127.0.0.1:8780/__emulator',
        },
      },
      connections: {},
    };
    await writeFile(join(busyHome, 'dev.json'), JSON.stringify(liveState));
    const result = await runCli(['dev'], { FERRY_HOME: busyHome });
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim()).toBe(
      `ferry: \`ferry dev\` is already running (pid ${process.pid}) with FERRY_HOME=${busyHome}; stop it first or use another FERRY_HOME`,
    );
    expect(await readdir(busyHome)).toEqual(['dev.json']);
  });

  it('no Temporal CLI, no Go and no download: one clear error, nothing left running', async () => {
    const bare = await mkdtemp(join(tmpdir(), 'ferry-bare-'));
    const result = await expectOneLineError(
      ['dev', '--temporal-port', '0', '--ui-port', '0', '--emulator-port', '0', '--sap-port', '0'],
      // No go and no temporal on PATH; a dead proxy makes the SDK's download fail on any machine.
      {
        FERRY_HOME: bare,
        PATH: '/usr/bin:/bin',
        HTTPS_PROXY: 'http://127.0.0.1:9',
        https_proxy: 'http://127.0.0.1:9',
      },
      /No Temporal CLI found .* Go is not installed to build one, and the Temporal SDK could not download its dev server .*install Go or the Temporal CLI$/,
    );
    expect(result.code).toBe(1);
    expect(await readdir(bare)).toEqual([]);
  });

  it('a TEMPORAL_CLI_PATH that is not a Temporal CLI', async () => {
    const fake = join(home, 'not-temporal.sh');
    await writeFile(fake, '#!/bin/sh\necho broken >&2\nexit 3\n');
    await chmod(fake, 0o755);
    await expectOneLineError(['provision'], { TEMPORAL_CLI_PATH: fake }, /is not a working Temporal CLI/);
  });

  // The command's own input is checked before Temporal is contacted: with none running, the input is named.
  it.each([
    [
      ['start', 'nosuch-migration'],
      /Unknown migration "nosuch-migration"; known migrations: woocommerce-orders/,
    ],
    [
      ['start', 'woocommerce-orders', '--from', '2024-13-01'],
      /Invalid option --from: '2024-13-01' is not a date/,
    ],
    [
      ['start', 'woocommerce-orders', '--from', '2024-03-01', '--to', '2024-02-01'],
      /Invalid option --to: 2024-02-01T00:00:00\.000Z is not after --from 2024-03-01T00:00:00\.000Z$/,
    ],
    [
      ['schedule', 'create', 'sap-orders', '--every', 'banana'],
      /Invalid option --every: 'banana' is not a duration such as 30s, 5m or 1h$/,
    ],
  ])('ferry %j with no Temporal running names the input', async (args, pattern) => {
    const result = await expectOneLineError(args, { TEMPORAL_ADDRESS: '127.0.0.1:9' }, pattern);
    expect(result.code).toBe(1);
  });

  it('an unreachable Temporal, and --json still prints one JSON object', async () => {
    const result = await expectOneLineError(
      ['check', '--json'],
      { TEMPORAL_ADDRESS: '127.0.0.1:9' },
      /Cannot reach Temporal at 127\.0\.0\.1:9/,
    );
    expect(JSON.parse(result.stdout)).toEqual({ error: expect.stringContaining('Cannot reach Temporal') });
  });
});
