import type { Knex } from 'knex';

/**
 * How a dead letter was closed (written at last by a later run or `ferry dlq retry`, or discarded by an operator),
 * and the window of the chunk that filed it: a window's count check accounts for the letters filed within it.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('ferry_dead_letters', (table) => {
    table.text('resolution').comment('written | discarded; null while open');
    table.timestamp('window_from', { useTz: true });
    table.timestamp('window_to', { useTz: true });
    table.index(['migration', 'resolved_at', 'id']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('ferry_dead_letters', (table) => {
    table.dropIndex(['migration', 'resolved_at', 'id']);
    table.dropColumns('resolution', 'window_from', 'window_to');
  });
}
