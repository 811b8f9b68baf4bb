import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import {
  columns as c,
  defineTarget,
  prepareTarget,
  table,
  writeDimensions,
  writeTarget,
} from '../../src/kit/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

// A target no built-in migration has: text record keys, a two-column child key, a dimension by natural key.
const relations = table('relations', {
  columns: { id: c.generatedId(), email: c.text(), name: c.text() },
  key: ['email'],
});
const invoices = table('invoices', {
  columns: {
    number: c.text(),
    relation_id: c.bigint().references('relations.id'),
    total: c.decimal(12, 2),
  },
  key: ['number'],
});
const lines = table('invoice_lines', {
  columns: {
    invoice: c.text().references('invoices.number', { cascade: true }),
    line: c.integer(),
    amount: c.decimal(12, 2),
  },
  key: ['invoice', 'line'],
});
// A link table: every column is part of its key.
const tags = table('invoice_tags', {
  columns: { invoice: c.text().references('invoices.number', { cascade: true }), tag: c.text() },
  key: ['invoice', 'tag'],
});
const target = defineTarget({
  record: invoices,
  children: [
    { table: lines, parentColumn: 'invoice' },
    { table: tags, parentColumn: 'invoice' },
  ],
  dimensions: [{ table: relations, referencedBy: 'relation_id' }],
});

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
  await prepareTarget(database.db, 'kit-test', target);
  await prepareTarget(database.db, 'kit-test', target); // a second prepare changes nothing
});
afterAll(() => database.drop());
// Each test starts from empty tables: none leans on another having run first.
beforeEach(() => database.db.raw('truncate invoice_tags, invoice_lines, invoices, relations'));

const chunk = (lineAmount = '10.00', withSecondLine = true) => ({
  relations: [
    { email: 'a@example.com', name: 'A' },
    { email: 'b@example.com', name: 'B' },
  ],
  invoices: [
    { number: 'INV-001', relation_id: 'a@example.com', total: '30.00' },
    { number: 'INV-002', relation_id: 'b@example.com', total: '5.00' },
    { number: 'INV-003', relation_id: 'a@example.com', total: '0.00' },
  ],
  invoice_lines: [
    { invoice: 'INV-001', line: 1, amount: lineAmount },
    ...(withSecondLine ? [{ invoice: 'INV-001', line: 2, amount: '20.00' }] : []),
    { invoice: 'INV-002', line: 1, amount: '5.00' },
  ],
  invoice_tags: [
    { invoice: 'INV-001', tag: 'export' },
    { invoice: 'INV-003', tag: 'zero' },
  ],
});

/** Each invoice with its relation's email, by number: which dimension row each record points at. */
const invoicesWithEmails = (): Promise<{ number: string; email: string }[]> =>
  database
    .db('invoices')
    .join('relations', 'relations.id', 'invoices.relation_id')
    .orderBy('number')
    .select('number', 'email');

const write = (rows: ReturnType<typeof chunk>) =>
  database.db.transaction((trx) => writeTarget(trx, target, rows));

it('writes text-keyed records with their children and dimensions, and counts each record once', async () => {
  expect(await write(chunk())).toEqual({
    inserted: 3,
    updated: 0,
    unchanged: 0,
    deleted: 0,
    refused: [],
    // Dimension rows are shared by records and not counted.
    rowsByTable: { invoices: 3, invoice_lines: 3, invoice_tags: 2 },
  });
  const stored = await database
    .db('invoices')
    .join('relations', 'relations.id', 'invoices.relation_id')
    .orderBy('number')
    .select('number', 'email', 'total');
  expect(stored).toEqual([
    { number: 'INV-001', email: 'a@example.com', total: '30.00' },
    { number: 'INV-002', email: 'b@example.com', total: '5.00' },
    { number: 'INV-003', email: 'a@example.com', total: '0.00' },
  ]);
  expect(await database.db('relations').count({ n: '*' }).first()).toEqual({ n: '2' });
});

it('writes nothing for the same chunk again, link rows included', async () => {
  await write(chunk());
  expect(await write(chunk())).toEqual({
    inserted: 0,
    updated: 0,
    unchanged: 3,
    deleted: 0,
    refused: [],
    rowsByTable: {},
  });
  expect(await database.db('invoice_tags').count({ n: '*' }).first()).toEqual({ n: '2' });
});

