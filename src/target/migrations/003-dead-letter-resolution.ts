import type { Knex } from 'knex';

/** How a dead letter was closed: written at last (a later run or `ferry dlq retry`) or discarded by an operator. */
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('ferry_dead_letters', (table) => {
    table.text('resolution').comment('written | discarded; null while open');
    table.index(['migration', 'resolved_at', 'id']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('ferry_dead_letters', (table) => {
    table.dropIndex(['migration', 'resolved_at', 'id']);
    table.dropColumn('resolution');
  });
}
