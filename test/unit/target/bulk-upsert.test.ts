import { describe, expect, it } from 'vitest';
import { columnArrays, unnestSql, upsertSql } from '../../../src/target/bulk-upsert.js';

const columns = [
  { name: 'id', type: 'bigint' },
  { name: 'status', type: 'text' },
  { name: 'total', type: 'numeric' },
];
const squash = (sql: string) => sql.replace(/\s+/g, ' ').trim();

describe('the upsert statement builder', () => {
  it('inserts the rows as one unnest relation, one cast array parameter per column', () => {
    expect(unnestSql(columns)).toBe('unnest(?::bigint[], ?::text[], ?::numeric[])');
    expect(squash(upsertSql('orders', columns, ['id']))).toMatch(
      /^insert into "orders" \("id", "status", "total"\) select \* from unnest\(\?::bigint\[\], \?::text\[\], \?::numeric\[\]\) on conflict \("id"\) do update/,
    );
  });

  it('updates only rows whose non-key values differ, and returns each key with whether it was inserted', () => {
    const sql = squash(upsertSql('orders', columns, ['id']));
    expect(sql).toContain(
      'set "status" = excluded."status", "total" = excluded."total" ' +
        'where ("orders"."status", "orders"."total") is distinct from (excluded."status", excluded."total")',
    );
    expect(sql).toMatch(/returning "id"::text as key, \(xmax = 0\) as inserted$/);
  });

  it('keeps every key column out of the comparison and quotes identifiers', () => {
    const sql = squash(
      upsertSql(
        'order "items"',
        [
          { name: 'order_id', type: 'bigint' },
          { name: 'line', type: 'int' },
          { name: 'sku', type: 'text' },
        ],
        ['order_id', 'line'],
      ),
    );
    expect(sql).toContain('on conflict ("order_id", "line") do update set "sku" = excluded."sku"');
    expect(sql).toContain('insert into "order ""items"""');
    expect(sql).toContain('returning "order_id"::text as key');
  });

  it('leaves a conflicting row alone when every column is part of the key (a link table)', () => {
    const sql = squash(
      upsertSql(
        'order_tags',
        [
          { name: 'order_id', type: 'bigint' },
          { name: 'tag', type: 'text' },
        ],
        ['order_id', 'tag'],
        'order_id',
      ),
    );
    expect(sql).toContain('on conflict ("order_id", "tag") do nothing returning "order_id"::text as key');
  });

  it('sends the rows column by column, a missing value as null', () => {
    const rows = [
      { id: 1, status: 'paid', total: '9.50' },
      { id: 2, status: 'open' },
    ];
    expect(columnArrays(columns, rows)).toEqual([
      [1, 2],
      ['paid', 'open'],
      ['9.50', null],
    ]);
  });
});

it('sends a jsonb array or object as its JSON text, as COPY does (not as another dimension of the array)', () => {
  const columns = [
    { name: 'id', type: 'bigint' },
    { name: 'tags', type: 'jsonb' },
  ];
  expect(columnArrays(columns, [{ id: 1, tags: ['a', 'b'] }, { id: 2, tags: { x: 1 } }, { id: 3 }])).toEqual([
    [1, 2, 3],
    ['["a","b"]', '{"x":1}', null],
  ]);
});
