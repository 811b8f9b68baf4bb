/**
 * neon-fields, the V-field migration of a Neon CRM organisation, with each strategy (put_batch, parallel, hybrid
 * and auto's pick), against the seed's "standard" loop (per account and mapping: a read and a write, one after
 * another; sampled, its time per account scaled to the organisation), all at Neon's limits (1 search, 5 writes,
 * 5 reads at a time) in the same run. Each strategy runs on a fresh emulator and database of its own; exactness
 * is what the plan implies, written out by hand (`src/sandbox/neon-v-fields.ts`), against the emulator's state.
 * Prints JSON on stdout and a table on stderr.
 *
 *   npm run bench:neon -- [--accounts 5000] [--mappings 8] [--latency-ms 20] [--standard-sample 100] [--json]
 */
import { parseArgs } from 'node:util';
import { startBackfill } from '../src/client/backfill.js';
import { connectionEnv } from '../src/config.js';
import type { FieldStrategy } from '../src/kit/fields/plan.js';
import { type NeonEmulator, startNeonEmulator } from '../src/sandbox/emulators/neon/server.js';
import { accountView, expectedView, V_FIELD_MAPPINGS, vFieldPlan } from '../src/sandbox/neon-v-fields.js';
import { standardLoop } from './lib/neon-standard-loop.js';
import { startBenchStack } from './lib/stack.js';

const { values } = parseArgs({
  options: {
    accounts: { type: 'string', default: '5000' },
    mappings: { type: 'string', default: String(V_FIELD_MAPPINGS.length) },
    /**
     * The emulator's answer time per request. Neon is a hosted API: the seed measured 8,000 requests in 45
     * minutes (over 300 ms each); 20 ms is a near one. 0 measures this machine instead (the emulator, PostgreSQL,
     * Temporal and the worker share 2 cores).
     */
    'latency-ms': { type: 'string', default: '20' },
    'standard-sample': { type: 'string', default: '100' },
    json: { type: 'boolean', default: false },
  },
});
const SEED = 17;
const accounts = Number(values.accounts);
const mappings = Number(values.mappings);
const latencyMs = Number(values['latency-ms']);
const standardSample = Math.min(Number(values['standard-sample']), accounts);
if (!Number.isInteger(mappings) || mappings < 1 || mappings > V_FIELD_MAPPINGS.length) {
  throw new Error(`--mappings takes 1 to ${V_FIELD_MAPPINGS.length}: the plan's first N mappings`);
}
const log = (message: string) => process.stderr.write(`${message}\n`);
const stack = await startBenchStack('neon');

const requestsTo = (emulator: NeonEmulator) =>
  Object.values(emulator.endpoints).reduce((sum, endpoint) => sum + endpoint.requests, 0);
/** Whether the first `count` accounts hold what the plan implies. */
const exactUpTo = (emulator: NeonEmulator, count: number) => {
  for (let index = 0; index < count; index++) {
    const actual = accountView((field) => emulator.valueOf(index + 1, field));
    if (JSON.stringify(actual) !== JSON.stringify(expectedView(SEED, index, mappings))) return false;
  }
  return true;
};

/** One strategy over the whole organisation, on an emulator, a database and a worker of its own. */
async function runStrategy(strategy: FieldStrategy) {
  const emulator = await startNeonEmulator({ accounts, seed: SEED, faults: { latencyMs } });
  const databaseUrl = await stack.createDatabase(`neon_${strategy}`);
  const taskQueue = `bench-neon-${strategy}`;
  const stopWorker = stack.startWorkers(1, {
    databaseUrl,
    taskQueue,
    env: connectionEnv('neon', emulator.connection),
  });
  try {
    await stack.workersPolling(taskQueue);
    const started = performance.now();
    const handle = await startBackfill(stack.client, taskQueue, {
      migration: 'neon-fields',
      id: `bench-neon-${strategy}`,
      options: { plan: { ...vFieldPlan(mappings), strategy } },
      apply: true,
      // The run's own check reads 100 accounts again; the bench checks every account itself.
      verifySample: 0,
    });
    const report = await handle.result();
    const seconds = (performance.now() - started) / 1000;
    const apiCalls = requestsTo(emulator);
    return {
      seconds: Math.round(seconds * 100) / 100,
      apiCalls,
      callsPerAccount: Math.round((apiCalls / accounts) * 10_000) / 10_000,
      writes: emulator.endpoints.write.requests,
      peakConcurrent: {
        search: emulator.endpoints.search.peakConcurrent,
        read: emulator.endpoints.read.peakConcurrent,
        write: emulator.endpoints.write.peakConcurrent,
      },
      rateLimited: Object.values(emulator.endpoints).reduce((sum, endpoint) => sum + endpoint.overLimit, 0),
      exact: report.problems.length === 0 && exactUpTo(emulator, accounts),
    };
  } finally {
    await stopWorker();
    await emulator.close();
  }
}

/** The seed's standard loop over the first accounts, scaled to the organisation. */
async function runStandard() {
  const emulator = await startNeonEmulator({ accounts, seed: SEED, faults: { latencyMs } });
  try {
    const started = performance.now();
    await standardLoop(emulator.connection, vFieldPlan(mappings), standardSample);
    const seconds = (performance.now() - started) / 1000;
    return {
      sampled: standardSample,
      secondsPerAccount: Math.round((seconds / standardSample) * 10_000) / 10_000,
      seconds: Math.round((seconds / standardSample) * accounts * 100) / 100,
      callsPerAccount: requestsTo(emulator) / standardSample,
      exact: exactUpTo(emulator, standardSample),
    };
  } finally {
    await emulator.close();
  }
}

try {
  const strategies: Record<string, Awaited<ReturnType<typeof runStrategy>>> = {};
  for (const strategy of ['put_batch', 'parallel', 'hybrid', 'auto'] as const) {
    log(`ferry, ${strategy}: ${accounts} accounts × ${mappings} mappings through Temporal...`);
    strategies[strategy] = await runStrategy(strategy);
    log(`  ${JSON.stringify(strategies[strategy])}`);
  }
  log(`standard loop: ${standardSample} accounts, a read and a write per mapping...`);
  const standard = await runStandard();
  const auto = strategies.auto as (typeof strategies)[string];
  const result = {
    benchmark: 'neon',
    accounts,
    mappings,
    sourceLatencyMs: latencyMs,
    limits: { search: 1, write: 5, read: 5 },
    strategies,
    standard,
    ratioToStandard: Math.round((standard.seconds / auto.seconds) * 10) / 10,
    node: process.version,
  };
  log(
    `| strategy | seconds | API calls | calls per account | exact |\n| --- | --- | --- | --- | --- |\n${Object.entries(
      strategies,
    )
      .map(
        ([name, run]) =>
          `| ${name} | ${run.seconds} | ${run.apiCalls} | ${run.callsPerAccount} | ${run.exact} |`,
      )
      .join(
        '\n',
      )}\n| standard (${standard.sampled} sampled, scaled) | ${standard.seconds} | | ${standard.callsPerAccount} | ${standard.exact} |\n` +
      `standard / auto: ${result.ratioToStandard}`,
  );
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await stack.stop();
}
