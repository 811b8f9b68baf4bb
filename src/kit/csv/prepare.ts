import type { Knex } from 'knex';
import { FerryError } from '../../errors.js';
import { createTable, type Table, writtenColumns } from '../target/table.js';

/**
 * The table a CSV load fills: created as declared if it is missing; if it is there (another migration's, or a
 * load's before), it must have every declared column, or the load stops here naming the ones it lacks, before a
 * line is read.
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
  });
}
