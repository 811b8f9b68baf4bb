/** The kit: what a migration is declared with. Re-exported from ferry's public API. */

export { z } from 'zod';
export { eboekhouden } from '../connectors/eboekhouden/api.js';
export { NeonAccountFields, neon } from '../connectors/neon/api.js';
export { sap } from '../connectors/sap/api.js';
export { woocommerce } from '../connectors/woocommerce/api.js';
export {
  type ConnectionField,
  type ConnectionKind,
  connectionKinds,
  defineConnectionKind,
  registerConnectionKind,
} from './connections.js';
export {
  type CsvLoadDeclaration,
  type CsvTableDeclaration,
  csvLoadSchema,
  csvTable,
  csvTableSchema,
} from './csv/declaration.js';
export {
  type CsvChunkRequest,
  type CsvChunkResult,
  checkCsvFile,
  csvLoadName,
  loadCsvChunk,
} from './csv/load.js';
export { prepareCsvTable } from './csv/prepare.js';
export { applyMappings, type MappedRecord } from './fields/apply.js';
export {
  FieldCatalogue,
  type FieldInfo,
  type FieldKind,
  type FieldValue,
  isBlank,
  sameValue,
} from './fields/catalogue.js';
export {
  defineFieldMigration,
  type FieldMigrationDeclaration,
  type FieldRunOptions,
} from './fields/define-field-migration.js';
export {
  type Condition,
  MAPPING_STRATEGIES,
  type Mapping,
  type MappingDeclaration,
  type MappingStrategy,
  mappingSchema,
} from './fields/mapping.js';
export {
  FIELD_STRATEGIES,
  type FieldPlan,
  type FieldPlanDeclaration,
  type FieldStrategy,
  fieldPlanSchema,
  type SearchCondition,
} from './fields/plan.js';
export type { EndpointLimits, FieldRecord, FieldRecordApi } from './fields/record-api.js';
export { PlanError, type ResolvedMapping, resolveMappings } from './fields/resolve.js';
export {
  type NamedTransform,
  namedTransform,
  TransformError,
  type TransformFunction,
} from './fields/transforms.js';
export { type ChangesListing, changes, nextChangeCursor, type Stamped } from './migration/changes.js';
export { defineMigration, type Lookup, type MigrationDeclaration } from './migration/define.js';
export type { IncrementalDeclaration } from './migration/incremental.js';
export { fieldsRead, RecordRows } from './records/record-rows.js';
export { type Attempt, type Auth, type AuthContext, auth, type LoginAnswer } from './source/auth.js';
export { type Detail, fetchDetails, fetchEach } from './source/detail.js';
export { allPages, fetchPage, type ListedPage, type Listing, type Params } from './source/listing.js';
export {
  type AnswerReader,
  bodyLink,
  bodyNumber,
  header,
  linkHeaderNext,
  odataNextLink,
  type PageAnswer,
  type Paginator,
  paginate,
} from './source/paginate.js';
export { type RestApi, type RestApiDeclaration, RestClient, restApi } from './source/rest-api.js';
export { type Granularity, type WindowBounds, type WindowFilter, windowFilter } from './source/window.js';
export { Column, columns } from './target/columns.js';
export { type Route, type RoutedTarget, routedTarget, type Targets } from './target/routes.js';
export { createTable, type RowOf, type Table, table, writtenColumns } from './target/table.js';
export {
  type ChildTable,
  type DimensionTable,
  defineTarget,
  prepareTarget,
  type Target,
} from './target/target.js';
export {
  type DimensionIds,
  type TargetRows,
  type TargetWriteCounts,
  writeDimensions,
  writeTarget,
  writeTargets,
} from './target/write.js';
