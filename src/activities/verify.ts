import { valueAt } from '../kit/records/field-path.js';
import type { DryRunDifference } from '../migrations/types.js';
import type { ActivityDeps } from './deps.js';
import type { SourceInput, WithMigration } from './source-scope.js';

export interface SampleInput extends SourceInput {
  /** Records to compare; 0 compares none. */
  sample: number;
  /** Write the records that differ as the source has them now (`ferry verify --repair`). */
  repair: boolean;
}

/** What the comparison of a random sample found; keys and column names only, never values. */
export interface SampleResult {
  sampled: number;
  /** Records whose target rows differ from what the source's record becomes (columns of the record's own row). */
  differences: DryRunDifference[];
  /** Keys in the target that the source no longer has. */
  notAtSource: string[];
  /** Records the source now sends broken: they would be dead-lettered. */
  brokenAtSource: number;
  /** Records written again from the source (with `repair`). */
  repaired: number;
}

/** Differences listed in full up to this many; a sample that finds more says so in its count. */
const MAX_LISTED = 200;

export function createVerifyActivities(deps: ActivityDeps, withMigration: WithMigration) {
  return {
    /**
     * Compares N random target records with the source, field by field: each is fetched by its key and written
     * through the migration's own transform and writer in a transaction that is rolled back, so "would update"
     * means the target differs from the source, in exactly the terms a real run uses (PostgreSQL's own
     * comparison of the column values). With `repair`, the records that differ are then written for real.
     */
    verifySample: (input: SampleInput): Promise<SampleResult> =>
      withMigration(input, async (migration, source, context) => {
        const union = migration.recordTables.map(() => 'select ??::text as key from ??').join(' union all ');
        const { rows } = await deps.db.raw<{ rows: { key: string }[] }>(
          `select key from (${union}) as records order by random() limit ?`,
          [...migration.recordTables.flatMap(({ table, key }) => [key, table]), input.sample],
        );
        const keys = rows.map((row) => row.key);
        const records = keys.length > 0 ? await migration.fetchByKeys(source, keys) : [];
        const counts =
          records.length > 0
            ? await migration.writeRecords(deps.db, source, records, {
                ...context,
                dryRun: true,
                differencesLimit: Number.POSITIVE_INFINITY,
              })
            : undefined;
        const differences = counts?.differences ?? [];
        const fetchedKeys = new Set(
          records.map((record) => String(valueAt(record, record, migration.recordKeyField))),
        );
        let repaired = 0;
        if (input.repair && differences.length > 0) {
          const wanted = new Set(differences.map((difference) => difference.key));
          const stale = records.filter((record) =>
            wanted.has(String(valueAt(record, record, migration.recordKeyField))),
          );
          const written = await migration.writeRecords(deps.db, source, stale, context);
          repaired = written.inserted + written.updated;
        }
        return {
          sampled: keys.length,
          differences: differences.slice(0, MAX_LISTED),
          notAtSource: keys.filter((sampledKey) => !fetchedKeys.has(sampledKey)).slice(0, MAX_LISTED),
          brokenAtSource: counts?.deadLettered ?? 0,
          repaired,
        };
      }),
  };
}
