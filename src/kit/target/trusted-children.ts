import type { Knex } from 'knex';
import { quote } from '../../target/bulk-upsert.js';
import { copyText } from '../../target/copy-text.js';
import type { ChildTable, Target } from './target.js';

type Row = Record<string, unknown>;

/** The column of the record table a child's parent column references (`invoices.number` → `number`). */
export function referencedColumn(target: Target, child: ChildTable): string | undefined {
  const reference = child.table.columns[child.parentColumn]?.specification.references?.column;
  const prefix = `${target.record.name}.`;
  return reference?.startsWith(prefix) ? reference.slice(prefix.length) : undefined;
}

/** A foreign key of a child table as PostgreSQL holds it. */
interface ForeignKey {
  columns: string[];
  referenced: string[];
  toRecord: boolean;
  toItself: boolean;
  /** Each column of the same type (and size) as the one it references: the same text is then the same value. */
  sameTypes: boolean;
}

/**
 * A key as compared here: a primitive itself (equal primitives are sent as equal text), anything else as the text
 * COPY sends. The same text into the same type is the same value.
 */
const comparable = (value: unknown) => (typeof value === 'object' ? copyText(value) : value);

/** Whether every value of `column` in `rows` is null (a foreign key lets it through) or one of `among`'s `key`. */
function namesOneOf(rows: readonly Row[], column: string, among: readonly Row[], key: string): boolean {
  // A loop, not flatMap: this runs for every chunk a first load COPYs, over all its records.
  const keys = new Set<unknown>();
  for (const row of among) if (row[key] != null) keys.add(comparable(row[key]));
  return rows.every((row) => row[column] == null || keys.has(comparable(row[column])));
}

/**
 * Whether this foreign key can only hold for these rows: it names the record table by the child's parent column
 * (its records COPYed just before), or the child table itself (a bundle's line naming its parent line), between
 * columns of the same type, and every row names a row of this same COPY.
 */
function holdsWithin(
  key: ForeignKey,
  child: ChildTable,
  rows: readonly Row[],
  records: readonly Row[],
): boolean {
  const [column, referenced] = [key.columns[0], key.referenced[0]];
  if (key.columns.length !== 1 || column === undefined || referenced === undefined || !key.sameTypes)
    return false;
  if (key.toRecord && column === child.parentColumn) return namesOneOf(rows, column, records, referenced);
  return key.toItself && namesOneOf(rows, column, rows, referenced);
}

interface ChildCatalog {
  name: string;
  /** A plain table: the triggers and keys of a partitioned one's partitions are not in this row. */
  plain: boolean;
  /** A trigger that is not a foreign key's: its own, or a deferrable unique key's, which replica would skip too. */
  triggered: boolean;
  keys: ForeignKey[];
  /** The record table is plain and no trigger of its own can change a record's row before it is stored. */
  recordAsCopied: boolean;
  superuser: boolean;
  version: number;
  role: string;
}

/** Whether this session may set session_replication_role: a superuser, or (PostgreSQL 15+) granted SET on it. */
async function maySetReplicationRole(trx: Knex.Transaction, session: ChildCatalog): Promise<boolean> {
  if (session.superuser) return true;
  if (session.version < 150_000) return false;
  const { rows } = await trx.raw<{ rows: { may: boolean }[] }>(
    `select has_parameter_privilege('session_replication_role', 'SET') as may`,
  );
  return rows[0]?.may === true;
}

/**
 * Triggers a foreign key from or to the table made: the checks on insert, and the actions for its referrers (a
 * foreign key's triggers are on its own two tables). Its constraint found by oid, through the catalog's index: asked
 * by table instead, it was a scan of pg_constraint per trigger, most of this look's 2.5 ms.
 */
const FOREIGN_KEY_TRIGGER = `exists (select from pg_constraint k where k.oid = g.tgconstraint and k.contype = 'f')`;
/** TRIGGER_TYPE_ROW | TRIGGER_TYPE_BEFORE | TRIGGER_TYPE_INSERT (PostgreSQL's catalog/pg_trigger.h). */
const BEFORE_INSERT_ROW = 7;
const columnNames = (keys: string, table: string) =>
  `array(select attname from unnest(${keys}) with ordinality as n(num, at)
     join pg_attribute on attrelid = ${table} and attnum = n.num order by n.at)`;

