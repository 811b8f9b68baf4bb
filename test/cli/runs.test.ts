import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type BackfillFixture, startBackfillFixture } from '../helpers/fixture.js';
import { runCli } from '../helpers/run-cli.js';
import type { TestWorker } from '../helpers/worker.js';

let worker: TestWorker;
let env: NodeJS.ProcessEnv;

let fixture: BackfillFixture;

beforeAll(async () => {
  fixture = await startBackfillFixture({ orders: 3000, seed: 66, faults: { latencyMs: 25 } });
  ({ worker } = fixture);
  env = {
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    FERRY_TASK_QUEUE: worker.taskQueue,
    FERRY_HOME: '/nonexistent',
    DATABASE_URL: '',
  };
});
afterAll(() => fixture.stop());

async function statusOf(id: string) {
  const result = await runCli(['status', id, '--json'], env);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

describe('ferry start, status and cancel', () => {
  it('start prints the id, status follows the run to completed', async () => {
    const id = `cli/run-${Date.now()}`;
    const started = await runCli(
      ['start', 'woocommerce-orders', '--id', id, '--partition-days', '400', '--json'],
      env,
    );
    expect(started.code, started.stderr).toBe(0);
    expect(JSON.parse(started.stdout)).toEqual({ workflowId: id });

    const again = await runCli(['start', 'woocommerce-orders', '--id', id, '--json'], env);
    expect(again.code).toBe(1);
    expect(again.stderr.trim()).toBe(
      `ferry: A run with id ${id} is already running; watch it with \`ferry status ${id}\` or pass --id`,
    );

    const running = await statusOf(id);
    expect(running).toMatchObject({ workflowId: id, migration: 'woocommerce-orders' });
    expect(['running', 'completed']).toContain(running.state);
    let status = running;
    while (status.state === 'running') {
      await sleep(500);
      status = await statusOf(id);
    }
    expect(status).toMatchObject({
      state: 'completed',
      records: { fetched: 3000, inserted: 3000 },
      sourceTotal: 3000,
    });
    const human = await runCli(['status', id], env);
    expect(human.stdout).toContain(`${id}: completed`);
    expect(human.stdout).toMatch(/records fetched 3000 of 3000: inserted 3000, updated 0, unchanged 0/);
  });

  it('cancel ends a running run as cancelled', async () => {
    const id = `cli/cancel-${Date.now()}`;
    await runCli(
      ['start', 'woocommerce-orders', '--id', id, '--partition-days', '100', '--page-size', '20', '--json'],
      env,
    );
    const cancelled = await runCli(['cancel', id, '--json'], env);
    expect(JSON.parse(cancelled.stdout)).toEqual({ workflowId: id, cancelRequested: true });
    let status = await statusOf(id);
    while (status.state === 'running') {
      await sleep(300);
      status = await statusOf(id);
    }
    expect(status.state).toBe('cancelled');
    const twice = await runCli(['cancel', id], env);
    expect(twice.stderr.trim()).toBe(`ferry: Run ${id} is not running (it is cancelled)`);
  });

  // Bad input to `ferry start` is named before Temporal is contacted: test/cli/bad-input.test.ts.
  it('names an unknown run', async () => {
    const missing = await runCli(['status', 'no/such/run'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe(
      'ferry: No run with id no/such/run; list runs with `ferry list` or check the id',
    );
  });
});
