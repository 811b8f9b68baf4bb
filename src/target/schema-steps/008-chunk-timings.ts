import type { Knex } from 'knex';

/**
 * One row per chunk a run wrote, in the chunk's own transaction: when it ran, what it wrote, and where its time
 * went (waiting on rate limits, the source, the database). `ferry report` reads a run's rows; nothing reads
 * workflow history for it. Rows older than the retention are pruned as new ones come.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('ferry_chunk_timings', (table) => {
    table.bigIncrements('id');
    table.text('run_id').notNullable();
    table.text('migration').notNullable();
    table.text('partition_key').notNullable();
    table.timestamp('started_at', { useTz: true }).notNullable();
    table.timestamp('finished_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    table.integer('records').notNullable();
    table.integer('written').notNullable();
    table.integer('dead_lettered').notNullable();
    table.integer('requests').notNullable();
    table.integer('rate_limited').notNullable();
    table.integer('wait_ms').notNullable();
    table.integer('source_ms').notNullable();
    table.integer('write_ms').notNullable();
    table.integer('rss_mb').notNullable();
    table.index(['run_id', 'finished_at']);
    table.index(['finished_at']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('ferry_chunk_timings');
}
