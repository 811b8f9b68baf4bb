import { defineSearchAttributeKey, type SearchAttributePair, SearchAttributeType } from '@temporalio/common';

/** Custom search attributes every ferry workflow sets, so operators can filter runs in the Web UI and CLI. */
export const FERRY_MIGRATION = defineSearchAttributeKey('FerryMigration', SearchAttributeType.KEYWORD);
export const FERRY_KIND = defineSearchAttributeKey('FerryKind', SearchAttributeType.KEYWORD);

export const FERRY_SEARCH_ATTRIBUTES = [FERRY_MIGRATION, FERRY_KIND];

/** What `FerryKind` says of a run. */
export type FerryKind = 'backfill' | 'partition' | 'incremental' | 'dlq-retry' | 'verify';

/** The search attributes every ferry workflow starts with: its migration and what kind of run it is. */
export function ferrySearchAttributes(migration: string, kind: FerryKind): SearchAttributePair[] {
  return [
    { key: FERRY_MIGRATION, value: migration },
    { key: FERRY_KIND, value: kind },
  ];
}

/** Set by Temporal on every workflow a schedule starts: the time the schedule meant it to start. */
export const SCHEDULED_START_TIME = defineSearchAttributeKey(
  'TemporalScheduledStartTime',
  SearchAttributeType.DATETIME,
);
