import { readdir, readFile } from 'node:fs/promises';
import proto from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { expect, it } from 'vitest';
import { WORKFLOWS_PATH } from '../../src/workflow-bundle.js';

const DIR = new URL('./histories/', import.meta.url);

/** The histories the workflows recorded as of now; those recorded before the one cursor are the common ones. */
const COMMON = [
  'backfill-completed.json',
  'backfill-continued_as_new.json',
  'backfill-verified-completed.json',
  'catch-up-completed.json',
  'dlq-retry-completed.json',
  'dry-run-partition-completed.json',
  'partition-completed.json',
  'partition-continued_as_new.json',
  'partition-yielded.json',
  'steered-completed.json',
  'sync-continued_as_new.json',
  'sync-first-completed.json',
  'verify-repaired-completed.json',
];
const EQUAL_WORK = ['backfill-equal-work-completed.json', 'partition-adaptive-completed.json'];
const NOW = [
  ...COMMON,
  ...EQUAL_WORK,
  'csv-load-continued_as_new.json',
  'match-csv-completed.json',
  'match-partition-completed.json',
  'match-steered-completed.json',
  // Recorded by 98b1ab6, before a stack check's connection became optional (a worker's own check has none).
  'stack-check-completed.json',
];
/**
 * Histories an earlier ferry recorded, by directory, kept as they are so that runs it started go on replaying
 * (`npm run record:histories` rewrites only the top level's).
 */
const EARLIER: Record<string, { before: string; files: string[] }> = {
  // Page numbers, nextPage, a sync's numeric key.
  'before-cursor': { before: 'the one cursor', files: COMMON },
  // Chunks that adapt, before patched('chunk-bound-in-records').
  'before-chunk-bound': { before: 'the chunk bound in records', files: EQUAL_WORK },
};

it('replays every directory of earlier histories (one added is listed in EARLIER)', async () => {
  const directories = (await readdir(DIR, { withFileTypes: true })).filter((entry) => entry.isDirectory());
  expect(directories.map((entry) => entry.name).sort()).toEqual(Object.keys(EARLIER).sort());
});

it.each([
  ['as recorded now', DIR, NOW] as const,
  ...Object.entries(EARLIER).map(
    ([directory, { before, files }]) =>
      [`as an earlier ferry recorded them (before ${before})`, new URL(`${directory}/`, DIR), files] as const,
  ),
])(
  'replays histories of backfill (continued, verified, windows of equal work), partition (continued, steered, yielded, dry run, adaptive chunks), incremental sync (first, continued), dead-letter retry, stack check, verify (repairing), match (steered, a partition, CSV inputs) and CSV load (paused, continued) %s against the current workflow code',
  async (_, dir, expected) => {
    const files = (await readdir(dir)).filter((file) => file.endsWith('.json')).sort();
    expect(files).toEqual([...expected].sort());
    const histories = await Promise.all(
      files.map(async (file) => {
        const recorded = JSON.parse(await readFile(new URL(file, dir), 'utf8'));
        // The workflow id must be the recorded one: child ids are derived from it.
        return {
          workflowId: recorded.workflowId,
          history: proto.temporal.api.history.v1.History.fromObject(recorded.history),
        };
      }),
    );
    const failures: string[] = [];
    let replayed = 0;
    for await (const result of Worker.runReplayHistories({ workflowsPath: WORKFLOWS_PATH }, histories)) {
      replayed++;
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
    expect(replayed).toBe(files.length);
  },
);
