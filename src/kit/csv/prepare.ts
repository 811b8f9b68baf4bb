import type { Knex } from 'knex';
import { FerryError } from '../../errors.js';
import { createTable, type Table, writtenColumns } from '../target/table.js';

/**
 * The table a CSV load fills: created as declared if it is missing; if it is there (another migration's, or a
 * load's before), it must have every declared column and a unique index on the key, or the load stops here
 * saying what it lacks, before a line is read.
 */
export async function prepareCsvTable(db: Knex, target: Table): Promise<void> {
  await db.transaction(async (trx) => {
    // Two loads into one new table: one creates it, the other waits and finds it.
    await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`ferry csv table ${target.name}`]);
    const found = await trx.raw(
      'select column_name from information_schema.columns where table_name = ? and table_schema = current_schema()',
      [target.name],
    );
    const present = new Set((found.rows as { column_name: string }[]).map((row) => row.column_name));
    if (present.size === 0) {
      await createTable(trx, target);
      return;
    }
    const missing = writtenColumns(target)
      .map((column) => column.name)
      .filter((name) => !present.has(name));
    if (missing.length > 0)
      throw new FerryError(
        `Table ${target.name} exists without the column${missing.length === 1 ? '' : 's'} ${missing.join(', ')} the load declares: add ${missing.length === 1 ? 'it' : 'them'}, or load into another table`,
      );
    // A line is merged on its key: the table needs a unique index on exactly those columns.
    const keyed = await trx.raw(
      `select 1 from pg_index i
       where i.indrelid = to_regclass(?) and i.indisunique and i.indpred is null
         and (select array_agg(a.attname::text order by a.attname::text collate "C") from pg_attribute a
              where a.attrelid = i.indrelid and a.attnum = any(i.indkey)) = ?::text[]
         and cardinality(i.indkey::int2[]) = ?`,
      [target.name, [...target.key].sort(), target.key.length],
    );
    if (keyed.rows.length === 0)
      throw new FerryError(
        `Table ${target.name} has no primary key or unique index on (${target.key.join(', ')}), the key the load merges lines on: add one, or declare the key it has`,
      );
  });
}
