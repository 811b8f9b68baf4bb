import type { Knex } from 'knex';

/**
 * What a migration that writes back into an API (a field migration) did to each record, per run: unchanged,
 * planned (a dry run), pending (a write about to be sent), written, or failed. A pending row found by a retried
 * chunk says a write may have landed: the record is read again and counted as written when it already holds
 * the values. The changes (before and after per field) are what a dry run shows and a run report counts.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('ferry_api_writes', (table) => {
    table.text('run_id').notNullable();
    table.text('record_key').notNullable();
    table.text('migration').notNullable();
    table.text('status').notNullable().comment('unchanged | planned | pending | written | failed');
    table.jsonb('changes').comment('field key → { before, after }; null when unchanged');
    table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    table.primary(['run_id', 'record_key']);
    table.index(['migration', 'updated_at']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('ferry_api_writes');
}
