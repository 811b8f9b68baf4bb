import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { isoInstant, resolveBackfill } from '../../../src/client/backfill.js';
import { integerIn } from '../../../src/client/options.js';
import { resolvePastInterval, resolveSchedule } from '../../../src/client/schedules.js';
import { durationMs, resolveSync } from '../../../src/client/sync.js';
import { FerryError } from '../../../src/errors.js';

/** The one-line message a resolver refuses its input with. */
function refusal(resolve: () => unknown): string {
  try {
    resolve();
  } catch (error) {
    expect(error).toBeInstanceOf(FerryError);
    return (error as Error).message;
  }
  throw new Error('the input was accepted');
}

describe('integer options', () => {
  const pageSize = integerIn(1, 100);

  it('takes whole numbers in the range', () => {
    expect(pageSize('1')).toBe(1);
    expect(pageSize('100')).toBe(100);
  });

  it('refuses anything else, naming the range', () => {
    for (const raw of ['0', '101', '-1', '2.5', 'ten', '', '1e2']) {
      expect(() => pageSize(raw), raw).toThrow(InvalidArgumentError);
      expect(() => pageSize(raw), raw).toThrow('expected an integer from 1 to 100.');
    }
  });
});

describe('dates and instants', () => {
  const instant = (value: string) => isoInstant.parse(value);

  it('reads a date as midnight UTC and an instant with its offset as UTC', () => {
    expect(instant('2024-01-31')).toBe('2024-01-31T00:00:00.000Z');
    expect(instant('2024-02-29')).toBe('2024-02-29T00:00:00.000Z');
    expect(instant('2024-01-31T12:00:00Z')).toBe('2024-01-31T12:00:00.000Z');
    expect(instant('2024-01-31T12:00:00+02:00')).toBe('2024-01-31T10:00:00.000Z');
  });

  it('refuses dates that do not exist and forms that would be read in the local time zone', () => {
    for (const value of [
      '2024-13-01',
      '2024-02-30',
      '2023-02-29',
      '2024-1-5',
      '2024-01-31T12:00:00',
      'tomorrow',
    ]) {
      const result = isoInstant.safeParse(value);
      expect(result.success, value).toBe(false);
      expect(result.error?.issues[0]?.message).toBe(
        `'${value}' is not a date such as 2024-01-31 or an instant such as 2024-01-31T12:00:00Z`,
      );
    }
  });

  it('reads durations as people write them', () => {
    expect(durationMs.parse('30s')).toBe(30_000);
    expect(durationMs.parse('5m')).toBe(300_000);
    expect(durationMs.parse('1h')).toBe(3_600_000);
    expect(durationMs.safeParse('banana').error?.issues[0]?.message).toBe(
      "'banana' is not a duration such as 30s, 5m or 1h",
    );
  });
});

