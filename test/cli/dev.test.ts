import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, inject, it } from 'vitest';
import { devStackStateSchema } from '../../src/sandbox/state-file.js';
import { descendantsOf, isRunning } from '../helpers/processes.js';
import { FERRY_BIN, runCli } from '../helpers/run-cli.js';

async function startDev(home: string): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(
    process.execPath,
    [
      FERRY_BIN,
      'dev',
      '--json',
      '--orders',
      '321',
      '--temporal-port',
      '0',
      '--ui-port',
      '0',
      '--emulator-port',
      '0',
      '--sap-port',
      '0',
      '--sap-orders',
      '123',
      '--eboekhouden-port',
      '0',
      '--eboekhouden-mutations',
      '77',
      '--neon-port',
      '0',
      '--neon-accounts',
      '55',
    ],
    {
      env: {
        ...process.env,
        FERRY_HOME: home,
        TEMPORAL_CLI_PATH: inject('temporalCliPath'),
        DATABASE_URL: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const [line] = (await Promise.race([
    once(lines, 'line'),
    once(child, 'exit').then(() => {
      throw new Error(`ferry dev exited early: ${stderr}`);
    }),
  ])) as [string];
  return { child, line };
}

describe('ferry dev', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'starts the stack, serves the UI, and %s leaves no process behind',
    async (signal) => {
      const home = await mkdtemp(join(tmpdir(), 'ferry-dev-'));
      await chmod(home, 0o755);
      const { child, line } = await startDev(home);
      const state = devStackStateSchema.parse(JSON.parse(line));
      expect(state.pid).toBe(child.pid);

      // The state file holds what was printed, and other commands use it with no environment set.
      const fromFile = devStackStateSchema.parse(JSON.parse(await readFile(join(home, 'dev.json'), 'utf8')));
      expect(fromFile).toEqual(state);

      const ui = await fetch(state.uiUrl);
      expect(ui.status).toBe(200);
      expect(await ui.text()).toContain('<html');
      const health = await fetch(`${state.emulators.woocommerce.controlUrl}/health`);
      expect(await health.json()).toEqual({ ok: true, orders: 321 });
      const sapHealth = await fetch(`${state.emulators.sap?.controlUrl}/health`);
      expect(await sapHealth.json()).toEqual({ ok: true, orders: 123 });
      expect(fromFile.connections.sap).toMatchObject({ kind: 'sap', baseUrl: state.emulators.sap?.baseUrl });
      const eboekhoudenHealth = await fetch(`${state.emulators.eboekhouden?.controlUrl}/health`);
      expect(await eboekhoudenHealth.json()).toEqual({ ok: true, mutations: 77 });
      expect(fromFile.connections.eboekhouden).toMatchObject({
        kind: 'eboekhouden',
        baseUrl: state.emulators.eboekhouden?.baseUrl,
        source: 'ferry',
      });
      const neonHealth = await fetch(`${state.emulators.neon?.controlUrl}/health`);
      expect(await neonHealth.json()).toEqual({ ok: true, accounts: 55 });
      expect(fromFile.connections.neon).toMatchObject({
        kind: 'neon',
        baseUrl: state.emulators.neon?.baseUrl,
      });

      const check = await runCli(['check', '--json'], {
        FERRY_HOME: home,
        DATABASE_URL: '',
        TEMPORAL_ADDRESS: '',
      });
      expect(JSON.parse(check.stdout)).toMatchObject({ ok: true, source: { orders: 321 } });

      const descendants = descendantsOf(child.pid as number);
      expect(descendants.length).toBeGreaterThanOrEqual(2); // the Temporal CLI and PostgreSQL at least
      child.kill(signal);
      await once(child, 'exit');
      expect(descendants.filter(isRunning)).toEqual([]);
      await expect(readFile(join(home, 'dev.json'))).rejects.toThrow(/ENOENT/);
    },
  );
});
