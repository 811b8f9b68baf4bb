import type { Knex } from 'knex';

/**
 * Runs `body` (which fills `tables` while they are empty) with their indexes and key constraints set aside and
 * built again afterwards, in the caller's transaction. PostgreSQL builds an index over a million rows in well
 * under a second, where keeping it up to date row by row costs many times that (a million random keys).
 * The definitions are read from the catalogue, so what is rebuilt is exactly what was there.
 */
export async function withIndexesBuiltAfter<T>(
  trx: Knex.Transaction,
  tables: readonly string[],
  body: () => Promise<T>,
): Promise<T> {
  const constraints = await trx.raw(
    `select conrelid::regclass::text as table_name, conname, pg_get_constraintdef(oid) as definition
     from pg_constraint where conrelid = any(?::regclass[]) and contype in ('p', 'u')`,
    [[...tables]],
  );
  const indexes = await trx.raw(
    `select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as definition
     from pg_index i
     where i.indrelid = any(?::regclass[])
       and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)`,
    [[...tables]],
  );
  type Constraint = { table_name: string; conname: string; definition: string };
  type Index = { name: string; definition: string };
  for (const index of indexes.rows as Index[]) await trx.raw(`drop index ${index.name}`);
  for (const constraint of constraints.rows as Constraint[])
    await trx.raw(`alter table ${constraint.table_name} drop constraint ${constraint.conname}`);
  const result = await body();
  for (const constraint of constraints.rows as Constraint[])
    await trx.raw(
      `alter table ${constraint.table_name} add constraint ${constraint.conname} ${constraint.definition}`,
    );
  for (const index of indexes.rows as Index[]) await trx.raw(index.definition);
  return result;
}
