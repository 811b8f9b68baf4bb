/**
 * Records real workflow histories for the replay tests: a small backfill with continue-as-new forced early,
 * so that the histories hold children, signals, queries' state and continued runs; and a backfill an operator
 * steers (pause, resume, concurrency and rate updates), with a partition that yielded its slot; and SAP
 * incremental syncs: the first (it backfills as a child) and one that continues as new.
 *
 * With `--match` it records only a match run an operator pauses, widens and resumes, and one of its partitions.
 *
 * With `--csv` it records only a CSV load an operator pauses and resumes, continued as new, and a match run
 * whose inputs are CSV files.
 *
 * With `--equal-work` it records only a backfill on the defaults' planning (windows of equal work, chunks sized by
 * their duration) and one of its partitions.
 *
 * With `--hostile` it records only the issue-6 workflows, next to the others: a backfill whose records were
 * partly dead-lettered and that ends with its sample check, the dead-letter retry, a verification that repairs,
 * and a dry run's partition.
 *
 *   npm run record:histories [-- --hostile | --match | --csv | --equal-work]   (rewrites test/replay/histories/*.json, never the before-…/ directories;
 *                                             commit them with the change)
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { startBackfill } from '../src/client/backfill.js';
import { retryDeadLetters } from '../src/client/dead-letters.js';
import { prepareCsvLoad, startCsvLoad } from '../src/client/load-csv.js';
import { prepareMatchInputs, startMatch } from '../src/client/match.js';
import { resolveSync, type SyncOptions } from '../src/client/sync.js';
import { resolveVerify, runVerification } from '../src/client/verify.js';
import { matchInputsSchema } from '../src/matching/inputs.js';
import type { WooEmulator } from '../src/sandbox/emulators/woocommerce/server.js';
import { withLocalRun } from '../src/sandbox/local-run.js';
import { writeMatchingCsv } from '../src/sandbox/matching/csv.js';
import {
  GENERATED_CSV_INPUTS,
  GENERATED_INPUTS,
  loadGeneratedLedger,
} from '../src/sandbox/matching/tables.js';
import {
  pauseUpdate,
  resumeUpdate,
  setConcurrencyUpdate,
  setRateLimitUpdate,
} from '../src/workflows/control.js';
import { type PartitionReport, progressQuery } from '../src/workflows/messages.js';

const OUT = new URL('../test/replay/histories/', import.meta.url);

const hostileOnly = process.argv.includes('--hostile');
const matchOnly = process.argv.includes('--match');
const csvOnly = process.argv.includes('--csv');
const equalWorkOnly = process.argv.includes('--equal-work');

await withLocalRun(
  { orders: 1500, seed: 7, sapOrders: 400, taskQueue: 'record' },
  async ({ client, stack }) => {
    if (hostileOnly) {
      await recordHostile(client, stack.emulator, stack.db);
      return;
    }
    if (matchOnly) {
      await recordMatch(client, stack.db);
      return;
    }
    if (csvOnly) {
      await recordCsv(client, stack.db);
      return;
    }
    if (equalWorkOnly) {
      await recordEqualWork(client);
      return;
    }
    const sync = async (workflowId: string, options: Partial<SyncOptions>) => {
      const handle = await client.workflow.start('incrementalSync', {
        taskQueue: 'record',
        workflowId,
        args: [resolveSync({ migration: 'sap-orders', backfill: { partitionDays: 1000 }, ...options })],
      });
      await handle.result();
      return { workflowId, runId: handle.firstExecutionRunId };
    };
    await record(client, await sync('record/sync-first', {}), 'sync-first-completed');
    for (const order of stack.sap.store.all().slice(0, 200))
      stack.sap.store.change(order.DocEntry, 'edit-line');
    await sync('record/sync-continued', { pageSize: 5, pagesPerChunk: 1, maxHistoryEvents: 100 });
    for await (const execution of client.workflow.list({
      query: "WorkflowId = 'record/sync-continued' AND ExecutionStatus = 'ContinuedAsNew'",
    })) {
      await record(client, execution, 'sync-continued_as_new');
      break;
    }

    const handle = await startBackfill(client, 'record', {
      migration: 'woocommerce-orders',
      id: 'record/backfill',
      partitionDays: 1000,
      concurrency: 2,
      pageSize: 20,
      pagesPerChunk: 1,
      maxHistoryEvents: 150,
    });
    await handle.result();
    const runs: { workflowId: string; runId: string; type: string; status: string }[] = [];
    for await (const execution of client.workflow.list({ query: "WorkflowId STARTS_WITH 'record/'" })) {
      runs.push({
        workflowId: execution.workflowId,
        runId: execution.runId,
        type: execution.type,
        status: execution.status.name,
      });
    }
    // One continued and one final run of each workflow type.
    const kinds = [
      { name: 'backfill', matches: (id: string) => id === 'record/backfill' },
      { name: 'partition', matches: (id: string) => /\/p\d+$/.test(id) },
      { name: 'catch-up', matches: (id: string) => id.endsWith('/catch-up') },
    ];
    for (const kind of kinds) {
      for (const status of ['CONTINUED_AS_NEW', 'COMPLETED']) {
        const run = runs.find(
          (candidate) => kind.matches(candidate.workflowId) && candidate.status === status,
        );
        if (!run) {
          if (kind.name === 'catch-up' && status === 'CONTINUED_AS_NEW') continue; // it has little to copy here
          throw new Error(`no ${status} run of ${kind.name} to record`);
        }
        await record(client, run, `${kind.name}-${status.toLowerCase()}`);
      }
    }

    const steered = await startBackfill(client, 'record', {
      migration: 'woocommerce-orders',
      id: 'record/steered',
      partitionDays: 300,
      concurrency: 2,
      requestsPerMinute: 600,
      pageSize: 20,
      pagesPerChunk: 1,
    });
    while ((await steered.query(progressQuery)).records.fetched < 100) await sleep(100);
    await steered.executeUpdate(pauseUpdate);
    await steered.executeUpdate(resumeUpdate);
    await steered.executeUpdate(setConcurrencyUpdate, { args: [1] });
    await steered.executeUpdate(setRateLimitUpdate, { args: [null] });
    await steered.executeUpdate(setConcurrencyUpdate, { args: [3] });
    await steered.result();
    await record(
      client,
      { workflowId: steered.workflowId, runId: (await steered.describe()).runId },
      'steered-completed',
    );
    for await (const execution of client.workflow.list({
      query: "WorkflowId STARTS_WITH 'record/steered/p' AND ExecutionStatus = 'Completed'",
    })) {
      const report = (await client.workflow
        .getHandle(execution.workflowId, execution.runId)
        .result()) as PartitionReport;
      if (report.outcome === 'yielded') {
        await record(client, execution, 'partition-yielded');
        return;
      }
    }
    throw new Error('no partition of record/steered yielded its slot');
  },
);

async function record(client: Client, run: { workflowId: string; runId: string }, name: string) {
  const history = await client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
  const file = new URL(`${name}.json`, OUT);
  // protobufjs's own JSON form (long ids as strings, enums by name); the replay test reads it back with fromObject.
  await writeFile(
    file,
    `${JSON.stringify({ workflowId: run.workflowId, runId: run.runId, history }, null, 1)}\n`,
  );
  process.stderr.write(`recorded ${run.workflowId} (${run.runId}) -> ${file.pathname}\n`);
}

async function recordEqualWork(client: Client) {
  // No partitionDays and no pagesPerChunk: the plan cuts windows from the source's counts and chunks adapt.
  const handle = await startBackfill(client, 'record', {
    migration: 'woocommerce-orders',
    id: 'record/equal-work',
    concurrency: 2,
    pageSize: 20,
  });
  await handle.result();
  await record(
    client,
    { workflowId: handle.workflowId, runId: (await handle.describe()).runId },
    'backfill-equal-work-completed',
  );
  for await (const execution of client.workflow.list({
    query: "WorkflowId = 'record/equal-work/p0000' AND ExecutionStatus = 'Completed'",
  })) {
    await record(client, execution, 'partition-adaptive-completed');
    return;
  }
  throw new Error('no completed partition of record/equal-work');
}

async function recordMatch(client: Client, db: Knex) {
  await loadGeneratedLedger(db, { seed: 3, invoices: 3000 });
  const workflowId = 'record/match';
  const handle = await startMatch(
    client,
    'record',
    { inputs: GENERATED_INPUTS, partitions: 4, concurrency: 1 },
    workflowId,
  );
  await handle.executeUpdate(pauseUpdate);
  await handle.executeUpdate(setConcurrencyUpdate, { args: [2] });
  await handle.executeUpdate(resumeUpdate);
  await handle.result();
  await record(client, { workflowId, runId: handle.firstExecutionRunId }, 'match-steered-completed');
  const partition = await client.workflow.getHandle(`${workflowId}/partition-0`).describe();
  await record(
    client,
    { workflowId: partition.workflowId, runId: partition.runId },
    'match-partition-completed',
  );
}

/** A CSV load paused, resumed and continued as new; a match run whose inputs are CSV files. */
async function recordCsv(client: Client, db: Knex) {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-record-csv-'));
  const files = await writeMatchingCsv(dir, { seed: 3, invoices: 3000, brokenLines: 2 });
  const load = await prepareCsvLoad({
    file: files.invoices.path,
    target: {
      table: 'record_invoices',
      columns: { id: 'bigint', number: 'text', amount: 'decimal(14,2)', issued_on: 'date' },
      key: ['id'],
    },
    chunkLines: 200,
  });
  const loading = await startCsvLoad(client, 'record', load, { id: 'record/csv', maxHistoryEvents: 60 });
  await loading.executeUpdate(pauseUpdate);
  await loading.executeUpdate(resumeUpdate);
  await loading.result();
  await record(
    client,
    { workflowId: loading.workflowId, runId: loading.firstExecutionRunId },
    'csv-load-continued_as_new',
  );

  const inputs = await prepareMatchInputs(db, matchInputsSchema.parse(GENERATED_CSV_INPUTS), dir);
  const workflowId = 'record/match-csv';
  const handle = await startMatch(client, 'record', { inputs, partitions: 2 }, workflowId);
  await handle.result();
  await record(client, { workflowId, runId: handle.firstExecutionRunId }, 'match-csv-completed');
  await rm(dir, { recursive: true, force: true });
}

