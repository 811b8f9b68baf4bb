import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startBackfill } from '../../src/client/backfill.js';
import { resolveSync } from '../../src/client/sync.js';
import { sourceFingerprint, targetFingerprint } from '../../src/sandbox/eboekhouden-fingerprint.js';
import {
  type EboekhoudenEmulator,
  startEboekhoudenEmulator,
} from '../../src/sandbox/emulators/eboekhouden/server.js';
import type { Mutation } from '../../src/sandbox/emulators/eboekhouden/shapes.js';
import type { incrementalSync } from '../../src/workflows/incremental-sync.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { runCli } from '../helpers/run-cli.js';
import { startTestWorker, type TestWorker } from '../helpers/worker.js';

const MUTATIONS = 20_000;
const DAY_MS = 24 * 3600 * 1000;
let emulator: EboekhoudenEmulator;
let database: TestDatabase;
let worker: TestWorker;
let env: NodeJS.ProcessEnv;
let runs = 0;

beforeAll(async () => {
  // Thirteen months up to yesterday: the last days are within a sync's lookback.
  const now = Date.now();
  emulator = await startEboekhoudenEmulator({
    mutations: MUTATIONS,
    seed: 5,
    startDate: new Date(now - 400 * DAY_MS).toISOString(),
    endDate: new Date(now - DAY_MS).toISOString(),
  });
  database = await createTestDatabase();
  worker = await startTestWorker(database.db, { eboekhouden: emulator.connection });
  env = {
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    FERRY_TASK_QUEUE: worker.taskQueue,
    FERRY_HOME: '/nonexistent',
  };
}, 120_000);
afterAll(async () => {
  await worker?.stop();
  await emulator?.close();
  await database?.drop();
});

function* allMutations(): Generator<Mutation> {
  for (let id = 1; id <= emulator.store.size; id++) {
    // As the API sends it: JSON, not the emulator's objects.
    yield JSON.parse(JSON.stringify(emulator.store.get(id))) as Mutation;
  }
}
const expected = () => sourceFingerprint(allMutations(), emulator);
const control = async (method: string, path: string, body: unknown) => {
  const response = await fetch(`${emulator.controlUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status, await response.clone().text()).toBeLessThan(300);
  return response.json();
};
const sync = async () => {
  const handle = await worker.client.workflow.start<typeof incrementalSync>('incrementalSync', {
    taskQueue: worker.taskQueue,
    workflowId: `test/eboekhouden-sync-${Date.now()}-${++runs}`,
    args: [resolveSync({ migration: 'eboekhouden-mutations', lookback: '10 days' })],
  });
  return handle.result();
};
const openLetters = () =>
  database.db('ferry_dead_letters').whereNull('resolved_at').select('source_key', 'error_message as reason');

describe('eboekhouden-mutations (real Temporal and PostgreSQL, e-Boekhouden emulator)', () => {
  it('backfills 20,000 mutations exact by an independent checksum, about one API call per mutation', async () => {
    const handle = await startBackfill(worker.client, worker.taskQueue, {
      migration: 'eboekhouden-mutations',
      id: `test/eboekhouden-${Date.now()}`,
    });
    const report = await handle.result();
    expect(report).toMatchObject({ state: 'completed', sourceTotal: MUTATIONS, problems: [] });
    expect(report.records).toMatchObject({ inserted: MUTATIONS, deadLettered: 0 });
    const source = expected();
    expect(source).toMatchObject({ mutations: MUTATIONS, refused: 0 });
    const target = await targetFingerprint(database.db);
    expect(target).toEqual({ lines: source.lines, sum: source.sum, mutations: MUTATIONS });
    // The final check compared a sample with the source, field by field: equal.
    expect(report.verification).toMatchObject({ sampled: 100, differences: [] });
    // One detail request per mutation (and per sampled one); list pages, counts, relations, ledgers and the
    // login amortised.
    const calls = Object.values(emulator.stats.byRoute).reduce((sum, count) => sum + count, 0);
    expect(emulator.stats.byRoute['GET /mutation/{id}']).toBe(MUTATIONS + 100);
    expect(calls / MUTATIONS).toBeLessThanOrEqual(1.05);
  });

  it('a second run (the first sync, which backfills again before it has a watermark) writes nothing', async () => {
    const result = await sync();
    expect(result.backfilled).toMatchObject({ inserted: 0, updated: 0, unchanged: MUTATIONS });
    expect(result).toMatchObject({ inserted: 0, updated: 0, deadLettered: 0 });
    expect(result.unchanged).toBeGreaterThan(0);
  });

  it('a mutation edited at the source and a new one are exact after the next sync', async () => {
    const recentInvoice = [...allMutations()]
      .reverse()
      .find((mutation) => mutation.type === 2 && mutation.rows.length > 1) as Mutation;
    await control('POST', `/mutations/${recentInvoice.id}/edit`, {});
    const { ids } = (await control('POST', '/mutations', { count: 1 })) as { ids: number[] };
    const result = await sync();
    expect(result).toMatchObject({ inserted: 1, updated: 1, deadLettered: 0 });
    const source = expected();
    expect(await targetFingerprint(database.db)).toEqual({
      lines: source.lines,
      sum: source.sum,
      mutations: MUTATIONS + ids.length,
    });
  });

  it('a relation missing at the source dead-letters its invoices with the reason; ferry dlq retry fixes them', async () => {
    const { ids } = (await control('POST', '/mutations', { count: 3 })) as { ids: number[] };
    const invoice = ids
      .map((id) => emulator.store.get(id) as Mutation)
      .find((m) => m.type <= 2 && m.type > 0);
    const relationId = (invoice?.relationId ?? emulator.store.get(ids[0] as number)?.relationId) as number;
    await control('PUT', `/relations/${relationId}/missing`, { missing: true });
    const refused = expected().refused;
    expect(refused).toBeGreaterThan(0);

    const result = await sync();
    expect(result.deadLettered).toBeGreaterThan(0);
    const letters = await openLetters();
    expect(letters.length).toBeGreaterThan(0);
    for (const letter of letters) {
      expect(letter.reason).toBe(`relationId ${relationId} is not known at the source (lookup relation)`);
    }

    await control('PUT', `/relations/${relationId}/missing`, { missing: false });
    const retry = await runCli(['dlq', 'retry', 'eboekhouden-mutations', '--json'], env, 180_000);
    expect(retry.code, retry.stderr).toBe(0);
    expect(await openLetters()).toEqual([]);
    const source = expected();
    expect(source.refused).toBe(0);
    expect(await targetFingerprint(database.db)).toEqual({
      lines: source.lines,
      sum: source.sum,
      mutations: emulator.store.size,
    });
  });

  it('a chunk of large pages holds 5,000 mutations at most (the bound is in records, not pages)', async () => {
    const id = `test/eboekhouden-pages-${Date.now()}`;
    // One partition, pages of 1,000, chunks that adapt from the migration's 10 pages: bounded by pages alone, the
    // first would hold 10,000 mutations at once.
    const handle = await startBackfill(worker.client, worker.taskQueue, {
      migration: 'eboekhouden-mutations',
      id,
      pageSize: 1000,
      concurrency: 1,
    });
    const report = await handle.result();
    expect(report.records.fetched).toBeGreaterThanOrEqual(MUTATIONS);
    const sizes = (await database.db('ferry_chunk_timings').where({ run_id: id }).pluck('records')).map(
      Number,
    );
    expect(Math.max(...sizes)).toBeGreaterThan(1000);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(5000);
  });
});
