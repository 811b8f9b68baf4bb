import { FerryError } from '../../errors.js';
import { getMigration } from '../../migrations/registry.js';
import {
  countDeadLetters,
  type DeadLetter,
  type DeadLetterFilter,
  discardDeadLetters,
  listDeadLetters,
} from '../../target/dead-letters.js';
import { runOptionsOf } from '../backfill.js';
import { withDatabase } from '../database.js';
import { retryDeadLetters } from '../dead-letters.js';
import { formatTable, note, printResult, utcSeconds } from '../output.js';
import { readPlanFile } from '../plan-file.js';
import { withClient } from '../temporal.js';

interface FilterOptions {
  run?: string;
  class?: string;
  id?: string[];
  json: boolean;
}

function filterOf(options: FilterOptions, migration?: string): Omit<DeadLetterFilter, 'state'> {
  const ids = options.id?.map((raw) => {
    if (!/^\d+$/.test(raw)) throw new FerryError(`Invalid option --id: '${raw}' is not a dead-letter id`);
    return Number(raw);
  });
  return {
    ...(migration ? { migration: getMigration(migration).name } : {}),
    ...(options.run ? { runId: options.run } : {}),
    ...(options.class ? { errorClass: options.class } : {}),
    ...(ids ? { ids } : {}),
  };
}

const stateOf = (letter: DeadLetter) => letter.resolution ?? 'open';

export async function runDeadLetterList(
  options: FilterOptions & { migration?: string; resolved: boolean; all: boolean; limit: number },
) {
  const filter: DeadLetterFilter = {
    ...filterOf(options, options.migration),
    state: options.all ? 'all' : options.resolved ? 'resolved' : 'open',
  };
  await withDatabase(async (db) => {
    const [letters, total] = await Promise.all([
      listDeadLetters(db, filter, { limit: options.limit }),
      countDeadLetters(db, filter),
    ]);
    printResult(options.json, { total, deadLetters: letters }, () => {
      if (letters.length === 0) return `no ${filter.state === 'all' ? '' : `${filter.state} `}dead letters`;
      const table = formatTable(
        ['ID', 'MIGRATION', 'KEY', 'CLASS', 'ATTEMPTS', 'LAST SEEN (UTC)', 'STATE', 'REASON'],
        letters.map((letter) => [
          String(letter.id),
          letter.migration,
          letter.sourceKey,
          letter.errorClass,
          String(letter.attempts),
          utcSeconds(letter.lastSeenAt.toISOString()),
          stateOf(letter),
          letter.errorMessage,
        ]),
      );
      const more = total > letters.length ? `\n(${total - letters.length} more; raise --limit)` : '';
      return `${table}${more}`;
    });
  });
}

export async function runDeadLetterShow(id: number, options: { json: boolean }) {
  await withDatabase(async (db) => {
    const [letter] = await listDeadLetters(db, { ids: [id], state: 'all' }, { limit: 1, withPayload: true });
    if (!letter) throw new FerryError(`No dead letter ${id}; \`ferry dlq list --all\` lists them`);
    printResult(options.json, letter, () =>
      [
        `dead letter ${letter.id}: ${letter.migration} ${letter.sourceKey} (${stateOf(letter)})`,
        `  run ${letter.runId}${letter.partitionKey ? `, partition ${letter.partitionKey}` : ''}`,
        `  ${letter.errorClass}: ${letter.errorMessage}`,
        `  attempts ${letter.attempts}, first seen ${utcSeconds(letter.firstSeenAt.toISOString())}, last seen ${utcSeconds(letter.lastSeenAt.toISOString())} UTC`,
        `  payload: ${JSON.stringify(letter.payload, null, 2)}`,
      ].join('\n'),
    );
  });
}

export async function runDeadLetterRetry(
  migration: string,
  options: FilterOptions & { connection?: string; plan?: string },
) {
  const filter = filterOf(options);
  const plan = options.plan === undefined ? undefined : await readPlanFile(options.plan);
  // A migration that needs a plan says so before Temporal is contacted.
  runOptionsOf(getMigration(migration), plan === undefined ? undefined : { plan });
  await withClient(async (client, config) => {
    note(`retrying the open dead letters of ${migration} on the workers...`);
    const result = await retryDeadLetters(client, config.taskQueue, {
      migration,
      connection: options.connection,
      filter,
      ...(plan === undefined ? {} : { options: { plan } }),
    });
    printResult(
      options.json,
      result,
      () =>
        `${result.workflowId}: retried ${result.retried}: ${result.resolved} written, ${result.stillFailing} still failing, ` +
        `${result.notAtSource} no longer at the source`,
    );
    if (result.stillFailing > 0 || result.notAtSource > 0) process.exitCode = 1;
  });
}

export async function runDeadLetterDiscard(migration: string, options: FilterOptions) {
  const filter = filterOf(options, migration);
  await withDatabase(async (db) => {
    const discarded = await discardDeadLetters(db, filter);
    printResult(options.json, { discarded }, () => `discarded ${discarded} dead letters of ${migration}`);
  });
}
