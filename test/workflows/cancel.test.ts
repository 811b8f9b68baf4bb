import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startBackfill } from '../../src/client/backfill.js';
import { readRunStatus, summarize } from '../../src/client/run-status.js';
import { progressQuery } from '../../src/workflows/messages.js';
import type { TestDatabase } from '../helpers/database.js';
import { type BackfillFixture, startBackfillFixture } from '../helpers/fixture.js';
import type { TestWorker } from '../helpers/worker.js';

let database: TestDatabase;
let worker: TestWorker;

let fixture: BackfillFixture;

beforeAll(async () => {
  fixture = await startBackfillFixture({ orders: 6000, seed: 44, faults: { latencyMs: 30 } });
  ({ database, worker } = fixture);
});
afterAll(() => fixture.stop());

const orderCount = async () =>
  Number(((await database.db('orders').count({ n: '*' }).first()) as { n: string }).n);

it('cancel mid-run: children are cancelled, every chunk is whole, the report matches the target, a rerun completes it', async () => {
  const options = {
    migration: 'woocommerce-orders',
    partitionDays: 100,
    concurrency: 3,
    pagesPerChunk: 1,
    pageSize: 50,
  };
  const handle = await startBackfill(worker.client, worker.taskQueue, {
    ...options,
    id: `test/cancel-${Date.now()}`,
  });
  for (;;) {
    // The progress query lags the target by at most one chunk per running partition: whatever it reports is
    // committed, and what is committed but not yet reported fits in those chunks.
    if ((await handle.query(progressQuery)).sourceTotal === 0) {
      await sleep(100); // not planned yet: the target tables may not exist
      continue;
    }
    const before = await orderCount();
    const progress = await handle.query(progressQuery);
    const after = await orderCount();
    expect(progress.records.inserted).toBeLessThanOrEqual(after);
    expect(before).toBeLessThanOrEqual(progress.records.inserted + options.concurrency * options.pageSize);
    if (progress.records.fetched >= 1000) break;
    await sleep(100);
  }
  await handle.cancel();
  const failure = await handle.result().catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(WorkflowFailedError);

  const status = await readRunStatus(worker.client, handle.workflowId);
  expect(status.state).toBe('cancelled');
  expect(status.partitions?.running).toBe(0);
  // `ferry status` shows only what is known: no ETA for an ended run, no counts for partitions never checked.
  const shown = summarize(status);
  expect(shown).not.toMatch(/ETA|undefined/);
  expect(shown).toMatch(/^ {2}partition \d+ \S+\.\.\S+: cancelled$/m);
  const written = await orderCount();
  expect(written).toBeGreaterThan(0);
  expect(written).toBeLessThan(6000);
  // Chunks commit whole: what the report says was inserted is exactly what the target holds.
  expect(status.records?.inserted).toBe(written);

  for await (const child of worker.client.workflow.list({
    query: `WorkflowId STARTS_WITH '${handle.workflowId}/'`,
  })) {
    expect(['COMPLETED', 'CANCELLED', 'CONTINUED_AS_NEW'], child.workflowId).toContain(child.status.name);
  }

  const rerun = await startBackfill(worker.client, worker.taskQueue, {
    ...options,
    id: `test/cancel-rerun-${Date.now()}`,
  });
  const report = await rerun.result();
  expect(report.records).toMatchObject({
    fetched: 6000,
    inserted: 6000 - written,
    unchanged: written,
    updated: 0,
  });
  expect(await orderCount()).toBe(6000);
});

// Cancels landing at different moments: while children start, while they run, and in the same workflow task as a
// partition's last activity result (which once left the backfill waiting two minutes for a report never sent).
it('cancel right after start (children starting or not yet started) still ends the run promptly as cancelled', async () => {
  for (let attempt = 0; attempt < 8; attempt++) {
    const handle = await startBackfill(worker.client, worker.taskQueue, {
      migration: 'woocommerce-orders',
      id: `test/cancel-early-${attempt}-${Date.now()}`,
      partitionDays: 30,
      concurrency: 8,
    });
    await sleep(attempt * 100);
    await handle.cancel();
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
    const status = await readRunStatus(worker.client, handle.workflowId);
    expect(status.state).toBe('cancelled');
    expect(status.partitions?.running).toBe(0);
  }
});
