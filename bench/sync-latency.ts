/**
 * Schedule trigger → completed latency of ferry's incremental sync (sap-orders), through a real Temporal Schedule
 * and a real `ferry worker` process, for a sync with no changes and one with 1,000 changed orders. Each sync
 * reads the open orders too, as the seed's sync does. Also splits each latency into the workflow's own duration
 * and what Temporal's scheduler and task dispatch add, measured in the same run. Prints JSON on stdout.
 *
 *   npm run bench:sync -- [--orders 20000] [--changed 1000] [--repeats 5] [--json]
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { createSyncSchedule, triggerSyncSchedule } from '../src/client/schedules.js';
import { connectionEnv } from '../src/config.js';
import { startSapEmulator } from '../src/sandbox/emulators/sap/server.js';
import { startEmbeddedPostgres } from '../src/sandbox/postgres.js';
import { resolveTemporalCli } from '../src/sandbox/temporal-cli.js';
import { startTemporalDevServer } from '../src/sandbox/temporal-server.js';
import type { incrementalSync } from '../src/workflows/incremental-sync.js';
import { median } from './lib/median.js';

const { values } = parseArgs({
  options: {
    orders: { type: 'string', default: '20000' },
    changed: { type: 'string', default: '1000' },
    repeats: { type: 'string', default: '5' },
    json: { type: 'boolean', default: false },
  },
});
const orders = Number(values.orders);
const changedPerSync = Number(values.changed);
const repeats = Number(values.repeats);
const log = (message: string) => process.stderr.write(`${message}\n`);

const home = await mkdtemp(join(tmpdir(), 'ferry-bench-sync-'));
await chmod(home, 0o755);
const postgres = await startEmbeddedPostgres({ dataDir: join(home, 'postgres'), fresh: true });
const temporal = await startTemporalDevServer({ cli: await resolveTemporalCli() });
const sap = await startSapEmulator({ orders, seed: 1 });
const connection = await Connection.connect({ address: temporal.address });
const client = new Client({ connection, namespace: temporal.namespace });
const worker = spawn(process.execPath, ['bin/ferry.js', 'worker'], {
  env: {
    ...process.env,
    TEMPORAL_ADDRESS: temporal.address,
    DATABASE_URL: postgres.databaseUrl,
    FERRY_TASK_QUEUE: 'bench',
    FERRY_HOME: join(home, 'none'),
    ...connectionEnv('sap', sap.connection),
  },
  stdio: ['ignore', 'ignore', 'inherit'],
});

interface Sample {
  latencyMs: number;
  workflowMs: number;
  fetched: number;
  inserted: number;
  updated: number;
}

/** Triggers the schedule and waits for its sync: the operator's `ferry schedule trigger --wait`. */
async function triggeredSync(): Promise<Sample> {
  const started = performance.now();
  const outcome = await triggerSyncSchedule(client, 'bench');
  if (!outcome.started) throw new Error('trigger skipped: a sync was still running');
  const result = await client.workflow
    .getHandle<typeof incrementalSync>(outcome.workflowId, undefined, { firstExecutionRunId: outcome.runId })
    .result();
  const latencyMs = Math.round(performance.now() - started);
  return {
    latencyMs,
    workflowMs: result.durationMs,
    fetched: result.fetched,
    inserted: result.inserted,
    updated: result.updated,
  };
}

function summary(samples: Sample[]) {
  const latencies = samples.map((s) => s.latencyMs);
  return {
    medianLatencyMs: median(latencies),
    maxLatencyMs: Math.max(...latencies),
    medianWorkflowMs: median(samples.map((s) => s.workflowMs)),
    // What the schedule, task dispatch and result delivery add to the sync's own work.
    medianTemporalOverheadMs: median(samples.map((s) => s.latencyMs - s.workflowMs)),
    samples,
  };
}

const control = (path: string) => fetch(`${sap.controlUrl}${path}`, { method: 'POST', body: '{}' });

try {
  await createSyncSchedule(client, 'bench', { migration: 'sap-orders', every: '1h', name: 'bench' });
  log(`first sync: backfilling ${orders} orders...`);
  const first = await triggeredSync();
  log(`first sync (with its backfill): ${first.latencyMs} ms`);
  // Warm-up: the worker's first incremental run loads code paths the measured ones should not pay for.
  await triggeredSync();

  const noChanges: Sample[] = [];
  for (let i = 0; i < repeats; i++) noChanges.push(await triggeredSync());
  log(`no changes: ${JSON.stringify(noChanges.map((s) => s.latencyMs))} ms`);

  const withChanges: Sample[] = [];
  for (let i = 0; i < repeats; i++) {
    // The same 1,000 orders, spread over the whole book, each with an edited line: every sync sees exactly
    // 1,000 changes, and its lookback re-reads no other round's.
    const stride = Math.floor(orders / changedPerSync);
    for (let n = 0; n < changedPerSync; n++) await control(`/orders/${1 + n * stride}/edit-line`);
    await sleep(1_100); // the changes' stamps behind the sync's start second, as in production
    withChanges.push(await triggeredSync());
  }
  log(`${changedPerSync} changed: ${JSON.stringify(withChanges.map((s) => s.latencyMs))} ms`);

  const result = {
    benchmark: 'sync-latency',
    orders,
    openOrdersReadPerSync: noChanges[0]?.fetched,
    firstSyncWithBackfillMs: first.latencyMs,
    noChanges: { target: '< 1000 ms', ...summary(noChanges) },
    changed: { target: '< 3000 ms', changedOrders: changedPerSync, ...summary(withChanges) },
    node: process.version,
  };
  if (!values.json) {
    log(
      `| sync | median ms | max ms | workflow ms | Temporal overhead ms |\n| --- | --- | --- | --- | --- |\n` +
        `| no changes | ${result.noChanges.medianLatencyMs} | ${result.noChanges.maxLatencyMs} | ${result.noChanges.medianWorkflowMs} | ${result.noChanges.medianTemporalOverheadMs} |\n` +
        `| ${changedPerSync} changed | ${result.changed.medianLatencyMs} | ${result.changed.maxLatencyMs} | ${result.changed.medianWorkflowMs} | ${result.changed.medianTemporalOverheadMs} |`,
    );
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  worker.kill('SIGTERM');
  await once(worker, 'exit');
  await connection.close();
  await sap.close();
  await temporal.stop();
  await postgres.stop();
  await rm(home, { recursive: true, force: true });
}
