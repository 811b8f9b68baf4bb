import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Custom search attributes every ferry workflow sets, so operators can filter runs in the Web UI and CLI. */
export const FERRY_MIGRATION = defineSearchAttributeKey('FerryMigration', SearchAttributeType.KEYWORD);
export const FERRY_KIND = defineSearchAttributeKey('FerryKind', SearchAttributeType.KEYWORD);

export const FERRY_SEARCH_ATTRIBUTES = [FERRY_MIGRATION, FERRY_KIND];
