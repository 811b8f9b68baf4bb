import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Source, unpacedSource } from '../../src/connectors/source.js';
import {
  columns as c,
  changes,
  defineMigration,
  defineTarget,
  linkHeaderNext,
  type MigrationDeclaration,
  type Paginator,
  paginate,
  table,
  woocommerce,
} from '../../src/kit/index.js';
import {
  type ChunkContext,
  type Cursor,
  FIRST_PAGE,
  type Migration,
  type TimeWindow,
} from '../../src/migrations/types.js';
import { startWooEmulator, type WooEmulator } from '../../src/sandbox/emulators/woocommerce/server.js';
import { upgradeEngineSchema } from '../../src/target/schema.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { wooGet } from '../helpers/woo-http.js';

let emulator: WooEmulator;
let database: TestDatabase;
let source: Source;
const context: ChunkContext = {
  onPage: () => undefined,
  runScope: 'test-run',
  deadLetters: { runId: 'test', partitionKey: null },
  dryRun: false,
};
const everything: TimeWindow = { from: '2000-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z' };

/** Customers as a list + detail source: the listing sends ids only, each customer is fetched in full. */
const people = table('kit_people', {
  columns: {
    id: c.bigint(),
    email: c.text(),
    city: c.text().from('billing.city'),
    registered_at: c.timestamptz().from('date_created_gmt', (gmt: string) => `${gmt}Z`),
  },
  key: ['id'],
});
const peopleDeclaration: MigrationDeclaration = {
  name: 'kit-people',
  description: 'customers, listed by id then fetched one by one',
  connection: 'woocommerce',
  api: woocommerce.api,
  target: defineTarget({ record: people }),
  created: 'registered_at',
  list: {
    ...woocommerce.collection('customers'),
    fieldsParam: undefined,
    params: { orderby: 'id', _fields: 'id' },
  },
  detail: { path: (listed) => `customers/${(listed as { id: number }).id}`, concurrency: 4 },
};
const listThenDetail = defineMigration(peopleDeclaration);

beforeAll(async () => {
  emulator = await startWooEmulator({ orders: 600, seed: 13 });
  source = unpacedSource('woocommerce', emulator.connection);
  database = await createTestDatabase();
  await upgradeEngineSchema(database.db);
  await listThenDetail.prepareTarget(database.db);
});
afterAll(async () => {
  await emulator.close();
  await database.drop();
});

async function copyAll(migration: Migration) {
  let cursor: Cursor | null = FIRST_PAGE;
  let fetched = 0;
  while (cursor !== null) {
    const result = await migration.copyChunk(
      database.db,
      source,
      { window: everything, cursor, pageSize: 50, pages: 2 },
      context,
    );
    fetched += result.fetched;
    cursor = result.next;
  }
  return fetched;
}

/**
 * Customers listed again and again on page 1 (`perPage(page, size)` of them on each page of the chunk, `pages` pages),
 * each fetched at `path(id)`, their email looked up through `load`: for the later-listing-wins cases.
 */
function relistingMigration(options: {
  name: string;
  pages: number;
  perPage: (page: number, size: number) => number;
  path: (id: number) => string;
  load: (keys: string[]) => Promise<Map<string, unknown>>;
}): Migration {
  const relisting: Paginator = {
    ...paginate.pageNumber({ maxSize: 100 }),
    request: (cursor, size) => ({
      params: { page: '1', per_page: String(options.perPage(cursor.page, size)) },
    }),
    read: (_, cursor) => ({ next: cursor.page < options.pages ? { page: cursor.page + 1 } : null }),
  };
  return defineMigration({
    ...peopleDeclaration,
    name: options.name,
    target: defineTarget({
      record: table(options.name.replace(/-/g, '_'), {
        columns: { id: c.bigint(), email: c.text().lookup('echo', 'email') },
        key: ['id'],
      }),
    }),
    created: 'id',
    list: { ...peopleDeclaration.list, paginate: relisting },
    lookups: { echo: { load: options.load } },
    detail: { path: (listed) => options.path((listed as { id: number }).id) },
  });
}