/**
 * The children whose rows can go in without PostgreSQL checking their foreign keys row by row, and the
 * session_replication_role to restore after them; undefined when there are none.
 *
 * A child's foreign-key check costs an index probe of the record table per row: COPYing 1,000,000 invoice lines
 * under 100,000 new invoices took 13-17 s with it and 7 s without. On a first load's fast path the check can only
 * pass: the records were COPYed a statement earlier in this transaction, nobody else can see or delete them, and
 * every child row is checked here to name one of them (or a row of its own COPY). A child table is trusted only when
 * each of its foreign keys is one of those, and it has no trigger but theirs: skipping the checks
 * (session_replication_role = replica, as logical replication applies rows) skips ordinary triggers and deferred
 * unique checks too. The tables are locked first (as the COPY would), so that no trigger or key is added between
 * this look and the COPY. Unique indexes, NOT NULL and CHECK constraints still hold.
 */
export async function trustedChildren(
  trx: Knex.Transaction,
  target: Target,
  records: readonly Row[],
  childRows: (child: ChildTable) => readonly Row[],
): Promise<{ children: Set<ChildTable>; role: string } | undefined> {
  if (target.children.length === 0) return undefined;
  const tables = [target.record, ...target.children.map((child) => child.table)];
  await trx.raw(`lock table ${tables.map((table) => quote(table.name)).join(', ')} in row exclusive mode`);
  const { rows: catalog } = await trx.raw<{ rows: ChildCatalog[] }>(
    `select t.name, c.relkind = 'r' as plain,
       current_setting('is_superuser') = 'on' as superuser,
       current_setting('server_version_num')::int as version,
       current_setting('session_replication_role') as role,
       exists (select from pg_trigger g where g.tgrelid = c.oid and g.tgenabled <> 'D' and not ${FOREIGN_KEY_TRIGGER})
         as triggered,
       (select coalesce(json_agg(json_build_object(
           'columns', ${columnNames('k.conkey', 'k.conrelid')},
           'referenced', ${columnNames('k.confkey', 'k.confrelid')},
           'toRecord', k.confrelid = r.oid,
           'toItself', k.confrelid = c.oid,
           'sameTypes', not exists (
             select from unnest(k.conkey, k.confkey) as pair(child, parent)
             join pg_attribute own on own.attrelid = k.conrelid and own.attnum = pair.child
             join pg_attribute its on its.attrelid = k.confrelid and its.attnum = pair.parent
             where (own.atttypid, own.atttypmod) is distinct from (its.atttypid, its.atttypmod)))), '[]')
         from pg_constraint k where k.conrelid = c.oid and k.contype = 'f') as keys,
       r.relkind = 'r' and not exists (
         select from pg_trigger g where g.tgrelid = r.oid and g.tgenabled <> 'D' and not g.tgisinternal
         and g.tgtype & ${BEFORE_INSERT_ROW} = ${BEFORE_INSERT_ROW}) as "recordAsCopied"
     from unnest(?::text[]) as t(name)
     join pg_class c on c.oid = to_regclass(t.name)
     join pg_class r on r.oid = to_regclass(?)`,
    [target.children.map((child) => quote(child.table.name)), quote(target.record.name)] as Knex.RawBinding[],
  );
  const session = catalog[0];
  if (!session?.recordAsCopied || !(await maySetReplicationRole(trx, session))) return undefined;
  const children = new Set(
    target.children.filter((child) => {
      const table = catalog.find((entry) => entry.name === quote(child.table.name));
      const rows = childRows(child);
      return (
        table?.plain === true &&
        !table.triggered &&
        table.keys.length > 0 &&
        table.keys.every((key) => holdsWithin(key, child, rows, records))
      );
    }),
  );
  return children.size > 0 ? { children, role: session.role } : undefined;
}
