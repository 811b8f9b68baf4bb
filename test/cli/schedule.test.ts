import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type SyncScheduleDetails, triggerSyncSchedule } from '../../src/client/schedules.js';
import { type SapEmulator, startSapEmulator } from '../../src/sandbox/emulators/sap/server.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { runCli } from '../helpers/run-cli.js';
import { expectedSalesOrders, sapControl, targetSalesOrders } from '../helpers/sap.js';
import { startTestWorker, type TestWorker } from '../helpers/worker.js';

const SEED = 23;
let sap: SapEmulator;
let database: TestDatabase;
let worker: TestWorker;
let env: NodeJS.ProcessEnv;
// Schedules live in the namespace that every test file shares: a name of this file's own.
const name = `sap-test-${Date.now().toString(36)}`;

beforeAll(async () => {
  sap = await startSapEmulator({ orders: 300, seed: SEED });
  database = await createTestDatabase();
  worker = await startTestWorker(database.db, { sap: sap.connection });
  env = {
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    FERRY_TASK_QUEUE: worker.taskQueue,
    FERRY_HOME: '/nonexistent',
    DATABASE_URL: '',
  };
});
afterAll(async () => {
  await runCli(['schedule', 'delete', name], env);
  await worker?.stop();
  await sap?.close();
  await database?.drop();
});

async function ferry(...args: string[]) {
  const result = await runCli([...args, '--json'], env);
  return { ...result, json: JSON.parse(result.stdout || '{}') };
}

async function expectTargetExact(): Promise<void> {
  const expected = expectedSalesOrders(sap, SEED);
  const actual = await targetSalesOrders(database.db);
  expect(actual.orders).toEqual(expected.orders);
  expect(actual.lines).toEqual(expected.lines);
}

const describeSchedule = async (): Promise<SyncScheduleDetails> =>
  (await ferry('schedule', 'describe', name)).json;

/** Until no sync of the schedule is running. */
async function settle(): Promise<SyncScheduleDetails> {
  for (;;) {
    const details = await describeSchedule();
    if (details.recentRuns.every((run) => run.status !== 'running')) return details;
    await sleep(200);
  }
}