async function recordHostile(client: Client, emulator: WooEmulator, db: Knex) {
  const faults = (body: unknown) =>
    fetch(`${emulator.controlUrl}/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const options = { migration: 'woocommerce-orders', partitionDays: 1000, concurrency: 2, pageSize: 50 };
  const dry = await startBackfill(client, 'record', { ...options, id: 'record/dry', dryRun: true });
  await dry.result();
  await record(client, await lastRun(client, `${dry.workflowId}/p0000`), 'dry-run-partition-completed');

  await faults({ malformedRecordRate: 0.01 });
  const verified = await startBackfill(client, 'record', { ...options, id: 'record/verified' });
  await verified.result();
  await record(client, await lastRun(client, verified.workflowId), 'backfill-verified-completed');

  await faults({ malformedRecordRate: 0 });
  const retried = await retryDeadLetters(client, 'record', { migration: 'woocommerce-orders', filter: {} });
  await record(client, await lastRun(client, retried.workflowId), 'dlq-retry-completed');

  const [changed] = await db('orders').orderBy('id').limit(1).select('id');
  await db('orders')
    .where({ id: changed.id })
    .update({ total: db.raw('total + 1') });
  await db('order_items')
    .where({ order_id: changed.id + 1 })
    .delete();
  await db('orders')
    .where({ id: changed.id + 1 })
    .delete();
  const input = await resolveVerify(client, verified.workflowId, { sample: 2000, repair: true });
  const report = await runVerification(client, 'record', input);
  if (!report.afterRepair?.length) throw new Error('the verification found nothing to repair');
  await record(client, await lastRun(client, report.workflowId), 'verify-repaired-completed');
}

async function lastRun(client: Client, workflowId: string) {
  const { runId } = await client.workflow.getHandle(workflowId).describe();
  return { workflowId, runId };
}
