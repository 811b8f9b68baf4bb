/**
 * ferry's public API: `import { … } from 'ferry'`. What is exported here is what users build on; nothing else
 * under src/ is meant to be imported by path. The kit (today: declared targets) is part of it.
 */

export type { ActivityDeps } from './activities/deps.js';
export { type BackfillOptions, resolveBackfill, startBackfill } from './client/backfill.js';
export { type RunStatus, readRunStatus, summarize } from './client/run-status.js';
export { type CreateScheduleOptions, createSyncSchedule } from './client/schedules.js';
export { connectClient, connectWorkerConnection, withClient } from './client/temporal.js';
export { type FerryConfig, loadConfig, resolveSourceConnection } from './config.js';
export type { SourceConnection } from './connectors/connection.js';
export { FerryError } from './errors.js';
export * from './kit/index.js';
export { isMigration, loadMigrationModules } from './migrations/load.js';
export { getMigration, loadMigrations, migrationNames, registerMigrations } from './migrations/registry.js';
export type { Migration, TimeWindow } from './migrations/types.js';
export { connectDb } from './target/db.js';
export { upgradeEngineSchema } from './target/schema.js';
export { createFerryWorker, type FerryWorkerOptions } from './worker.js';
export type { BackfillProgress, RecordCounts } from './workflows/messages.js';
