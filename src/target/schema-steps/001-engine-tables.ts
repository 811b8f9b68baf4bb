import type { Knex } from 'knex';

/** ferry's own bookkeeping: runs, dead letters and sync watermarks. Target tables belong to each migration. */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('ferry_runs', (table) => {
    table.text('run_id').primary().comment('Temporal workflow id');
    table.text('migration').notNullable();
    table.text('kind').notNullable().comment('backfill | incremental');
    table.text('status').notNullable();
    table.jsonb('options').notNullable().defaultTo('{}');
    table.jsonb('report');
    table.timestamp('started_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    table.timestamp('finished_at', { useTz: true });
    table.index(['migration', 'started_at']);
  });
  await db.schema.createTable('ferry_dead_letters', (table) => {
    table.bigIncrements('id');
    table.text('run_id').notNullable();
    table.text('migration').notNullable();
    table.text('partition_key');
    table.text('source_key').notNullable();
    table.jsonb('payload');
    table.text('error_class').notNullable();
    table.text('error_message').notNullable();
    table.integer('attempts').notNullable().defaultTo(1);
    table.timestamp('first_seen_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    table.timestamp('last_seen_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    table.timestamp('resolved_at', { useTz: true });
    table.unique(['migration', 'source_key']);
    table.index(['run_id']);
  });
  await db.schema.createTable('ferry_watermarks', (table) => {
    table.text('migration').primary();
    table.timestamp('watermark', { useTz: true }).notNullable();
    table.jsonb('cursor');
    table.text('run_id');
    table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('ferry_watermarks');
  await db.schema.dropTable('ferry_dead_letters');
  await db.schema.dropTable('ferry_runs');
}
