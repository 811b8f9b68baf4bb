import type { Knex } from 'knex';
import type { RejectedRecord, WriteCounts } from '../../migrations/types.js';
import { columnArrays, onConflictUpdate, quote, unnestSql, upsertRows } from '../../target/bulk-upsert.js';
import { recordCounts } from '../../target/record-counts.js';
import { copyNewRecords } from './first-load.js';
import { routesOf, type Targets } from './routes.js';
import { type Table, typeOf, writtenColumns } from './table.js';
import {
  type ChildTable,
  type DimensionTable,
  generatedIdOf,
  keyTakenReason,
  type Target,
} from './target.js';

type Row = Record<string, unknown>;

/** A chunk's rows by table name, as a transform builds them. */
export type TargetRows = Readonly<Record<string, readonly Row[]>>;

export interface TargetWriteCounts extends WriteCounts {
  /** Child rows deleted because the source no longer has them. */
  deleted: number;
  /**
   * Records not written because their row's key belongs to another source record (an invoice number a second
   * mutation also uses): dead-lettered with the reason, keyed by their source key.
   */
  refused: RejectedRecord[];
  /** Record and child rows inserted, changed or deleted as removed, by table (the worker's per-table metrics). */
  rowsByTable: Record<string, number>;
}

function addRows(into: Record<string, number>, table: string, rows: number): void {
  if (rows > 0) into[table] = (into[table] ?? 0) + rows;
}

/** Each dimension table's ids by natural key, as writeDimensions returned them. */
export type DimensionIds = ReadonlyMap<string, ReadonlyMap<string, string | null>>;

export interface WriteOptions {
  /** COPY a chunk whose records the target does not hold yet (see copyNewRecords); on unless told otherwise. */
  copyNewRecords?: boolean;
  /** The dimensions' ids, written beforehand in a transaction of their own (see writeDimensions). */
  dimensionIds?: DimensionIds;
}

/** The rows by a one-column key, the last one of each key kept: one statement cannot touch a row twice. */
function lastByKey(rows: readonly Row[], key: string): Row[] {
  return [...new Map(rows.map((row) => [String(row[key]), row])).values()];
}

/**
 * Upserts a dimension's rows and returns each natural key's id in the same round trip: rows the table holds as they
 * are come from a read (no lock, no write), rows the upsert inserted or changed from its RETURNING.
 */
async function resolveDimension(trx: Knex.Transaction, dimension: DimensionTable, rows: readonly Row[]) {
  const { table } = dimension;
  const naturalKey = table.key[0] as string;
  const id = quote(generatedIdOf(table));
  // Sorted (by code unit, the same order on every machine), so that concurrent chunks lock shared rows in the
  // same order and cannot deadlock.
  const unique = lastByKey(rows, naturalKey).sort((a, b) => {
    const [left, right] = [String(a[naturalKey]), String(b[naturalKey])];
    return left < right ? -1 : left > right ? 1 : 0;
  });
  const columns = writtenColumns(table);
  const names = columns.map((column) => quote(column.name));
  const compared = names.filter((name) => name !== quote(naturalKey));
  const name = quote(table.name);
  const nk = quote(naturalKey);
  const columnsOf = (alias: string) => compared.map((column) => `${alias}.${column}`).join(', ');
  // Rows the table already holds as they are, read without a lock: ON CONFLICT locks every row it meets, even one
  // it leaves alone, and a dimension meets most of its rows again in every chunk (a customer's every order).
  // Found by their keys as an array too: joined to the input alone, the planner hashed the whole table in every
  // chunk (200,000 customers, 4,000 keys: a seq scan into a hash spilled to disk, 121 ms); with the array it filters
  // the table as it reads it or uses the index (55 ms).
  const { rows: found } = await trx.raw<{ rows: { natural: string; id: string | null }[] }>(
    `with input (${names.join(', ')}) as (select * from ${unnestSql(columns)}),
     unchanged as (
       select ${name}.${id}, ${name}.${nk} from ${name} join input on input.${nk} = ${name}.${nk}
       where ${name}.${nk} = any(?::${typeOf(table, naturalKey)}[])
       ${compared.length > 0 ? `and (${columnsOf(name)}) is not distinct from (${columnsOf('input')})` : ''}),
     upserted as (
       insert into ${name} (${names.join(', ')})
       select * from input where not exists (select from unchanged where unchanged.${nk} = input.${nk})
       on conflict (${nk}) ${onConflictUpdate(name, compared)}
       returning ${id}, ${nk})
     select input.${nk}::text as natural, coalesce(upserted.${id}, unchanged.${id})::text as id
     from input
     left join upserted on upserted.${nk} = input.${nk}
     left join unchanged on unchanged.${nk} = input.${nk}`,
    [...columnArrays(columns, unique), unique.map((row) => row[naturalKey])] as Knex.RawBinding[],
  );
  const ids = new Map(found.map((row) => [row.natural, row.id]));
  // A row another chunk inserted after this statement's snapshot was taken is neither in its RETURNING (the row
  // was equal) nor in its view of the table; a new statement sees the committed row.
  const missing = found.filter((row) => row.id === null).map((row) => row.natural);
  if (missing.length > 0) {
    const late = await trx(table.name)
      .whereIn(naturalKey, missing)
      .select<{ natural: string; id: string }[]>({ natural: naturalKey, id: generatedIdOf(table) });
    for (const row of late) ids.set(String(row.natural), String(row.id));
  }
  return ids;
}