describe('defineMigration', () => {
  it('a source read whole (no window filter) is one partition, counted whole, with no catch-up', () => {
    expect(listThenDetail.windowed).toBe(false);
    expect(listThenDetail.copyChanges).toBeUndefined();
    expect(listThenDetail.defaults.partitionDays).toBeGreaterThan(36_500);
  });

  it('fetches each listed record in full (list + detail), one request per record besides the pages', async () => {
    const total = Number((await wooGet(emulator, '/customers', { per_page: 1 })).headers.get('x-wp-total'));
    const before = emulator.stats.requests;
    expect(await copyAll(listThenDetail)).toBe(total);
    const pages = Math.ceil(total / 50);
    expect(emulator.stats.requests - before).toBe(total + pages);
    const first = (await (await wooGet(emulator, '/customers/1')).json()) as {
      email: string;
      billing: { city: string };
    };
    expect(await database.db('kit_people').where({ id: 1 }).first()).toMatchObject({
      email: first.email,
      city: first.billing.city,
    });
    expect(await listThenDetail.countSource(source, everything)).toBe(total);
    expect(await listThenDetail.countTarget(database.db, everything)).toBe(total);
  });

  it('dead-letters a listed record whose own request answers 404, naming why, and writes the rest', async () => {
    const gone = defineMigration({
      ...peopleDeclaration,
      name: 'kit-people-gone',
      detail: {
        path: (listed) => {
          const id = (listed as { id: number }).id;
          return id === 3 ? 'customers/99999999' : `customers/${id}`;
        },
      },
    });
    const result = await gone.copyChunk(
      database.db,
      source,
      { window: everything, cursor: FIRST_PAGE, pageSize: 10, pages: 1 },
      context,
    );
    expect(result).toMatchObject({ fetched: 10, deadLettered: 1 });
    expect(result.inserted + result.updated + result.unchanged).toBe(9);
    const letter = await database.db('ferry_dead_letters').where({ migration: 'kit-people-gone' }).first();
    expect(letter).toMatchObject({
      source_key: '3',
      error_message:
        'its own request answers 404: deleted since it was listed, or listed under a key the source does not serve',
    });
  });

  it('the later listing of a record wins within a chunk whose rows wait for lookups: listed, then gone, it is dead-lettered', async () => {
    // Both pages of the chunk list the same five customers; customer 3 answers 404 the second time it is fetched.
    const asked = new Map<number, number>();
    const relisted = relistingMigration({
      name: 'kit-people-relisted',
      pages: 2,
      perPage: (_, size) => size,
      load: async (keys) => new Map(keys.map((key) => [key, key])),
      path: (id) => {
        asked.set(id, (asked.get(id) ?? 0) + 1);
        return id === 3 && asked.get(id) === 2 ? 'customers/99999999' : `customers/${id}`;
      },
    });
    await relisted.prepareTarget(database.db);
    const result = await relisted.copyChunk(
      database.db,
      source,
      { window: everything, cursor: FIRST_PAGE, pageSize: 5, pages: 2 },
      context,
    );
    expect(result.deadLettered).toBe(1);
    expect(await database.db('kit_people_relisted').orderBy('id').pluck('id')).toEqual(['1', '2', '4', '5']);
    const letter = await database
      .db('ferry_dead_letters')
      .where({ migration: 'kit-people-relisted' })
      .first();
    expect(letter?.source_key).toBe('3');
  });

  it('maps pages as they come once the run knows their lookups, the later listing winning either way', async () => {
    // A chunk lists customers 1-5, then 1-4 twice; customer 3 answers 404 the second time a chunk fetches it, so its
    // last listing (the third) is the one that counts.
    const asked = new Map<number, number>();
    const loads: string[][] = [];
    const warm = relistingMigration({
      name: 'kit-people-warm',
      pages: 3,
      perPage: (page, size) => (page === 1 ? size : size - 1),
      load: async (keys) => {
        loads.push(keys);
        return new Map(keys.map((key) => [key, `found ${key}`]));
      },
      path: (id) => {
        asked.set(id, (asked.get(id) ?? 0) + 1);
        return id === 3 && asked.get(id) === 2 ? 'customers/99999999' : `customers/${id}`;
      },
    });
    await warm.prepareTarget(database.db);
    const run = unpacedSource('woocommerce', emulator.connection);
    const chunk = async (pageSize: number, pages: number) => {
      asked.clear();
      await database.db('kit_people_warm').delete();
      const counts = await warm.copyChunk(
        database.db,
        run,
        { window: everything, cursor: FIRST_PAGE, pageSize, pages },
        context,
      );
      const written = await database.db('kit_people_warm').orderBy('id').select('id', 'email');
      return { deadLettered: counts.deadLettered, ids: written.map((row) => row.id), written };
    };
    const all = ['1', '2', '3', '4', '5'];
    // Customers 1-4 found: the run knows their emails.
    expect((await chunk(4, 1)).ids).toEqual(['1', '2', '3', '4']);
    expect(loads.map((keys) => keys.length)).toEqual([4]);
    // Customer 5's email is new: the first page waits for the chunk's end, and so do the pages after it, though the
    // run knows theirs: mapped before the first, the third page's customer 3 would be refused by the second's 404.
    expect(await chunk(5, 3)).toMatchObject({ deadLettered: 0, ids: all });
    expect(loads.map((keys) => keys.length)).toEqual([4, 1]);
    // Every email known: each page is mapped as it comes, from what the run has found, without waiting on the cache
    // at the chunk's end (a chunk that held its pages would ask it there, even with nothing left to load).
    const askedCache = vi.spyOn(run.lookups, 'getMany');
    const known = await chunk(5, 3);
    expect(known).toMatchObject({ deadLettered: 0, ids: all });
    expect(known.written[0]?.email).toMatch(/^found .+@/);
    expect(askedCache).not.toHaveBeenCalled();
    expect(loads).toHaveLength(2);
  });

  it('syncs a source with no modification stamp: the worker clock as watermark, pages by the listing', async () => {
    const asked: string[] = [];
    const dated = defineMigration({
      ...peopleDeclaration,
      name: 'kit-people-dated',
      incremental: {
        defaultLookbackSeconds: 60,
        params: (since, after) => {
          asked.push(`${since}|${after}`);
          return {};
        },
        pageBy: 'listing',
      },
    });
    const sync = dated.incremental as NonNullable<typeof dated.incremental>;
    const before = Date.now();
    const watermark = Date.parse((await sync.latestChange(source)) as string);
    expect(watermark).toBeGreaterThanOrEqual(before);
    expect(watermark).toBeLessThanOrEqual(Date.now());
    const total = Number((await wooGet(emulator, '/customers', { per_page: 1 })).headers.get('x-wp-total'));
    let cursor: Cursor | null = FIRST_PAGE;
    let fetched = 0;
    let finished = 0;
    while (cursor) {
      const request = { since: '2024-01-01T00:00:00.000Z', cursor, pageSize: 20, pages: 2 };
      const chunk = await sync.syncChunk(database.db, source, request, async () => void finished++, context);
      fetched += chunk.fetched;
      cursor = chunk.next;
    }
    // Page by page with the listing's own numbers, never after a key; the watermark moves with the last chunk.
    expect(fetched).toBe(total);
    expect(finished).toBe(1);
    expect(new Set(asked)).toEqual(new Set(['2024-01-01T00:00:00.000Z|null']));
  });

  it("follows the store's Link headers from chunk to chunk, the next link kept in the cursor", async () => {
    const linked = defineMigration({
      ...peopleDeclaration,
      name: 'kit-people-linked',
      list: {
        ...woocommerce.collection('customers'),
        params: { orderby: 'id' },
        paginate: paginate.nextLink({ next: linkHeaderNext, size: 'per_page', maxSize: 100 }),
      },
    });
    await database.db('kit_people').truncate();
    const cursors: (string | undefined)[] = [];
    let cursor: Cursor | null = FIRST_PAGE;
    let fetched = 0;
    while (cursor !== null) {
      const request = { window: everything, cursor, pageSize: 30, pages: 2 };
      const result = await linked.copyChunk(database.db, source, request, context);
      fetched += result.fetched;
      cursor = result.next;
      cursors.push(cursor?.link);
    }
    const total = Number((await wooGet(emulator, '/customers', { per_page: 1 })).headers.get('x-wp-total'));
    expect(fetched).toBe(total);
    expect(cursors.slice(0, -1).every((link) => link?.includes('page='))).toBe(true);
    expect(await linked.countTarget(database.db, everything)).toBe(total);
  });

  it('refuses a declaration that cannot work, naming what is wrong', () => {
    const declaration = {
      name: 'broken',
      description: 'broken',
      connection: 'woocommerce',
      api: woocommerce.api,
      target: defineTarget({ record: people }),
      list: woocommerce.collection('customers'),
    };
    expect(() => defineMigration({ ...declaration, created: 'created_at' })).toThrow(
      'migration broken: the record table kit_people has no column created_at',
    );
    const withLookup = table('kit_lookup', {
      columns: { id: c.bigint(), maker: c.text().lookup('maker', 'sku') },
      key: ['id'],
    });
    expect(() =>
      defineMigration({ ...declaration, target: defineTarget({ record: withLookup }), created: 'id' }),
    ).toThrow('migration broken: a column uses lookup maker, which is not declared');
    const created = { ...declaration, created: 'registered_at' };
    expect(() => defineMigration({ ...created, byKeys: { batch: 500, params: () => ({}) } })).toThrow(
      'migration broken: byKeys.batch must be from 1 to 100, the most one page of the listing holds',
    );
    expect(() => defineMigration({ ...created, detail: { path: () => 'x', concurrency: 0 } })).toThrow(
      'migration broken: detail.concurrency must be a whole number of requests, at least 1',
    );
    const linked = {
      ...woocommerce.collection('customers'),
      paginate: paginate.nextLink({ next: linkHeaderNext, maxSize: 100 }),
    };
    expect(() =>
      defineMigration({
        ...created,
        list: linked,
        modified: 'registered_at',
        changes: changes.modifiedAfter((after) => ({ modified_after: after })),
      }),
    ).toThrow('changes.modifiedAfter pages through a busy second by page number');
  });
});
