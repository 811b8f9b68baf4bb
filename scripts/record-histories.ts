/**
 * Records real workflow histories for the replay tests: a small backfill with continue-as-new forced early,
 * so that the histories hold children, signals, queries' state and continued runs.
 *
 *   npm run record:histories     (rewrites test/replay/histories/*.json; commit them with the workflow change)
 */
import { writeFile } from 'node:fs/promises';
import { startBackfill } from '../src/client/backfill.js';
import { withLocalRun } from '../src/sandbox/local-run.js';

const OUT = new URL('../test/replay/histories/', import.meta.url);

await withLocalRun({ orders: 1500, seed: 7, taskQueue: 'record' }, async ({ client }) => {
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
      const run = runs.find((candidate) => kind.matches(candidate.workflowId) && candidate.status === status);
      if (!run) {
        if (kind.name === 'catch-up' && status === 'CONTINUED_AS_NEW') continue; // it has little to copy here
        throw new Error(`no ${status} run of ${kind.name} to record`);
      }
      const history = await client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
      const file = new URL(`${kind.name}-${status.toLowerCase()}.json`, OUT);
      // protobufjs's own JSON form (long ids as strings, enums by name); the replay test reads it back with fromObject.
      await writeFile(
        file,
        `${JSON.stringify({ workflowId: run.workflowId, runId: run.runId, history }, null, 1)}\n`,
      );
      process.stderr.write(`recorded ${run.workflowId} (${run.runId}, ${status}) -> ${file.pathname}\n`);
    }
  }
});
