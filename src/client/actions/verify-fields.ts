import { FerryError } from '../../errors.js';
import { resolveBackfill } from '../backfill.js';
import { printResult } from '../output.js';
import { readPlanFile } from '../plan-file.js';
import { summarize } from '../run-status.js';
import { withClient } from '../temporal.js';
import { runToTheEnd } from './start.js';

interface Outcomes {
  outcomes: { planned: number; unchanged: number; written: number; failed: number };
}

/**
 * `ferry verify` of a migration that writes back into an API: every record its plan selects is read again and
 * every mapped field compared with what the plan implies (a dry run that must find nothing to change). With
 * `--repair`, a run that applies the plan follows, and then the comparison again.
 */
export async function verifyFields(
  migration: string,
  options: { plan?: string; repair: boolean; connection?: string; json: boolean },
): Promise<void> {
  if (!options.plan) throw new FerryError(`ferry verify ${migration} compares with a plan: --plan FILE`);
  const plan = await readPlanFile(options.plan);
  const resolve = (apply: boolean) =>
    resolveBackfill({
      migration,
      options: { plan },
      apply,
      verifySample: 0,
      id: `ferry/${migration}/${apply ? 'repair' : 'verify'}/${new Date().toISOString()}`,
      ...(options.connection ? { connection: options.connection } : {}),
    });
  resolve(false); // the plan is checked before Temporal is contacted
  await withClient(async (client, config) => {
    const compare = async () => {
      const run = await runToTheEnd(client, config.taskQueue, resolve(false));
      const outcomes = (run.summary?.json as Outcomes | undefined)?.outcomes;
      const differing = outcomes ? outcomes.planned : Number.NaN;
      return { ...run, differing, ok: run.status.state === 'completed' && differing === 0 };
    };
    let check = await compare();
    let repaired: Awaited<ReturnType<typeof runToTheEnd>> | undefined;
    if (!check.ok && options.repair && check.status.state === 'completed') {
      repaired = await runToTheEnd(client, config.taskQueue, resolve(true));
      check = await compare();
    }
    const lines = [
      check.ok
        ? `${migration}: OK, every mapped field of ${check.status.records?.fetched ?? 0} records is what the plan implies`
        : `${migration}: DIFFERENCES FOUND, ${check.differing} of ${check.status.records?.fetched ?? 0} records differ from what the plan implies`,
      ...(check.ok ? [] : (check.summary?.lines ?? [summarize(check.status)])),
      ...(repaired
        ? [
            `repaired by ${repaired.status.workflowId}: ${repaired.status.records?.updated ?? 0} records written`,
          ]
        : []),
      ...(!check.ok && !options.repair ? ['repair with --repair (it writes what differs)'] : []),
    ];
    printResult(
      options.json,
      {
        ok: check.ok,
        differing: check.differing,
        summary: check.summary?.json,
        repaired: repaired?.summary?.json,
      },
      () => lines.join('\n'),
    );
    if (!check.ok) process.exitCode = 1;
  });
}
