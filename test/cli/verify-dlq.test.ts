import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startWooEmulator, type WooEmulator } from '../../src/sandbox/emulators/woocommerce/server.js';
import { checksum, expectedLines, targetLines } from '../../src/sandbox/woocommerce-fingerprint.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { runCli } from '../helpers/run-cli.js';
import { control, listAllOrders } from '../helpers/woo-http.js';
import { startTestWorker, type TestWorker } from '../helpers/worker.js';

const ORDERS = 3_000;
let emulator: WooEmulator;
let database: TestDatabase;
let worker: TestWorker;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  emulator = await startWooEmulator({ orders: ORDERS, seed: 71 });
  database = await createTestDatabase();
  worker = await startTestWorker(database.db, { woocommerce: emulator.connection });
  env = {
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    FERRY_TASK_QUEUE: worker.taskQueue,
    FERRY_HOME: '/nonexistent',
  };
});
afterAll(async () => {
  await worker?.stop();
  await emulator?.close();
  await database?.drop();
});

const ferry = async (...args: string[]) => {
  const result = await runCli([...args, '--json'], env, 180_000);
  return { ...result, json: JSON.parse(result.stdout || '{}') };
};

const rowCounts = async () => {
  const [orders, items, customers] = await Promise.all(
    ['orders', 'order_items', 'customers'].map(async (table) =>
      database.db(table).count<{ count: string }[]>({ count: '*' }).first(),
    ),
  );
  return [orders, items, customers].map((row) => Number(row?.count ?? 0));
};

const sourceChecksum = async () => checksum(expectedLines(await listAllOrders(emulator)));

describe('dry run, dead letters and verification from the CLI', () => {
  const range = ['--partition-days', '365', '--concurrency', '3'];
  let runId = '';
  let deadLettered = 0;

  it('a dry run writes nothing, and its counts are what the real run then does', async () => {
    await control(emulator, 'PUT', '/faults', { malformedRecordRate: 0.005 });
    const dry = await ferry('start', 'woocommerce-orders', ...range, '--dry-run', '--watch');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.json).toMatchObject({ state: 'completed', dryRun: true, problems: [] });
    expect(dry.json.workflowId).toMatch(/\/dry-run$/);
    expect(dry.json.sample[0]).toEqual({ key: expect.any(String), change: 'insert', fields: [] });
    // The target tables exist (the dry run's transactions need them) but hold nothing; nothing was filed.
    expect(await rowCounts()).toEqual([0, 0, 0]);
    expect(await database.db('ferry_dead_letters').count<{ count: string }[]>({ count: '*' })).toEqual([
      { count: '0' },
    ]);

    const real = await ferry('start', 'woocommerce-orders', ...range, '--watch');
    expect(real.code, real.stderr).toBe(0);
    expect(real.json.records).toEqual(dry.json.records);
    expect(real.json.problems).toEqual([]);
    runId = real.json.workflowId;
    deadLettered = real.json.records.deadLettered;
    expect(deadLettered).toBeGreaterThan(0);
    expect(real.json.records.inserted + deadLettered).toBe(ORDERS);
  });

  it('ferry dlq list and show tell which records were refused and why', async () => {
    const list = await ferry('dlq', 'list', '--migration', 'woocommerce-orders');
    expect(list.code, list.stderr).toBe(0);
    expect(list.json.total).toBe(deadLettered);
    const [first] = list.json.deadLetters;
    expect(first).toMatchObject({ migration: 'woocommerce-orders', errorClass: 'InvalidRecordError', runId });
    const show = await ferry('dlq', 'show', String(first.id));
    expect(show.json.payload.id).toBe(Number(first.sourceKey));
    expect(show.json.errorMessage).toBe(first.errorMessage);
    const human = await runCli(['dlq', 'list', '--migration', 'woocommerce-orders'], env);
    expect(human.stdout).toMatch(
      new RegExp(`${first.id} +woocommerce-orders +${first.sourceKey} +InvalidRecordError`),
    );
  });

  it('ferry verify finds a row changed behind its back and a deleted row, and --repair fixes both', async () => {
    const [changed, deleted] = await database.db('orders').orderBy('id').limit(2).offset(500).select('id');
    await database
      .db('orders')
      .where({ id: changed.id })
      .update({ total: database.db.raw('total + 1') });
    await database.db('order_items').where({ order_id: deleted.id }).delete();
    await database.db('orders').where({ id: deleted.id }).delete();

    const found = await ferry('verify', runId, '--sample', '5000');
    expect(found.code).toBe(1);
    expect(found.json.ok).toBe(false);
    expect(found.json.differing).toHaveLength(1);
    const [window] = found.json.differing;
    expect(window.sourceCount - window.targetCount - window.deadLettered).toBe(1);
    expect(found.json.sample.differences).toEqual([
      { key: String(changed.id), change: 'update', fields: ['total'] },
    ]);

    const repaired = await ferry('verify', runId, '--sample', '5000', '--repair');
    expect(repaired.code, JSON.stringify(repaired.json)).toBe(0);
    expect(repaired.json.ok).toBe(true);
    expect(repaired.json.afterRepair).toHaveLength(1);
    expect(repaired.json.sample.repaired).toBe(1);
    const again = await ferry('verify', runId, '--sample', '5000');
    expect(again.json).toMatchObject({ ok: true, differing: [], sample: { differences: [] } });
  });

  it('with the source fixed, ferry dlq retry makes the target equal the source; a discarded letter stays out', async () => {
    await control(emulator, 'PUT', '/faults', { malformedRecordRate: 0 });
    const list = await ferry('dlq', 'list', '--migration', 'woocommerce-orders');
    const discardedId = list.json.deadLetters[0].id;
    const discard = await ferry('dlq', 'discard', 'woocommerce-orders', '--id', String(discardedId));
    expect(discard.json).toEqual({ discarded: 1 });

    const retry = await ferry('dlq', 'retry', 'woocommerce-orders');
    expect(retry.code, retry.stderr).toBe(0);
    expect(retry.json).toMatchObject({
      retried: deadLettered - 1,
      resolved: deadLettered - 1,
      stillFailing: 0,
      notAtSource: 0,
    });
    expect((await ferry('dlq', 'list', '--migration', 'woocommerce-orders')).json.total).toBe(0);
    const resolved = await ferry('dlq', 'list', '--resolved', '--limit', '1000');
    expect(
      resolved.json.deadLetters.map((letter: { resolution: string }) => letter.resolution).sort(),
    ).toEqual([...Array(deadLettered - 1).fill('written'), 'discarded'].sort());

    // The discarded record is the one thing missing; verifying the migration finds it and --repair copies it.
    const verified = await ferry('verify', 'woocommerce-orders', '--sample', '0', '--repair');
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.json.differing).toHaveLength(1);
    expect(verified.json.ok).toBe(true);
    expect(checksum(await targetLines(database.db))).toBe(await sourceChecksum());
  });
});
