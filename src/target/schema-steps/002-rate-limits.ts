import type { Knex } from 'knex';

/**
 * One row per source connection whose requests are limited across every worker: the limit, and the instant the
 * next request may start. Workers reserve slots by moving that instant forward in one UPDATE.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('ferry_rate_limits', (table) => {
    table.text('connection').primary();
    table.double('requests_per_minute').comment('null: no limit');
    table
      .timestamp('next_slot_at', { useTz: true })
      .notNullable()
      .defaultTo(db.fn.now())
      .comment('the earliest start of the next request, on the database clock');
    table.bigInteger('reserved').notNullable().defaultTo(0).comment('requests that took a slot, ever');
    table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('ferry_rate_limits');
}
