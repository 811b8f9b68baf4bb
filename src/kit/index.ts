/** The kit: what a migration is declared with. Re-exported from ferry's public API. */
export {
  type ConnectionField,
  type ConnectionKind,
  connectionKinds,
  defineConnectionKind,
  registerConnectionKind,
} from './connections.js';
export { Column, columns } from './target/columns.js';
export { createTable, type RowOf, type Table, table, writtenColumns } from './target/table.js';
export {
  type ChildTable,
  type DimensionTable,
  defineTarget,
  prepareTarget,
  type Target,
} from './target/target.js';
export { type TargetRows, type TargetWriteCounts, writeTarget } from './target/write.js';
