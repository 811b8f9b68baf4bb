import type { Knex } from 'knex';

/**
 * Requests a chunk sent again after a 5xx, a timeout or a malformed page, apart from its 429s: the report tells a
 * source that is slow to answer from one that fails.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('ferry_chunk_timings', (table) => {
    table.integer('retries').notNullable().defaultTo(0);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('ferry_chunk_timings', (table) => {
    table.dropColumn('retries');
  });
}