/** Deletes the children of these records that the chunk no longer has; returns their records' keys. */
async function deleteRemovedChildren(
  trx: Knex.Transaction,
  child: ChildTable,
  recordKeys: readonly unknown[],
  rows: readonly Row[],
): Promise<string[]> {
  const { table, parentColumn } = child;
  const parentType = typeOf(table, parentColumn);
  const keys = table.key.map((key) => ({ name: key, type: typeOf(table, key) }));
  const { rows: deleted } = await trx.raw<{ rows: { parent: string }[] }>(
    // NOT IN over a subquery is hashed; `not (key = any(array))` would scan the chunk's rows for every row.
    `delete from ${quote(table.name)}
     where ${quote(parentColumn)} = any(?::${parentType}[])
       and (${keys.map((key) => quote(key.name)).join(', ')}) not in (select * from ${unnestSql(keys)})
     returning ${quote(parentColumn)}::text as parent`,
    [recordKeys, ...columnArrays(keys, rows)] as Knex.RawBinding[],
  );
  return deleted.map((row) => row.parent);
}

/**
 * Deletes the records whose keys `selectKeys` selects (`select key from … where …`), their children first.
 * Returns how many records it deleted.
 */
async function deleteSelected(
  trx: Knex.Transaction,
  target: Target,
  selectKeys: string,
  bindings: readonly unknown[],
): Promise<number> {
  const recordKey = target.record.key[0] as string;
  // The keys first, once: there are none for most chunks (a first load's, a sync's of records that stay put), and
  // a delete per table would each probe the index for every key asked (e-Boekhouden: ten such deletes a chunk).
  // As text, which casts back to the column's type exactly (a bigint, a date), whatever the driver would make of it.
  const { rows } = await trx.raw<{ rows: { key: string }[] }>(
    `select selected.key::text as key from (${selectKeys}) as selected (key)`,
    bindings as Knex.RawBinding[],
  );
  if (rows.length === 0) return 0;
  const keys = rows.map((row) => row.key);
  for (const child of target.children) {
    const parent = child.parentColumn;
    await trx.raw(
      `delete from ${quote(child.table.name)} where ${quote(parent)} = any(?::${typeOf(child.table, parent)}[])`,
      [keys] as Knex.RawBinding[],
    );
  }
  const deleted = await trx.raw<{ rowCount: number }>(
    `delete from ${quote(target.record.name)} where ${quote(recordKey)} = any(?::${typeOf(target.record, recordKey)}[])`,
    [keys] as Knex.RawBinding[],
  );
  return deleted.rowCount;
}

/**
 * For a record table keyed by something else than the source key (invoices by number): first the rows of these
 * source records that now have another key (an invoice renumbered) leave, with their children; then the records
 * whose key another source record already holds are refused, named by both. Returns the refused records.
 */
