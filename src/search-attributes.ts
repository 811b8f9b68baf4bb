import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Custom search attributes every ferry workflow sets, so operators can filter runs in the Web UI and CLI. */
export const FERRY_MIGRATION = defineSearchAttributeKey('FerryMigration', SearchAttributeType.KEYWORD);
export const FERRY_KIND = defineSearchAttributeKey('FerryKind', SearchAttributeType.KEYWORD);

export const FERRY_SEARCH_ATTRIBUTES = [FERRY_MIGRATION, FERRY_KIND];

/** Set by Temporal on every workflow a schedule starts: the time the schedule meant it to start. */
export const SCHEDULED_START_TIME = defineSearchAttributeKey(
  'TemporalScheduledStartTime',
  SearchAttributeType.DATETIME,
);
