import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startBackfill } from '../../src/client/backfill.js';
import type { RunSummary } from '../../src/client/run-list.js';
import { type BackfillFixture, startBackfillFixture } from '../helpers/fixture.js';
import { runCli } from '../helpers/run-cli.js';

let fixture: BackfillFixture;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  // Slow pages keep one run going while the list is read.
  fixture = await startBackfillFixture({ orders: 1500, seed: 71, faults: { latencyMs: 150 } });
  env = { TEMPORAL_ADDRESS: inject('temporalAddress'), FERRY_HOME: '/nonexistent', DATABASE_URL: '' };
});
afterAll(() => fixture.stop());

async function list(args: string[]): Promise<RunSummary[]> {
  const result = await runCli(['list', ...args, '--limit', '1000', '--json'], env);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout).runs;
}

describe('ferry list', () => {
  it('returns exactly the runs matching each filter, from Temporal visibility', async () => {
    const { client, taskQueue } = fixture.worker;
    const prefix = `list-${Date.now()}`;
    const start = (name: string, options: { partitionDays: number; pageSize?: number }) =>
      startBackfill(client, taskQueue, {
        migration: 'woocommerce-orders',
        id: `${prefix}/${name}`,
        ...options,
      });
    const completed = await start('completed', { partitionDays: 3660 });
    const cancelled = await start('cancelled', { partitionDays: 30 });
    const terminated = await start('terminated', { partitionDays: 30 });
    // One order a page at 150 ms a page: minutes of work, so it is still running when the list is read.
    const running = await start('running', { partitionDays: 30, pageSize: 1 });
    await cancelled.cancel();
    await terminated.terminate('test');
    await completed.result();

    const expected: Record<string, string[]> = {
      running: [running.workflowId],
      completed: [completed.workflowId],
      cancelled: [cancelled.workflowId],
      failed: [terminated.workflowId],
    };
    const ours = (runs: RunSummary[]) =>
      runs.filter((run) => run.workflowId.startsWith(prefix)).map((run) => run.workflowId);
    try {
      for (const [state, ids] of Object.entries(expected)) {
        // Visibility is eventually consistent: a closed run may take a moment to show its new status.
        let runs = await list(['--status', state]);
        for (let tries = 0; tries < 50 && ours(runs).join() !== ids.join(); tries++) {
          await sleep(200);
          runs = await list(['--status', state]);
        }
        expect(ours(runs), state).toEqual(ids);
        expect(new Set(runs.map((run) => run.state)), state).toEqual(new Set([state]));
      }
      const all = await list(['--migration', 'woocommerce-orders']);
      expect(ours(all).sort()).toEqual(Object.values(expected).flat().sort());
      // Partitions (ours ran by now) are part of their backfill, not runs of their own, in anyone's list.
      expect(all.filter((run) => /\/(p\d{4}|catch-up)$/.test(run.workflowId))).toEqual([]);
      expect(new Set(all.map((run) => run.migration))).toEqual(new Set(['woocommerce-orders']));
      const human = await runCli(['list', '--status', 'running'], env);
      expect(human.stdout).toMatch(
        new RegExp(`^${running.workflowId}\\s+running\\s+woocommerce-orders\\s`, 'm'),
      );
    } finally {
      await running.cancel();
    }

    const unknown = await runCli(['list', '--migration', 'shopify-orders'], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toBe(
      'ferry: Unknown migration "shopify-orders"; known migrations: woocommerce-orders, sap-orders, eboekhouden-mutations, neon-fields ' +
        '(load your own with FERRY_MIGRATIONS=<module>, or ferry worker --migrations <module>)',
    );
    const badState = await runCli(['list', '--status', 'paused'], env);
    expect(badState.code).toBe(1);
    expect(badState.stderr.trim()).toBe(
      "ferry: option '--status <state>' argument 'paused' is invalid. Allowed choices are running, completed, failed, cancelled.",
    );
  });
});