async function claimKeys(
  trx: Knex.Transaction,
  target: Target,
  records: readonly Row[],
): Promise<RejectedRecord[]> {
  const recordKey = target.record.key[0] as string;
  const pair = [target.sourceKey, recordKey].map((name) => ({ name, type: typeOf(target.record, name) }));
  const table = quote(target.record.name);
  const [sourceKey, key] = pair.map((column) => quote(column.name));
  await deleteSelected(
    trx,
    target,
    `select ${key} from ${table} where ${sourceKey} = any(?::${pair[0]?.type}[])
     and (${sourceKey}, ${key}) not in (select * from ${unnestSql(pair)})`,
    [records.map((row) => row[target.sourceKey]), ...columnArrays(pair, records)],
  );
  const { rows: holders } = await trx.raw<{ rows: { key: string; holder: string }[] }>(
    `select ${key}::text as key, ${sourceKey}::text as holder from ${table} where ${key} = any(?::${pair[1]?.type}[])`,
    [records.map((row) => row[recordKey])] as Knex.RawBinding[],
  );
  const holderOf = new Map(holders.map((row) => [row.key, row.holder]));
  const refused: RejectedRecord[] = [];
  // Over every record of the chunk, though most chunks refuse none: a loop, as flatMap is slow in V8.
  for (const row of records) {
    const holder = holderOf.get(String(row[recordKey]));
    if (holder === undefined || holder === String(row[target.sourceKey])) continue;
    refused.push({
      sourceKey: String(row[target.sourceKey]),
      payload: row,
      reason: keyTakenReason(target, row[recordKey], holder),
    });
  }
  return refused;
}

/**
 * The chunk's rows of a table. Every table of the target must be there (an empty list when the chunk has none),
 * and no other: a misnamed key would otherwise read as "no children" and delete every child of the chunk.
 */
function checkedRows(target: Target, rows: TargetRows): (table: Table) => readonly Row[] {
  const declared = target.tables.map((table) => table.name);
  const unknown = Object.keys(rows).filter((name) => !declared.includes(name));
  const missing = declared.filter((name) => !(name in rows));
  if (unknown.length > 0 || missing.length > 0) {
    throw new Error(
      `rows for target ${target.record.name} must name its tables ${declared.join(', ')}` +
        `${missing.length > 0 ? `; missing: ${missing.join(', ')}` : ''}${unknown.length > 0 ? `; not in the target: ${unknown.join(', ')}` : ''}`,
    );
  }
  return (table) => rows[table.name] as readonly Row[];
}

/**
 * Writes one chunk's rows inside the caller's transaction, touching only rows whose values differ: dimensions
 * first (their ids go into the record rows), then one row per record, then each child table, whose rows the
 * source no longer has are deleted. A record counts as inserted when its row is new, as updated when its row or
 * any of its children changed or was removed, as unchanged otherwise.
 */
export async function writeTarget(
  trx: Knex.Transaction,
  target: Target,
  rows: TargetRows,
  options: WriteOptions = {},
): Promise<TargetWriteCounts> {
  const checked = checkedRows(target, rows);
  const recordKey = target.record.key[0] as string;
  const all = checked(target.record);
  const rowsByTable: Record<string, number> = {};
  if (all.length === 0)
    return { inserted: 0, updated: 0, unchanged: 0, deleted: 0, refused: [], rowsByTable };
  const refused = target.sourceKey === recordKey ? [] : await claimKeys(trx, target, all);
  // A refused record's rows stay out: its own and its children (which name it by the key it could not have).
  const refusedKeys = new Set(refused.map((record) => String((record.payload as Row)[recordKey])));
  const rowsOf = (table: Table): readonly Row[] => {
    if (refusedKeys.size === 0) return checked(table);
    if (table === target.record) return all.filter((row) => !refusedKeys.has(String(row[recordKey])));
    const child = target.children.find((candidate) => candidate.table === table);
    return child
      ? checked(table).filter((row) => !refusedKeys.has(String(row[child.parentColumn])))
      : checked(table);
  };
  const records = rowsOf(target.record);
  if (records.length === 0)
    return { inserted: 0, updated: 0, unchanged: 0, deleted: 0, refused, rowsByTable };
  let recordRows: readonly Row[] = records;
  for (const dimension of target.dimensions) {
    const ids =
      options.dimensionIds?.get(dimension.table.name) ??
      (await resolveDimension(trx, dimension, rowsOf(dimension.table)));
    // Dimension rows are shared by records: the upsert does not say which of them changed, so none are counted.
    const column = dimension.referencedBy;
    recordRows = recordRows.map((row) => ({ ...row, [column]: ids.get(String(row[column])) ?? null }));
  }
  if (options.copyNewRecords !== false && (await copyNewRecords(trx, target, recordRows, rowsOf))) {
    addRows(rowsByTable, target.record.name, recordRows.length);
    for (const child of target.children) addRows(rowsByTable, child.table.name, rowsOf(child.table).length);
    return { inserted: records.length, updated: 0, unchanged: 0, deleted: 0, refused, rowsByTable };
  }
  const written = await upsertRows(trx, {
    table: target.record.name,
    columns: writtenColumns(target.record),
    key: target.record.key,
    rows: recordRows,
  });
  addRows(rowsByTable, target.record.name, written.inserted.length + written.updated.length);
  const touched: string[] = [...written.updated];
  let deleted = 0;
  const recordKeys = records.map((row) => row[recordKey]);
  for (const child of target.children) {
    const childRows = rowsOf(child.table);
    const removedFrom = await deleteRemovedChildren(trx, child, recordKeys, childRows);
    deleted += removedFrom.length;
    const upserted = await upsertRows(trx, {
      table: child.table.name,
      columns: writtenColumns(child.table),
      key: child.table.key,
      rows: childRows,
      returning: child.parentColumn,
    });
    addRows(
      rowsByTable,
      child.table.name,
      removedFrom.length + upserted.inserted.length + upserted.updated.length,
    );
    touched.push(...removedFrom, ...upserted.inserted, ...upserted.updated);
  }
  return { ...recordCounts(records.length, written.inserted, touched), deleted, refused, rowsByTable };
}

