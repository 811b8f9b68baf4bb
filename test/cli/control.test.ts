import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { workflowMetadataQuery } from '@temporalio/workflow';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { checksum, expectedLines, targetLines } from '../../src/sandbox/woocommerce-fingerprint.js';
import type { BackfillReport } from '../../src/workflows/backfill.js';
import { type BackfillFixture, startBackfillFixture } from '../helpers/fixture.js';
import { runCli } from '../helpers/run-cli.js';
import { listAllOrders } from '../helpers/woo-http.js';

const ORDERS = 4000;
let fixture: BackfillFixture;
let client: Client;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  fixture = await startBackfillFixture({ orders: ORDERS, seed: 91, faults: { latencyMs: 5 } });
  client = fixture.worker.client;
  env = {
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    FERRY_TASK_QUEUE: fixture.worker.taskQueue,
    FERRY_HOME: '/nonexistent',
    DATABASE_URL: '',
  };
});
afterAll(() => fixture.stop());
const startedIds: string[] = [];
// A test that fails midway must not leave its run writing into the next test's target.
afterEach(async () => {
  for (const id of startedIds.splice(0)) {
    await client.workflow
      .getHandle(id)
      .cancel()
      .catch(() => undefined);
    await client.workflow
      .getHandle(id)
      .result()
      .catch(() => undefined);
  }
});
// Every test checks its run's outcome against the source, so each starts from an empty target.
beforeEach(async () => {
  if (await fixture.database.db.schema.hasTable('orders')) {
    await fixture.database.db.raw('truncate orders, order_items, customers cascade');
  }
});

/** Rows in the target; 0 before the run has created its tables. */
async function orderCount(): Promise<number> {
  const { db } = fixture.database;
  if (!(await db.schema.hasTable('orders'))) return 0;
  return Number(((await db('orders').count({ n: '*' }).first()) as { n: string }).n);
}

async function ferry(...args: string[]) {
  const result = await runCli([...args, '--json'], env);
  return { ...result, json: result.code === 0 ? JSON.parse(result.stdout) : undefined };
}

