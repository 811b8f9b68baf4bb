import type { Knex } from 'knex';

/**
 * Requests a run of a migration that writes back into an API sent, per endpoint (search, read, write, fields):
 * every attempt, and those the API answered 429. Added to in each chunk's transaction: a run's report reads it.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('ferry_api_calls', (table) => {
    table.text('run_id').notNullable();
    table.text('endpoint').notNullable();
    table.bigInteger('calls').notNullable().defaultTo(0);
    table.bigInteger('rate_limited').notNullable().defaultTo(0);
    table.primary(['run_id', 'endpoint']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('ferry_api_calls');
}