describe('ferry schedule (Temporal Schedules, real worker, SAP emulator)', () => {
  it('creates a sync schedule that lists, and refuses bad input by name', async () => {
    const created = await ferry('schedule', 'create', 'sap-orders', '--every', '1h', '--name', name);
    expect(created.code, created.stderr).toBe(0);
    expect(created.json).toMatchObject({ name, migration: 'sap-orders', every: '1h', lookback: '10m00s' });

    for (;;) {
      // The schedule list is read from Temporal's visibility store, which lags a create by a moment.
      const listed = await ferry('schedule', 'list');
      const found = listed.json.schedules.find((s: { name: string }) => s.name === name);
      if (found) {
        expect(found).toMatchObject({ migration: 'sap-orders', connection: 'sap', paused: false });
        break;
      }
      await sleep(250);
    }

    const again = await ferry('schedule', 'create', 'sap-orders', '--every', '1h', '--name', name);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`A schedule named ${name} already exists`);
    const badEvery = await ferry('schedule', 'create', 'sap-orders', '--every', 'soon');
    expect(badEvery.stderr).toContain(
      "Invalid option --every: 'soon' is not a duration such as 30s, 5m or 1h",
    );
    const tooOften = await ferry('schedule', 'create', 'sap-orders', '--every', '2s');
    expect(tooOften.stderr).toContain('Invalid option --every: must be at least 10s');
    const backfillOnly = await ferry('schedule', 'create', 'woocommerce-orders', '--every', '5m');
    expect(backfillOnly.stderr).toContain(
      'Migration "woocommerce-orders" cannot run as an incremental sync; it only backfills',
    );
    const missing = await ferry('schedule', 'describe', 'no-such-schedule');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No sync schedule named no-such-schedule');
  });

  it('trigger --wait runs a sync (the first backfills), and the next one brings exactly the changes', async () => {
    const first = await ferry('schedule', 'trigger', name, '--wait');
    expect(first.code, first.stderr).toBe(0);
    expect(first.json.result.backfilled.inserted).toBe(300);
    await expectTargetExact();

    await sapControl(sap, 'POST', '/orders', { count: 2 });
    await sapControl(sap, 'POST', '/orders/7/edit-header');
    const second = await ferry('schedule', 'trigger', name, '--wait');
    expect(second.json.result).toMatchObject({ inserted: 2, updated: 1, deleted: 0, backfilled: null });
    await expectTargetExact();

    const details = await describeSchedule();
    expect(details).toMatchObject({ overlap: 'skip', paused: false, catchupWindowMs: 3_600_000 });
    expect(details.recentRuns.map((run) => run.workflowId)).toEqual([
      first.json.workflowId,
      second.json.workflowId,
    ]);
    expect(details.recentRuns[1]).toMatchObject({
      status: 'completed',
      result: { inserted: 2, updated: 1, deleted: 0, fetched: second.json.result.fetched },
    });
    expect(details.recentRuns[1]?.result?.durationMs).toBeGreaterThan(0);
  });

  it('triggers while a sync runs are skipped, also two at once: syncs never overlap', async () => {
    // Each request now waits 3 s, so the sync outlasts the triggers below however busy the machine (at 300 ms a
    // CI run's triggers once came after it had ended); it is let go at full speed once they are in.
    await sapControl(sap, 'PUT', '/faults', { latencyMs: 3_000 });
    try {
      const before = await describeSchedule();
      const first = await triggerSyncSchedule(worker.client, name);
      expect(first.started).toBe(true);
      await sleep(1_100); // Temporal names a scheduled run by the second it starts
      const running = first.started ? first.workflowId : '';
      expect((await worker.client.workflow.getHandle(running).describe()).status.name).toBe('RUNNING');
      const [second, third] = await Promise.all([
        triggerSyncSchedule(worker.client, name),
        triggerSyncSchedule(worker.client, name),
      ]);
      expect(second).toEqual({ started: false, runningWorkflowId: running });
      expect(third).toEqual({ started: false, runningWorkflowId: running });
      await sapControl(sap, 'PUT', '/faults', { latencyMs: 0 });
      const after = await settle();
      const newRuns = after.recentRuns.slice(before.recentRuns.length);
      expect(newRuns).toHaveLength(1);
      expect(after.skippedOverlap - before.skippedOverlap).toBeGreaterThanOrEqual(1);
      const span = await worker.client.workflow.getHandle(running).describe();
      // The skipped triggers came while it ran.
      expect((span.closeTime as Date).getTime() - span.startTime.getTime()).toBeGreaterThan(1_100);
    } finally {
      await sapControl(sap, 'PUT', '/faults', { latencyMs: 0 });
    }
    await expectTargetExact();
  });

  it('pause and unpause, with a note', async () => {
    const paused = await ferry('schedule', 'pause', name, '--note', 'SAP upgrade tonight');
    expect(paused.json).toEqual({ name, state: 'paused', note: 'SAP upgrade tonight' });
    expect(await describeSchedule()).toMatchObject({ paused: true, note: 'SAP upgrade tonight' });
    await ferry('schedule', 'unpause', name);
    expect((await describeSchedule()).paused).toBe(false);
  });

  it('backfill replays a past interval: its run re-reads changes from that time', async () => {
    const before = await describeSchedule();
    const watermark = before.recentRuns.at(-1)?.result?.watermark as string;
    const to = new Date(Date.now() - 3_600_000);
    const from = new Date(to.getTime() - 3_600_000);
    const replay = await ferry(
      'schedule',
      'backfill',
      name,
      '--from',
      from.toISOString(),
      '--to',
      to.toISOString(),
    );
    expect(replay.code, replay.stderr).toBe(0);
    let after = await settle();
    while (after.recentRuns.length === before.recentRuns.length) after = await settle();
    const run = after.recentRuns.at(-1);
    expect(run?.status).toBe('completed');
    // A run meant for an hour or more ago reads from an hour or more before the watermark, not 10 minutes.
    expect(Date.parse(run?.result?.since as string)).toBeLessThanOrEqual(Date.parse(watermark) - 3_600_000);
    await expectTargetExact();

    const future = await ferry(
      'schedule',
      'backfill',
      name,
      '--from',
      from.toISOString(),
      '--to',
      '2999-01-01',
    );
    expect(future.stderr).toContain(
      'Invalid option --to: must not be in the future: a backfill replays the past',
    );
  });

  it('delete removes it; the watermark stays', async () => {
    const deleted = await ferry('schedule', 'delete', name);
    expect(deleted.json).toEqual({ name, deleted: true });
    expect((await ferry('schedule', 'describe', name)).stderr).toContain(`No sync schedule named ${name}`);
    expect(await database.db('ferry_watermarks').where({ migration: 'sap-orders' }).first()).toBeDefined();
  });
});