async function start(id: string, ...options: string[]) {
  const started = await ferry(
    'start',
    'woocommerce-orders',
    '--id',
    id,
    '--partition-days',
    '400',
    '--page-size',
    '50',
    '--pages-per-chunk',
    '1',
    ...options,
  );
  expect(started.code, started.stderr).toBe(0);
  startedIds.push(id);
  return client.workflow.getHandle(id);
}

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; last saw ${JSON.stringify(value)}`);
    await sleep(200);
  }
}

/** Partitions of the run that Temporal itself lists as running: not our own counter. */
async function runningPartitions(id: string): Promise<number> {
  let running = 0;
  for await (const execution of client.workflow.list({
    query: `FerryKind = 'partition' AND ExecutionStatus = 'Running' AND WorkflowId STARTS_WITH '${id}/'`,
  })) {
    if (execution.workflowId.startsWith(`${id}/`)) running++;
  }
  return running;
}

async function expectTargetEqualsSource() {
  const expected = expectedLines(await listAllOrders(fixture.emulator));
  expect(checksum(await targetLines(fixture.database.db))).toBe(checksum(expected));
}

async function finishUnthrottled(id: string): Promise<BackfillReport> {
  const lifted = await ferry('set', id, '--rate', 'off', '--concurrency', '4');
  expect(lifted.code, lifted.stderr).toBe(0);
  expect(lifted.json).toMatchObject({ requestsPerMinute: null, concurrency: 4 });
  return (await client.workflow.getHandle(id).result()) as BackfillReport;
}

// Each test runs a throttled backfill long enough to steer it, then lifts the limit to finish.
describe('operators steer a running backfill', { timeout: 240_000 }, () => {
  it('pause holds: nothing is written until resume, then the run completes exactly', async () => {
    const id = `cli/pause-${Date.now()}`;
    await start(id, '--concurrency', '4', '--rate', '240');
    await waitFor(orderCount, (count) => count >= 100, 'the first rows');

    const paused = await ferry('pause', id);
    expect(paused.code, paused.stderr).toBe(0);
    expect(paused.json).toMatchObject({ workflowId: id, paused: true, runningPartitions: 0 });

    const before = await orderCount();
    const heldFrom = Date.now();
    await sleep(3000);
    const after = await orderCount();
    const heldMs = Date.now() - heldFrom;
    expect(heldMs).toBeGreaterThanOrEqual(3000);
    expect(after, `rows written during a ${heldMs} ms pause`).toBe(before);

    const status = (await ferry('status', id)).json;
    expect(status).toMatchObject({
      state: 'running',
      control: { paused: true },
      partitions: { running: 0 },
      etaSeconds: null,
    });
    expect(status.partitions.parked + status.partitions.done).toBeGreaterThan(0);
    expect(
      await waitFor(
        () => runningPartitions(id),
        (n) => n === 0,
        'no running partition',
      ),
    ).toBe(0);
    const metadata = await client.workflow.getHandle(id).query(workflowMetadataQuery);
    expect(metadata.currentDetails).toContain('**Paused**');
    // What the Web UI lists for the run: ferry's handlers, each with a description (Temporal's own start with __).
    const ours = (list: { name?: string | null; description?: string | null }[] | null | undefined) =>
      (list ?? []).filter((handler) => !handler.name?.startsWith('__'));
    expect(ours(metadata.definition?.updateDefinitions).map((handler) => handler.name)).toEqual([
      'pause',
      'resume',
      'setConcurrency',
      'setRateLimit',
    ]);
    expect(ours(metadata.definition?.queryDefinitions).map((handler) => handler.name)).toEqual(['progress']);
    for (const handler of [
      ...ours(metadata.definition?.updateDefinitions),
      ...ours(metadata.definition?.queryDefinitions),
      ...ours(metadata.definition?.signalDefinitions),
    ]) {
      expect(handler.description, handler.name ?? '').toMatch(/\w{3,}/);
    }

    const human = await runCli(['status', id], env);
    expect(human.stdout).toContain(`PAUSED (ferry resume ${id})`);

    const resumed = await ferry('resume', id);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.json).toMatchObject({ paused: false });
    const report = await finishUnthrottled(id);
    expect(report.partitions).toMatchObject({ done: report.partitions.total, parked: 0, failed: 0 });
    expect(report.records).toMatchObject({ fetched: ORDERS, inserted: ORDERS });
    expect(report.pausedMs).toBeGreaterThanOrEqual(3000);
    await expectTargetEqualsSource();
  });

  it('set --concurrency changes how many partitions Temporal runs, both ways', async () => {
    const id = `cli/concurrency-${Date.now()}`;
    await start(id, '--concurrency', '1', '--rate', '90');
    await waitFor(
      () => runningPartitions(id),
      (n) => n === 1,
      'one running partition',
    );

    const raised = await ferry('set', id, '--concurrency', '3');
    expect(raised.code, raised.stderr).toBe(0);
    expect(raised.json).toMatchObject({ concurrency: 3 });
    await waitFor(
      () => runningPartitions(id),
      (n) => n === 3,
      'three running partitions',
    );

    const lowered = await ferry('set', id, '--concurrency', '1');
    expect(lowered.code, lowered.stderr).toBe(0);
    await waitFor(
      () => runningPartitions(id),
      (n) => n === 1,
      'back to one running partition',
    );
    const status = (await ferry('status', id)).json;
    expect(status.partitions.running).toBe(1);
    expect(status.control.concurrency).toBe(1);

    const report = await finishUnthrottled(id);
    expect(report.partitions).toMatchObject({ done: report.partitions.total, parked: 0, failed: 0 });
    expect(report.records).toMatchObject({ fetched: ORDERS, inserted: ORDERS });
    await expectTargetEqualsSource();
  });

  it('set --rate changes the request rate the source sees', async () => {
    const id = `cli/rate-${Date.now()}`;
    const concurrency = 2;
    await start(id, '--concurrency', String(concurrency), '--rate', '300');
    await waitFor(orderCount, (count) => count > 0, 'the first rows');

    /**
     * Each partition's requests are spaced by its share's interval, so a window of s seconds holds at most
     * concurrency × (s / interval + 1) requests under a limit.
     */
    const allowedUnder = (requestsPerMinute: number, seconds: number) =>
      concurrency * ((seconds * requestsPerMinute) / concurrency / 60 + 1);
    const measure = async (windowMs: number) => {
      const first = fixture.emulator.stats.requests;
      const from = Date.now();
      await sleep(windowMs);
      return { requests: fixture.emulator.stats.requests - first, seconds: (Date.now() - from) / 1000 };
    };
    const fast = await measure(4000);

    const slowed = await ferry('set', id, '--rate', '60');
    expect(slowed.code, slowed.stderr).toBe(0);
    expect(slowed.json).toMatchObject({ requestsPerMinute: 60 });
    await sleep(2000); // the chunk in flight keeps its old pace
    const slow = await measure(6000);

    const figures = JSON.stringify({ fast, slow });
    // Under the new limit the source sees no more than it allows...
    expect(slow.requests, figures).toBeLessThanOrEqual(allowedUnder(60, slow.seconds));
    // ...while before it, it saw more than the new limit would have let through: the rate really changed.
    expect(fast.requests, figures).toBeGreaterThan(allowedUnder(60, fast.seconds));
    expect(fast.requests, figures).toBeLessThanOrEqual(allowedUnder(300, fast.seconds));

    const report = await finishUnthrottled(id);
    expect(report.records).toMatchObject({ fetched: ORDERS, inserted: ORDERS });
    await expectTargetEqualsSource();
  });

  it('invalid changes are refused with the field and its range; the run goes on unchanged', async () => {
    const id = `cli/invalid-${Date.now()}`;
    // Slow enough to outlast the refusals below, each a CLI process of its own.
    await start(id, '--concurrency', '2', '--rate', '30');
    const refusals: [string[], string][] = [
      [['--concurrency', '0'], 'concurrency must be a whole number from 1 to 64; got 0'],
      [['--concurrency', '-2'], 'concurrency must be a whole number from 1 to 64; got -2'],
      [['--concurrency', '65'], 'concurrency must be a whole number from 1 to 64; got 65'],
      [['--concurrency', '2.5'], 'concurrency must be a whole number from 1 to 64; got 2.5'],
      [['--concurrency', 'lots'], 'concurrency must be a whole number from 1 to 64; got "lots"'],
      [['--rate', '0'], 'requestsPerMinute must be a whole number from 1 to 60000; got 0'],
      [['--rate', '60001'], 'requestsPerMinute must be a whole number from 1 to 60000; got 60001'],
      [['--rate', 'fast'], 'requestsPerMinute must be a whole number from 1 to 60000; got "fast"'],
    ];
    for (const [args, message] of refusals) {
      const refused = await runCli(['set', id, ...args], env);
      expect(refused.code, args.join(' ')).toBe(1);
      expect(refused.stderr).toBe(`ferry: Run ${id} refused the change: ${message}\n`);
    }
    const nothing = await runCli(['set', id], env);
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toContain('Nothing to set');

    const status = (await ferry('status', id)).json;
    expect(status.state).toBe('running');
    expect(status.control).toEqual({ paused: false, concurrency: 2, requestsPerMinute: 30 });

    const report = await finishUnthrottled(id);
    expect(report.problems).toEqual([]);
    expect(report.records).toMatchObject({ fetched: ORDERS, inserted: ORDERS });
    await expectTargetEqualsSource();

    const late = await runCli(['pause', id], env);
    expect(late.code).toBe(1);
    expect(late.stderr).toBe(`ferry: Run ${id} is not running (it is completed)\n`);
  });
});
