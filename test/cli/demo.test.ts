import { expect, inject, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

it('npm run demo: backfills the store and finds the target equal to the source', async () => {
  const result = await runCli(
    ['demo', '--orders', '3000', '--json'],
    { TEMPORAL_CLI_PATH: inject('temporalCliPath') },
    300_000,
  );
  expect(result.code, result.stderr).toBe(0);
  const summary = JSON.parse(result.stdout.trim().split('\n').pop() as string);
  expect(summary).toMatchObject({
    state: 'completed',
    sourceCount: 3000,
    targetCount: 3000,
    duplicates: 0,
    checksumMatch: true,
  });
  for (const key of ['durationMs', 'recordsPerSecond', 'workerPeakRssMb', 'maxHistoryEvents']) {
    expect(summary[key], key).toBeGreaterThan(0);
  }
  expect(result.stderr).toContain('Checking the target against the source');
});