/**
 * Deletes the rows these source records left in a target (a record whose route changed, as a mutation whose type
 * was changed): their children, then their own rows. Returns how many records' rows it deleted.
 */
function deleteRecords(trx: Knex.Transaction, target: Target, sourceKeys: readonly string[]) {
  if (sourceKeys.length === 0) return Promise.resolve(0);
  return deleteSelected(
    trx,
    target,
    `select ${quote(target.record.key[0] as string)} from ${quote(target.record.name)}
     where ${quote(target.sourceKey)} = any(?::${typeOf(target.record, target.sourceKey)}[])`,
    [[...sourceKeys]],
  );
}

/** The rows of one target's tables. */
function rowsFor(target: Target, rows: TargetRows): TargetRows {
  return Object.fromEntries(target.tables.map((table) => [table.name, rows[table.name] ?? []]));
}

/**
 * Writes one chunk's rows into each route's target (see writeTarget), inside the caller's transaction. A record
 * now routed elsewhere first leaves the target it was in, so each source record has rows in one target only.
 */
export async function writeTargets(
  trx: Knex.Transaction,
  targets: Targets,
  rows: TargetRows,
  keysByTarget: ReadonlyMap<Target, readonly string[]>,
  options: WriteOptions = {},
): Promise<TargetWriteCounts> {
  const routes = routesOf(targets);
  const total: TargetWriteCounts = {
    inserted: 0,
    updated: 0,
    unchanged: 0,
    deleted: 0,
    refused: [],
    rowsByTable: {},
  };
  for (const { target } of routes) {
    if (routes.length > 1) {
      const elsewhere = [...keysByTarget].flatMap(([other, keys]) => (other === target ? [] : keys));
      total.deleted += await deleteRecords(trx, target, elsewhere);
    }
    const counts = await writeTarget(trx, target, routes.length > 1 ? rowsFor(target, rows) : rows, options);
    total.inserted += counts.inserted;
    total.updated += counts.updated;
    total.unchanged += counts.unchanged;
    total.deleted += counts.deleted;
    total.refused.push(...counts.refused);
    for (const [table, rows] of Object.entries(counts.rowsByTable)) addRows(total.rowsByTable, table, rows);
  }
  return total;
}

/**
 * Writes the dimension rows of every route (see writeTarget) in a transaction of their own and returns their ids,
 * for a chunk to write its records with (WriteOptions.dimensionIds); none when the rows hold no dimension rows. Dimension rows
 * are shared by chunks: one a chunk inserts is locked until the chunk commits, and every other chunk that meets it
 * waits that long (a first load's partitions, sharing their customers, queued behind each other). Committed on
 * their own first, they are held for the milliseconds of this statement. They are the source's rows as they are:
 * if the chunk then fails, its retry meets them again unchanged.
 */
export async function writeDimensions(
  db: Knex,
  targets: Targets,
  rows: TargetRows,
): Promise<DimensionIds | undefined> {
  // Routes that share a dimension table share its rows (rows are by table name): written once. A chunk with no
  // dimension rows (the empty one that ends a window) opens no transaction.
  const dimensions = new Map(
    routesOf(targets).flatMap(({ target }) =>
      target.dimensions
        .filter((dimension) => (rows[dimension.table.name]?.length ?? 0) > 0)
        .map((dimension) => [dimension.table.name, dimension]),
    ),
  );
  if (dimensions.size === 0) return undefined;
  return db.transaction(async (trx) => {
    const ids = new Map<string, ReadonlyMap<string, string | null>>();
    for (const [name, dimension] of dimensions)
      ids.set(name, await resolveDimension(trx, dimension, rows[name] ?? []));
    return ids;
  });
}
