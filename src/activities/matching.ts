import { CancelledFailure, Context, heartbeat } from '@temporalio/activity';
import { checkInputs, recordMatchRun, stageInputs, type TableInputs } from '../matching/inputs.js';
import { findCustomers, matchPartition, type StepCounts } from '../matching/partition.js';
import { type MatchRules, matchRulesSchema } from '../matching/rules.js';
import { upgradeMatchingSchema } from '../matching/schema.js';
import type { BucketRange } from '../matching/sql.js';
import type { ActivityDeps } from './deps.js';
import { beating } from './heartbeat.js';

export interface MatchStepInput {
  runId: string;
  range: BucketRange;
  rules: MatchRules;
}

export function createMatchActivities(deps: ActivityDeps) {
  return {
    /** Creates the matching tables if need be and stages what the inputs hold that was not staged before. */
    stageMatchInputs: (inputs: TableInputs, run?: { runId: string; rules: MatchRules; partitions: number }) =>
      beating(async () => {
        await upgradeMatchingSchema(deps.db);
        await checkInputs(deps.db, inputs);
        // Absent when a run started by an earlier ferry calls it: its report then settles no remnant.
        if (run) await recordMatchRun(deps.db, run);
        return stageInputs(deps.db, inputs);
      }),

    /** Finds the customers of one range of payments. */
    findMatchCustomers: (input: MatchStepInput): Promise<StepCounts> =>
      beating(() => findCustomers(deps.db, input.runId, input.range, matchRulesSchema.parse(input.rules))),

    /** Every rule over one partition of customers; a heartbeat after each, with the rules done so far. */
    matchPartition: (input: MatchStepInput): Promise<Record<string, StepCounts>> =>
      beating(() =>
        matchPartition(deps.db, input.runId, input.range, matchRulesSchema.parse(input.rules), (rule) => {
          heartbeat(rule);
          // Cancelled (the run was): stop between rules, each committed or not begun.
          if (Context.current().cancellationSignal.aborted) throw new CancelledFailure('match run cancelled');
        }),
      ),
  };
}
