import { describe, expect, it } from 'vitest';
import { type RunStatus, summarize } from '../../../src/client/run-status.js';
import { type PartitionReport, ZERO_COUNTS } from '../../../src/workflows/messages.js';

const window = { from: '2024-01-01T00:00:00.000Z', to: '2024-04-01T00:00:00.000Z' };
const partition = (index: number, report: Partial<PartitionReport>): PartitionReport => ({
  index,
  window,
  counts: ZERO_COUNTS,
  outcome: 'exact',
  passes: 1,
  maxHistoryEvents: 40,
  ...report,
});

const status = (state: RunStatus['state'], problems: PartitionReport[]): RunStatus => ({
  workflowId: 'ferry/woocommerce-orders/start..now',
  state,
  partitions: { total: 4, done: 2, running: 0, parked: 0, failed: 0, mismatched: 0 },
  control: { paused: false, concurrency: 4, requestsPerMinute: null },
  records: { ...ZERO_COUNTS, fetched: 1200, inserted: 1200 },
  sourceTotal: 5000,
  recordsPerSecond: 400,
  elapsedMs: 3000,
  etaSeconds: 10,
  problems,
});

describe('ferry status', () => {
  it('shows a cancelled run without an ETA, and its cancelled partitions with only what is known', () => {
    const text = summarize(
      status('cancelled', [partition(2, { outcome: 'cancelled' }), partition(3, { outcome: 'cancelled' })]),
    );
    expect(text).not.toMatch(/ETA|undefined/);
    expect(text).toContain('400 records/s, elapsed 3s');
    expect(text).toContain(`partition 2 ${window.from}..${window.to}: cancelled\n`);
    expect(text.split('\n').at(-1)).toBe(`  partition 3 ${window.from}..${window.to}: cancelled`);
  });

  it('shows the ETA of a running run', () => {
    expect(summarize(status('running', []))).toContain('400 records/s, elapsed 3s, ETA 10s');
  });

  it("shows a mismatched partition's counts, and a failed one's error", () => {
    const text = summarize(
      status('completed', [
        partition(1, {
          outcome: 'mismatch',
          sourceCount: 120,
          targetCount: 117,
          counts: { ...ZERO_COUNTS, deadLettered: 2 },
        }),
        partition(2, { outcome: 'failed', error: 'WooCommerce refused the credentials' }),
      ]),
    );
    expect(text).toContain('mismatch (source 120, target 117, 2 dead-lettered)');
    expect(text).toContain('failed (WooCommerce refused the credentials)');
  });
});
