import { afterAll, beforeAll, expect, it } from 'vitest';
import { woocommerceOrders } from '../../src/migrations/woocommerce-orders/index.js';
import { createDb } from '../../src/target/db.js';
import { appliedSchemaSteps, upgradeEngineSchema } from '../../src/target/schema.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

it('creates ferry tables and applies idempotently, also when called concurrently', async () => {
  const { db } = database;
  expect(await upgradeEngineSchema(db)).toEqual([
    '001-engine-tables',
    '002-rate-limits',
    '003-dead-letter-resolution',
    '004-api-writes',
    '005-api-calls',
    '006-csv-loads',
    '007-csv-load-checks',
    '008-chunk-timings',
    '009-chunk-retries',
  ]);
  expect(await upgradeEngineSchema(db)).toEqual([]);
  // Workers starting together each migrate at start: knex's lock table serialises them.
  const again = await Promise.all([upgradeEngineSchema(db), upgradeEngineSchema(db)]);
  expect(again).toEqual([[], []]);
  expect(await appliedSchemaSteps(db)).toEqual([
    '001-engine-tables',
    '002-rate-limits',
    '003-dead-letter-resolution',
    '004-api-writes',
    '005-api-calls',
    '006-csv-loads',
    '007-csv-load-checks',
    '008-chunk-timings',
    '009-chunk-retries',
  ]);

  const tables = await db('information_schema.tables')
    .where({ table_schema: 'public' })
    .whereLike('table_name', 'ferry_%')
    .pluck('table_name');
  expect(tables.sort()).toEqual([
    'ferry_api_calls',
    'ferry_api_writes',
    'ferry_chunk_timings',
    'ferry_csv_loads',
    'ferry_dead_letters',
    'ferry_rate_limits',
    'ferry_runs',
    'ferry_schema_migrations',
    'ferry_schema_migrations_lock',
    'ferry_watermarks',
  ]);
  await db('ferry_watermarks').insert({ migration: 'woocommerce-orders', watermark: '2024-01-01T00:00:00Z' });
  expect(await upgradeEngineSchema(db)).toEqual([]);
  expect(await db('ferry_watermarks').count({ n: '*' }).first()).toEqual({ n: '1' });
});

it('prepares a fresh target once when several processes start on it at the same moment', async () => {
  const fresh = await createTestDatabase();
  // One pool per "process": knex's own lock table does not exist yet, so only the advisory lock orders them.
  const pools = Array.from({ length: 4 }, () => createDb(fresh.url, 3));
  try {
    const applied = await Promise.all(pools.map((pool) => upgradeEngineSchema(pool)));
    expect(applied.flat()).toEqual([
      '001-engine-tables',
      '002-rate-limits',
      '003-dead-letter-resolution',
      '004-api-writes',
      '005-api-calls',
      '006-csv-loads',
      '007-csv-load-checks',
      '008-chunk-timings',
      '009-chunk-retries',
    ]);
    await Promise.all(pools.map((pool) => woocommerceOrders.prepareTarget(pool)));
    expect(await fresh.db('ferry_target_woocommerce_orders').pluck('name')).toEqual(['001-orders']);
    expect(await fresh.db('ferry_schema_migrations_lock').count({ n: '*' }).first()).toEqual({ n: '1' });
  } finally {
    await Promise.all(pools.map((pool) => pool.destroy()));
    await fresh.drop();
  }
});
