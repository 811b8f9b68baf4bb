import { resolve } from 'node:path';
import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { Knex } from 'knex';
import { FerryError } from '../errors.js';
import { csvTable } from '../kit/csv/declaration.js';
import { checkCsvFile } from '../kit/csv/load.js';
import { csvInputLoads } from '../matching/csv-inputs.js';
import { type MatchDeclarationInput, matchDeclarationSchema } from '../matching/declaration.js';
import type { InputKind } from '../matching/input-kinds.js';
import { checkInputs, type MatchInputs } from '../matching/inputs.js';
import type { match } from '../workflows/match.js';
import { parseDeclaration } from './declaration.js';

/** A match run's workflow id: time-ordered, so `ferry list` and the Web UI show the latest first. */
export const matchRunId = () => `ferry/match/${new Date().toISOString()}`;

/** Validates a declaration (every problem named at once) before Temporal is contacted. */
export const parseMatchDeclaration = (declaration: unknown) =>
  parseDeclaration(matchDeclarationSchema, declaration, 'match declaration');

/**
 * The inputs' CSV files made absolute (a relative path is taken from `base`, the declaration's folder: the worker
 * may run elsewhere), each checked to be there with every column the match reads; the tables' columns checked.
 */
export async function prepareMatchInputs(db: Knex, inputs: MatchInputs, base: string): Promise<MatchInputs> {
  const absolute = <K extends InputKind>(kind: K): MatchInputs[K] => {
    const input = inputs[kind];
    return input.csv === undefined ? input : { ...input, csv: resolve(base, input.csv) };
  };
  const resolved: MatchInputs = {
    ...inputs,
    customers: absolute('customers'),
    invoices: absolute('invoices'),
    payments: absolute('payments'),
  };
  for (const load of csvInputLoads(resolved)) await checkCsvFile(load.file, csvTable(load.target));
  await checkInputs(db, resolved);
  return resolved;
}

export async function startMatch(
  client: Client,
  taskQueue: string,
  declaration: MatchDeclarationInput,
  id = matchRunId(),
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof match>> {
  const { inputs, rules, partitions, concurrency } = parseMatchDeclaration(declaration);
  try {
    return await client.workflow.start('match', {
      taskQueue,
      workflowId: id,
      args: [{ inputs, rules, partitions, concurrency }],
      // A run's steps are recorded under its id: an id reused after a failed, cancelled or terminated run resumes
      // it where it stopped, but one that completed would skip every step and match nothing new.
      workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
    });
  } catch (error) {
    if ((error as Error).name === 'WorkflowExecutionAlreadyStartedError') {
      throw new FerryError(
        `Match run ${id} is running or has completed; a completed run's id cannot be used again (its steps are recorded as done): start a new run without --id`,
      );
    }
    throw error;
  }
}