it('refuses rows that do not name every table of the target, or name another', async () => {
  const { invoice_tags: _tags, ...withoutTags } = chunk();
  await expect(database.db.transaction((trx) => writeTarget(trx, target, withoutTags))).rejects.toThrow(
    'rows for target invoices must name its tables relations, invoices, invoice_lines, invoice_tags; missing: invoice_tags',
  );
  await expect(
    database.db.transaction((trx) => writeTarget(trx, target, { ...chunk(), lines: [] })),
  ).rejects.toThrow('; not in the target: lines');
  expect(await database.db('invoices').count({ n: '*' }).first()).toEqual({ n: '0' });
});

it('counts a record updated when one of its children changed or was removed, and deletes the removed one', async () => {
  await write(chunk());
  expect(await write(chunk('11.00'))).toEqual({
    inserted: 0,
    updated: 1,
    unchanged: 2,
    deleted: 0,
    refused: [],
    rowsByTable: { invoice_lines: 1 },
  });
  expect(await write(chunk('11.00', false))).toEqual({
    inserted: 0,
    updated: 1,
    unchanged: 2,
    deleted: 1,
    refused: [],
    rowsByTable: { invoice_lines: 1 },
  });
  const remaining = await database.db('invoice_lines').orderBy(['invoice', 'line']).select('invoice', 'line');
  expect(remaining).toEqual([
    { invoice: 'INV-001', line: 1 },
    { invoice: 'INV-002', line: 1 },
  ]);
});

/** The chunk written, and whether it went in with COPY (the first load's savepoint was released). */
async function writeWatched(rows: ReturnType<typeof chunk>, options = {}) {
  const statements: string[] = [];
  const listen = (query: { sql: string }) => statements.push(query.sql);
  database.db.on('query', listen);
  try {
    const counts = await database.db.transaction((trx) => writeTarget(trx, target, rows, options));
    return { counts, copied: statements.includes('release savepoint ferry_first_load') };
  } finally {
    database.db.off('query', listen);
  }
}

const contents = async () => ({
  invoices: await database.db('invoices').orderBy('number').select('number', 'relation_id', 'total'),
  lines: await database.db('invoice_lines').orderBy(['invoice', 'line']).select('invoice', 'line', 'amount'),
  tags: await database.db('invoice_tags').orderBy(['invoice', 'tag']).select('invoice', 'tag'),
});

it('COPYs a chunk none of whose records exist yet, with the same rows and counts as the comparing path', async () => {
  const fresh = () =>
    database.db.raw('truncate invoice_tags, invoice_lines, invoices, relations restart identity');
  await fresh();
  const copied = await writeWatched(chunk());
  expect(copied).toEqual({
    counts: {
      inserted: 3,
      updated: 0,
      unchanged: 0,
      deleted: 0,
      refused: [],
      rowsByTable: { invoices: 3, invoice_lines: 3, invoice_tags: 2 },
    },
    copied: true,
  });
  const byCopy = await contents();
  await fresh();
  const compared = await writeWatched(chunk(), { copyNewRecords: false });
  expect(compared).toEqual({ ...copied, copied: false });
  expect(await contents()).toEqual(byCopy);
  // A retried chunk whose first try committed: its records exist, so it is compared, and nothing changes.
  expect(await writeWatched(chunk())).toMatchObject({ counts: { inserted: 0, unchanged: 3 }, copied: false });
});

it('meets dimension rows it already holds as they are without locking them (a customer in every chunk)', async () => {
  await write(chunk());
  const lockers = () =>
    database.db('relations').orderBy('email').select('email', database.db.raw('xmax::text'));
  const before = await lockers();
  await write(chunk());
  // ON CONFLICT would have locked each row it met, writing the chunk's transaction into the row's xmax.
  expect(await lockers()).toEqual(before);
  // A changed one is updated, and its id kept.
  const { id } = await database.db('relations').where({ email: 'a@example.com' }).first('id');
  const renamed = chunk();
  renamed.relations[0] = { email: 'a@example.com', name: 'A renamed' };
  await write(renamed);
  expect(await database.db('relations').where({ email: 'a@example.com' }).first('id', 'name')).toEqual({
    id,
    name: 'A renamed',
  });
});

