import type { Knex } from 'knex';

/**
 * What a CSV load knows of its file, to tell a resumed load that the file changed under it (its first bytes
 * hashed when the load began), and the rows it wrote, so the counts a load reports are the checkpoint's own
 * (an attempt whose answer was lost still counted once).
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('ferry_csv_loads', (table) => {
    table.text('fingerprint');
    table.bigInteger('written').notNullable().defaultTo(0);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('ferry_csv_loads', (table) => {
    table.dropColumn('fingerprint');
    table.dropColumn('written');
  });
}
