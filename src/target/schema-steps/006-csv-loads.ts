import type { Knex } from 'knex';

/**
 * Where a CSV load got to in each file: the byte offset and line the next chunk starts at, the header it read,
 * and what it loaded and refused. Written in each chunk's own transaction, so a load resumes where it committed.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('ferry_csv_loads', (table) => {
    table.text('run_id').notNullable();
    table.text('file').notNullable();
    table.bigInteger('byte_offset').notNullable();
    table.bigInteger('line').notNullable();
    table.specificType('header', 'text[]').notNullable();
    table.bigInteger('loaded').notNullable().defaultTo(0);
    table.bigInteger('refused').notNullable().defaultTo(0);
    table.primary(['run_id', 'file']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('ferry_csv_loads');
}