it('finds the id of a dimension row another chunk inserted, equal, while this one was writing', async () => {
  const other = await database.db.transaction();
  try {
    await other('relations').insert({ email: 'b@example.com', name: 'B' });
    const [{ pid }] = (await other.raw('select pg_backend_pid() as pid')).rows as [{ pid: number }];
    const writing = write(chunk());
    // This chunk's insert of b@example.com waits on the other's uncommitted row; then the other commits.
    for (;;) {
      const { rows } = await database.db.raw(
        `select 1 from pg_stat_activity where wait_event_type = 'Lock' and ? = any(pg_blocking_pids(pid))`,
        [pid],
      );
      if (rows.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await other.commit();
    expect(await writing).toMatchObject({ inserted: 3 });
  } finally {
    if (!other.isCompleted()) await other.rollback();
  }
  const stored = await invoicesWithEmails();
  expect(stored.map((row) => row.email)).toEqual(['a@example.com', 'b@example.com', 'a@example.com']);
  expect(await database.db('relations').count({ n: '*' }).first()).toEqual({ n: '2' });
});

it('writes dimension rows in a transaction of their own, so a chunk meeting them does not wait for another to commit', async () => {
  const rows = chunk();
  const first = await database.db.transaction();
  try {
    await writeTarget(first, target, rows, {
      dimensionIds: await writeDimensions(database.db, target, rows),
    });
    // The first chunk has not committed; a second one names the same relations, new before the first chunk.
    const second = {
      ...chunk(),
      invoices: [{ number: 'INV-004', relation_id: 'b@example.com', total: '1.00' }],
      invoice_lines: [],
      invoice_tags: [],
    };
    // Had the first chunk inserted them in its own transaction, this would wait on its uncommitted rows until the
    // test timed out.
    const written = await database.db.transaction(async (trx) =>
      writeTarget(trx, target, second, { dimensionIds: await writeDimensions(database.db, target, second) }),
    );
    expect(written).toMatchObject({ inserted: 1 });
    await first.commit();
  } finally {
    if (!first.isCompleted()) await first.rollback();
  }
  const stored = await invoicesWithEmails();
  expect(stored).toEqual([
    { number: 'INV-001', email: 'a@example.com' },
    { number: 'INV-002', email: 'b@example.com' },
    { number: 'INV-003', email: 'a@example.com' },
    { number: 'INV-004', email: 'b@example.com' },
  ]);
  expect(await database.db('relations').count({ n: '*' }).first()).toEqual({ n: '2' });
});

it('writes no dimensions ahead for targets without any, nor for rows without dimension rows', async () => {
  const plain = defineTarget({ record: invoices });
  expect(await writeDimensions(database.db, plain, { invoices: [] })).toBeUndefined();
  expect(await writeDimensions(database.db, target, { ...chunk(), relations: [] })).toBeUndefined();
  expect(await writeDimensions(database.db, target, chunk())).toEqual(
    new Map([
      [
        'relations',
        new Map([
          ['a@example.com', expect.any(String)],
          ['b@example.com', expect.any(String)],
        ]),
      ],
    ]),
  );
});

it('finds a chunk’s dimension rows by their keys, not by reading the whole table into a hash', async () => {
  // A dimension is joined to every chunk's rows; joined to them alone, the planner hashed the whole table each time
  // (a seq scan of 200,000 customers per chunk). The keys as an array let it use the index or filter as it reads.
  await database.db.raw(
    `insert into relations (email, name) select 'r' || n || '@example.com', 'R' from generate_series(1, 50000) n`,
  );
  await database.db.raw('analyze relations');
  const statements: { sql: string; bindings: unknown[] }[] = [];
  const capture = (query: { sql: string; bindings: unknown[] }) => statements.push(query);
  database.db.on('query', capture);
  const rows = {
    relations: Array.from({ length: 2000 }, (_, n) => ({ email: `r${n * 20 + 1}@example.com`, name: 'R' })),
  };
  try {
    await writeDimensions(database.db, target, rows);
  } finally {
    database.db.off('query', capture);
  }
  const statement = statements.find((query) => query.sql.includes('unchanged'));
  if (!statement) throw new Error('no dimension statement was sent');
  const { rows: explained } = await database.db.raw<{ rows: { 'QUERY PLAN': unknown }[] }>(
    `explain (format json) ${statement.sql.replace(/\$\d+/g, '?')}`,
    statement.bindings as never,
  );
  type PlanNode = { 'Node Type': string; 'Relation Name'?: string; Plans?: PlanNode[] } & Record<
    string,
    unknown
  >;
  const scans: PlanNode[] = [];
  const visit = (node: PlanNode) => {
    if (node['Relation Name'] === 'relations' && /Scan/.test(node['Node Type'])) scans.push(node);
    for (const child of node.Plans ?? []) visit(child);
  };
  const [plan] = (explained[0]?.['QUERY PLAN'] ?? []) as { Plan: PlanNode }[];
  if (!plan) throw new Error('EXPLAIN gave no plan');
  visit(plan.Plan);
  expect(scans.length).toBeGreaterThan(0);
  for (const scan of scans) {
    expect(`${scan.Filter ?? ''} ${scan['Index Cond'] ?? ''} ${scan['Recheck Cond'] ?? ''}`).toMatch(/= ANY/);
  }
});
