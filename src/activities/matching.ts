import { CancelledFailure, Context, heartbeat } from '@temporalio/activity';
import { checkInputs, stageInputs, type TableInputs } from '../matching/inputs.js';
import { findCustomers, matchPartition, type StepCounts } from '../matching/partition.js';
import { type MatchRules, matchRulesSchema } from '../matching/rules.js';
import { upgradeMatchingSchema } from '../matching/schema.js';
import type { BucketRange } from '../matching/sql.js';
import type { ActivityDeps } from './deps.js';
import { mapFailures } from './failures.js';

export interface MatchStepInput {
  runId: string;
  range: BucketRange;
  rules: MatchRules;
}

/** A single statement can run for a while (a million rows): heartbeats go on meanwhile, so a lost worker shows. */
async function beating<T>(body: () => Promise<T>): Promise<T> {
  const timer = setInterval(() => heartbeat(), 5_000);
  try {
    return await mapFailures(body);
  } finally {
    clearInterval(timer);
  }
}

export function createMatchActivities(deps: ActivityDeps) {
  return {
    /** Creates the matching tables if need be and stages what the inputs hold that was not staged before. */
    stageMatchInputs: (inputs: TableInputs) =>
      beating(async () => {
        await upgradeMatchingSchema(deps.db);
        await checkInputs(deps.db, inputs);
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
