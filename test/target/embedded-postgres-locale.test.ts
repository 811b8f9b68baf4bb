import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

it('gives embedded PostgreSQL databases the builtin code-point collation and UTF-8', async () => {
  const { db } = database;
  const { rows } = await db.raw(
    `select datlocprovider, datlocale, pg_encoding_to_char(encoding) as encoding
       from pg_database where datname = current_database()`,
  );
  expect(rows).toEqual([{ datlocprovider: 'b', datlocale: 'C.UTF-8', encoding: 'UTF8' }]);
  // Code-point order (uppercase before lowercase, accents after ASCII), and Unicode case mapping.
  const sorted = await db.raw(
    `select array_agg(word order by word) as words, upper('één') as upper
       from unnest(array['b', 'a', 'B', 'é', 'F2020-10', 'F2020-9']) as word`,
  );
  expect(sorted.rows[0]).toEqual({ words: ['B', 'F2020-10', 'F2020-9', 'a', 'b', 'é'], upper: 'ÉÉN' });
});
