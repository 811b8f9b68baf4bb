import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type RateSlot,
  SharedRateLimiter,
  UNLIMITED_RECHECK_MS,
} from '../../src/connectors/shared-rate-limit.js';
import { createDb } from '../../src/target/db.js';
import { upgradeEngineSchema } from '../../src/target/schema.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  await upgradeEngineSchema(database.db);
});
afterAll(() => database.drop());

const gaps = (slots: RateSlot[]) => {
  const starts = slots.map((slot) => slot.slotAtMs).sort((a, b) => a - b);
  return starts.slice(1).map((start, i) => start - (starts[i] as number));
};

describe('SharedRateLimiter (one limit per connection across workers, in PostgreSQL)', () => {
  it('gives four "workers" reserving at once slots at least 60/limit seconds apart, none shared', async () => {
    await SharedRateLimiter.setLimit(database.db, 'shop', 600); // one request every 100 ms
    // One pool per worker process, each with several partitions reserving concurrently.
    const pools = Array.from({ length: 4 }, () => createDb(database.url, 3));
    try {
      const slots = (
        await Promise.all(
          pools.flatMap((pool) =>
            Array.from({ length: 5 }, async () => {
              const limiter = new SharedRateLimiter(pool, 'shop');
              const mine: RateSlot[] = [];
              for (let n = 0; n < 3; n++) mine.push((await limiter.reserve()) as RateSlot);
              return mine;
            }),
          ),
        )
      ).flat();
      expect(slots).toHaveLength(60);
      for (const gap of gaps(slots)) expect(gap).toBeGreaterThanOrEqual(99.999);
      // Reserved ahead: the last of 60 slots starts about 5.9 s after the first, whatever the callers' timing.
      const starts = slots.map((slot) => slot.slotAtMs);
      expect(Math.max(...starts) - Math.min(...starts)).toBeGreaterThanOrEqual(59 * 99.999);
    } finally {
      await Promise.all(pools.map((pool) => pool.destroy()));
    }
  });

  it('follows a new limit from the next reservation, and none when it is lifted', async () => {
    const limiter = new SharedRateLimiter(database.db, 'erp');
    expect(await limiter.reserve()).toBeNull(); // no row: no limit
    await SharedRateLimiter.setLimit(database.db, 'erp', 60); // one a second
    const slow = [await limiter.reserve(), await limiter.reserve()] as RateSlot[];
    expect(gaps(slow)[0]).toBeCloseTo(1000, 3);
    await SharedRateLimiter.setLimit(database.db, 'erp', 6000); // one every 10 ms
    const fast = [await limiter.reserve(), await limiter.reserve(), await limiter.reserve()] as RateSlot[];
    expect(gaps(fast).every((gap) => Math.abs(gap - 10) < 0.001)).toBe(true);
    await SharedRateLimiter.setLimit(database.db, 'erp', null);
    expect(await limiter.reserve()).toBeNull();
  });

  it('take() waits for its slot, heartbeating through the wait', async () => {
    await SharedRateLimiter.setLimit(database.db, 'slow', 120); // one every 500 ms
    let heartbeats = 0;
    const limiter = new SharedRateLimiter(database.db, 'slow', () => heartbeats++);
    await limiter.take(); // an idle connection's first request goes at once
    expect(heartbeats).toBe(0);
    await limiter.take();
    expect(heartbeats).toBeGreaterThan(0);
  });

  it('asks about a connection without a limit once a second, not per request, and still finds a new limit', async () => {
    const limiter = new SharedRateLimiter(database.db, 'fast');
    let queries = 0;
    const count = () => queries++;
    database.db.on('query', count);
    try {
      for (let n = 0; n < 50; n++) await limiter.take();
      expect(queries).toBe(1);
      await SharedRateLimiter.setLimit(database.db, 'fast', 60);
      await sleep(UNLIMITED_RECHECK_MS);
      await limiter.take(); // reserves the first slot of the new limit
      const slot = await limiter.reserve();
      expect(slot?.waitMs).toBeGreaterThan(900);
    } finally {
      database.db.off('query', count);
    }
  });
});