describe("a backfill's options, resolved before Temporal is contacted", () => {
  it('fills in the migration defaults and names the run after its range', () => {
    const { workflowId, input } = resolveBackfill({
      migration: 'woocommerce-orders',
      from: '2024-01-01',
      to: '2024-07-01',
    });
    expect(workflowId).toBe('ferry/woocommerce-orders/2024-01-01..2024-07-01');
    expect(input).toMatchObject({
      migration: 'woocommerce-orders',
      connection: 'woocommerce',
      from: '2024-01-01T00:00:00.000Z',
      to: '2024-07-01T00:00:00.000Z',
      partitionDays: 90,
      concurrency: 4,
      requestsPerMinute: null,
      catchUp: true,
    });
  });

  it('gives a dry run an id of its own and no catch-up', () => {
    const { workflowId, input } = resolveBackfill({ migration: 'woocommerce-orders', dryRun: true });
    expect(workflowId).toBe('ferry/woocommerce-orders/start..now/dry-run');
    expect(input).toMatchObject({ dryRun: true, catchUp: false });
  });

  it('names an unknown migration and lists the known ones', () => {
    expect(refusal(() => resolveBackfill({ migration: 'nosuch-migration' }))).toBe(
      'Unknown migration "nosuch-migration"; known migrations: woocommerce-orders, sap-orders, eboekhouden-mutations, neon-fields ' +
        '(load your own with FERRY_MIGRATIONS=<module>, or ferry worker --migrations <module>)',
    );
  });

  it('names a bad date, and a --to that is not after --from, by their flags', () => {
    expect(refusal(() => resolveBackfill({ migration: 'woocommerce-orders', from: '2024-13-01' }))).toBe(
      "Invalid option --from: '2024-13-01' is not a date such as 2024-01-31 or an instant such as 2024-01-31T12:00:00Z",
    );
    expect(
      refusal(() =>
        resolveBackfill({ migration: 'woocommerce-orders', from: '2024-03-01', to: '2024-02-01' }),
      ),
    ).toBe('Invalid option --to: 2024-02-01T00:00:00.000Z is not after --from 2024-03-01T00:00:00.000Z');
    expect(
      refusal(() =>
        resolveBackfill({ migration: 'woocommerce-orders', from: '2024-03-01', to: '2024-03-01' }),
      ),
    ).toMatch(/^Invalid option --to: /);
  });

  it('names an option out of range by its flag', () => {
    expect(refusal(() => resolveBackfill({ migration: 'woocommerce-orders', partitionDays: 0 }))).toMatch(
      /^Invalid option --partition-days: /,
    );
  });

  it("bounds the page size by what the migration's source serves in one page", () => {
    expect(resolveBackfill({ migration: 'woocommerce-orders', pageSize: 100 }).input.pageSize).toBe(100);
    expect(refusal(() => resolveBackfill({ migration: 'woocommerce-orders', pageSize: 101 }))).toBe(
      '--page-size 101 is more than the source of woocommerce-orders serves in one page (at most 100)',
    );
    expect(refusal(() => resolveSync({ migration: 'sap-orders', pageSize: 500 }))).toBe(
      '--page-size 500 is more than the source of sap-orders serves in one page (at most 100)',
    );
  });
});

describe("a sync schedule's options, resolved before Temporal is contacted", () => {
  it('takes the migration name as the schedule name and its default lookback', () => {
    const schedule = resolveSchedule({ migration: 'sap-orders', every: '5m' });
    expect(schedule).toMatchObject({
      scheduleId: 'sap-orders',
      everyMs: 300_000,
      paused: false,
      memo: { migration: 'sap-orders', every: '5m', lookback: '10m00s' },
    });
  });

  it('names a bad interval, one that is too short, and a bad name', () => {
    expect(refusal(() => resolveSchedule({ migration: 'sap-orders', every: 'banana' }))).toBe(
      "Invalid option --every: 'banana' is not a duration such as 30s, 5m or 1h",
    );
    expect(refusal(() => resolveSchedule({ migration: 'sap-orders', every: '5s' }))).toBe(
      'Invalid option --every: must be at least 10s',
    );
    expect(refusal(() => resolveSchedule({ migration: 'sap-orders', every: '5m', name: 'a b' }))).toBe(
      'Invalid option --name: use letters, digits, dots, dashes and underscores',
    );
  });

  it('refuses a migration that cannot sync incrementally', () => {
    expect(refusal(() => resolveSchedule({ migration: 'woocommerce-orders', every: '5m' }))).toBe(
      'Migration "woocommerce-orders" cannot run as an incremental sync; it only backfills',
    );
  });

  it('replays only a past interval', () => {
    expect(resolvePastInterval('2024-01-01', '2024-01-02')).toEqual({
      from: '2024-01-01T00:00:00.000Z',
      to: '2024-01-02T00:00:00.000Z',
    });
    expect(refusal(() => resolvePastInterval('2024-01-01', '2999-01-01'))).toBe(
      'Invalid option --to: must not be in the future: a backfill replays the past',
    );
  });
});
