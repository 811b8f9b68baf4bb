import type { Knex } from 'knex';
import { quote } from '../../target/bulk-upsert.js';
import { copyRowsInto } from '../../target/copy-text.js';
import { type Table, typeOf, writtenColumns } from './table.js';
import type { Target } from './target.js';
import { referencedColumn, trustedChildren } from './trusted-children.js';

type Row = Record<string, unknown>;

const SAVEPOINT = 'ferry_first_load';
const UNIQUE_VIOLATION = '23505';

async function copyRows(trx: Knex.Transaction, table: Table, rows: readonly Row[]): Promise<void> {
  if (rows.length === 0) return;
  const names = writtenColumns(table).map((column) => column.name);
  await copyRowsInto(trx, table.name, names, rows);
}

/** For the rest of the transaction, or until the savepoint around it is rolled back to. */
const setReplicationRole = (trx: Knex.Transaction, role: string) =>
  trx.raw(`select set_config('session_replication_role', ?, true)`, [role]);

/**
 * The first load's fast path: when the target holds none of a chunk's records yet, their rows and their children's
 * go in with COPY, with no conflict checks and no comparisons (a first load's chunks, and new records of a sync).
 * One indexed probe decides. A row that exists after all (a retried chunk whose commit landed, a record another
 * chunk is writing at the same moment, a key twice in the chunk) fails the COPY on the table's unique index: the
 * COPY is rolled back to its savepoint and the caller writes the chunk the usual way, comparing, so the counts stay
 * exact. Children that can only name these records go in without PostgreSQL's per-row foreign-key check where the
 * session may skip it (see trustedChildren). Returns whether the rows were written.
 */
export async function copyNewRecords(
  trx: Knex.Transaction,
  target: Target,
  records: readonly Row[],
  childRows: (table: Table) => readonly Row[],
): Promise<boolean> {
  // A child row can only be trusted not to exist when it must name an existing record (a foreign key): a child
  // table without one may hold rows under a key no record has yet, which the comparing path would delete.
  const childrenNeedParent = target.children.every((child) => referencedColumn(target, child) !== undefined);
  if (!childrenNeedParent) return false;
  const key = target.record.key[0] as string;
  const { rows: found } = await trx.raw<{ rows: unknown[] }>(
    `select 1 from ${quote(target.record.name)} where ${quote(key)} = any(?::${typeOf(target.record, key)}[]) limit 1`,
    [records.map((row) => row[key])] as Knex.RawBinding[],
  );
  if (found.length > 0) return false;
  const trusted = await trustedChildren(trx, target, records, (child) => childRows(child.table));
  await trx.raw(`savepoint ${SAVEPOINT}`);
  try {
    await copyRows(trx, target.record, records);
    // The trusted children first: they name only the records (or their own rows), while another child may name
    // theirs. The role is undone with the savepoint if a COPY fails, set back by hand when they all went in.
    if (trusted) {
      await setReplicationRole(trx, 'replica');
      for (const child of trusted.children) await copyRows(trx, child.table, childRows(child.table));
      await setReplicationRole(trx, trusted.role);
    }
    for (const child of target.children) {
      if (!trusted?.children.has(child)) await copyRows(trx, child.table, childRows(child.table));
    }
  } catch (error) {
    if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
    // Rolled back to, the savepoint stays until the transaction ends: harmless, and one statement less.
    await trx.raw(`rollback to savepoint ${SAVEPOINT}`);
    return false;
  }
  await trx.raw(`release savepoint ${SAVEPOINT}`);
  return true;
}
