import { neon } from '../../connectors/neon/api.js';
import { defineFieldMigration } from '../../kit/fields/define-field-migration.js';

/**
 * Fields of Neon CRM accounts moved, merged or transformed by a plan the run names (`ferry start neon-fields
 * --plan plan.yaml`): a dry run unless `--apply`. A team with a plan of its own in TypeScript declares it the same
 * way, with `plan`.
 */
export const neonFields = defineFieldMigration({
  name: 'neon-fields',
  description: 'Neon CRM account fields rewritten in place by a plan (a dry run unless --apply)',
  connection: 'neon',
  records: neon.accounts,
});
