import { createBackfillActivities } from './backfill.js';
import { createCsvActivities } from './csv.js';
import { createDeadLetterActivities } from './dead-letters.js';
import type { ActivityDeps } from './deps.js';
import { createMatchActivities } from './matching.js';
import { createSourceScope } from './source-scope.js';
import { createStackCheckActivities } from './stack-check.js';
import { createSyncActivities } from './sync.js';
import { createVerifyActivities } from './verify.js';

export type { ActivityDeps } from './deps.js';
export type { DatabaseCheck, SourceCheck } from './stack-check.js';

export function createActivities(deps: ActivityDeps) {
  const withMigration = createSourceScope(deps);
  return {
    ...createStackCheckActivities(deps),
    ...createBackfillActivities(deps, withMigration),
    ...createSyncActivities(deps, withMigration),
    ...createDeadLetterActivities(deps, withMigration),
    ...createVerifyActivities(deps, withMigration),
    ...createMatchActivities(deps),
    ...createCsvActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
