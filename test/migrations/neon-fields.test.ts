import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { stringify } from 'yaml';
import { startBackfill } from '../../src/client/backfill.js';
import { neon } from '../../src/connectors/neon/api.js';
import { defineFieldMigration } from '../../src/kit/fields/define-field-migration.js';
import type { FieldPlanDeclaration } from '../../src/kit/fields/plan.js';
import { getMigration, registerMigrations } from '../../src/migrations/registry.js';
import { type NeonEmulator, startNeonEmulator } from '../../src/sandbox/emulators/neon/server.js';
import { accountView, expectedView, generatedView, vFieldPlan } from '../../src/sandbox/neon-v-fields.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { runCli } from '../helpers/run-cli.js';
import { startTestWorker, type TestWorker } from '../helpers/worker.js';

const ACCOUNTS = 2000;
const SEED = 13;
let emulator: NeonEmulator;
let database: TestDatabase;
let worker: TestWorker;
let runs = 0;
/** Organisations of their own for the other strategies, as generated (the same seed). */
const OTHER_ACCOUNTS = 600;
const others = {} as { b: NeonEmulator; c: NeonEmulator; d: NeonEmulator; e: NeonEmulator };
let directory: string;
let env: NodeJS.ProcessEnv;

const PLAN: FieldPlanDeclaration = vFieldPlan();
const expectedAccount = (index: number) => expectedView(SEED, index);
const asGenerated = (index: number) => generatedView(SEED, index);
/** The account as an emulator holds it now, in the same form. */
const actualAccount = (id: number, at: NeonEmulator = emulator) =>
  accountView((field) => at.valueOf(id, field));

/** A run's summary as `ferry start` prints it with --json. */
const summaryOf = async (runId: string) => {
  const summarize = getMigration('neon-fields', { plan: PLAN }).summarizeRun;
  if (!summarize) throw new Error('neon-fields has no run summary');
  return (await summarize(database.db, runId)).json as {
    calls: Record<string, { calls: number; rateLimited: number }>;
    callsPerRecord: number;
    recommendation: { strategy: string; why: string };
  };
};
const runId = () => `test/neon-fields-${Date.now()}-${++runs}`;
/** A plan as a user writes it: a YAML file. */
const planFile = async (name: string, plan: unknown) => {
  const path = join(directory, name);
  await writeFile(path, stringify(plan));
  return path;
};

const run = async (options: { apply?: boolean; plan?: FieldPlanDeclaration; connection?: string } = {}) => {
  const handle = await startBackfill(worker.client, worker.taskQueue, {
    migration: 'neon-fields',
    ...(options.connection ? { connection: options.connection } : {}),
    id: runId(),
    options: { plan: options.plan ?? PLAN },
    apply: options.apply ?? false,
  });
  return { handle, report: await handle.result() };
};
const writes = () => emulator.endpoints.write.requests;

beforeAll(async () => {
  emulator = await startNeonEmulator({ accounts: ACCOUNTS, seed: SEED });
  others.b = await startNeonEmulator({ accounts: OTHER_ACCOUNTS, seed: SEED });
  others.c = await startNeonEmulator({ accounts: OTHER_ACCOUNTS, seed: SEED });
  others.d = await startNeonEmulator({ accounts: OTHER_ACCOUNTS, seed: SEED });
  others.e = await startNeonEmulator({ accounts: OTHER_ACCOUNTS, seed: SEED });

  database = await createTestDatabase();
  worker = await startTestWorker(database.db, {
    neon: emulator.connection,
    'neon-b': others.b.connection,
    'neon-c': others.c.connection,
    'neon-d': others.d.connection,
    'neon-e': others.e.connection,
  });
  directory = await mkdtemp(join(tmpdir(), 'ferry-neon-'));
  env = {
    DATABASE_URL: database.url,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    FERRY_TASK_QUEUE: worker.taskQueue,
    FERRY_HOME: '/nonexistent',
  };
}, 120_000);
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
  await worker?.stop();
  await emulator?.close();
  await others.b?.close();
  await others.c?.close();
  await others.d?.close();
  await others.e?.close();
  await database?.drop();
});

describe('neon-fields (real Temporal and PostgreSQL, Neon CRM emulator)', () => {
  it('names every mistake of a plan file, before anything is written', async () => {
    const before = writes();
    const bad = await planFile('bad.yaml', {
      select: PLAN.select,
      mappings: [
        { from: 'V_Shoe_Size', to: 'Notes', strategy: 'REPLACE' },
        { from: 'V_Interests', to: 'Lifetime Giving', strategy: 'REPLACE' },
        {
          from: 'V_Volunteer',
          to: 'Membership Level',
          strategy: 'TRANSFORM',
          transform: { map: { Y: 'Diamond' } },
        },
      ],
    });
    const failed = await runCli(
      ['start', 'neon-fields', '--plan', bad, '--apply', '--id', runId()],
      env,
      120_000,
    );
    expect(failed.code).toBe(1);
    const output = failed.stdout + failed.stderr;
    expect(output).toContain('mapping 1 (V_Shoe_Size → Notes): there is no field "V_Shoe_Size"');
    expect(output).toContain(
      'mapping 2 (V_Interests → Lifetime Giving): REPLACE cannot write V_Interests (multi-select) into Lifetime Giving (number)',
    );
    expect(output).toContain('mapping 3 (V_Volunteer → Membership Level): option "Diamond" does not exist');
    expect(writes()).toBe(before);

    // A file that is not a plan at all is refused before Temporal is contacted.
    const malformed = await planFile('malformed.yaml', {
      select: PLAN.select,
      mappings: [{ from: 'a', to: 'b', strategy: 'COPY' }],
    });
    const refused = await runCli(['start', 'neon-fields', '--plan', malformed], {
      ...env,
      TEMPORAL_ADDRESS: '127.0.0.1:1',
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('The plan for neon-fields is not valid');
    expect(refused.stderr).toContain('mappings[0].strategy');
  });

  it('runs dry by default: what would change, per field, before → after, and no write', async () => {
    const before = writes();
    const file = await planFile('plan.yaml', PLAN);
    const dryId = runId();
    const dry = await runCli(['start', 'neon-fields', '--plan', file, '--id', dryId], env, 120_000);
    expect(dry.code, dry.stderr).toBe(0);
    expect(writes()).toBe(before);
    const changing = Array.from({ length: ACCOUNTS }, (_, index) => index).filter((index) => {
      const expected = expectedAccount(index);
      const now = actualAccount(index + 1);
      return JSON.stringify(expected) !== JSON.stringify(now);
    });
    expect(dry.stdout).toContain(`${changing.length} of ${ACCOUNTS} records would change`);
    expect(dry.stdout).toMatch(/ {2}Interests \(81\): \d+ records\n {4}#\d+: /);
    expect(dry.stdout).toContain('nothing was written: run again with --apply to write');
    // Later, from its id alone: the same account of what the run found.
    const status = await runCli(['status', dryId], env);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain(`${changing.length} of ${ACCOUNTS} records would change`);

    const asJson = await runCli(
      ['start', 'neon-fields', '--plan', file, '--id', runId(), '--json'],
      env,
      120_000,
    );
    const summary = (
      JSON.parse(asJson.stdout) as {
        summary: {
          outcomes: Record<'planned' | 'unchanged', number>;
          fields: { name: string; records: number }[];
        };
      }
    ).summary;
    expect(summary.outcomes).toMatchObject({
      planned: changing.length,
      unchanged: ACCOUNTS - changing.length,
    });
    expect(summary.fields.map((field) => field.name).sort()).toEqual([
      'Email 1',
      'First Gift Date',
      'Interests',
      'Lifetime Giving',
      'Membership Level',
      'Notes',
      'Volunteer',
    ]);
  });

  it('applies the plan exact, one PATCH per changed account within the limits, and a second run writes nothing', async () => {
    const before = writes();
    const searchesBefore = emulator.endpoints.search.requests;
    const { handle, report } = await run({ apply: true });
    for (let index = 0; index < ACCOUNTS; index++) {
      expect(actualAccount(index + 1), `account ${index + 1}`).toEqual(expectedAccount(index));
    }
    const written = writes() - before;
    expect(report.records.updated).toBe(written);
    expect(report.records.deadLettered).toBe(0);
    expect(emulator.endpoints.write.peakConcurrent).toBeLessThanOrEqual(5);
    expect(emulator.endpoints.search.peakConcurrent).toBe(1);
    expect(emulator.endpoints.write.overLimit + emulator.endpoints.search.overLimit).toBe(0);
    // Reads: a search page per 200 accounts, the empty page after them, and a count when the run is planned.
    expect(emulator.endpoints.search.requests - searchesBefore).toBe(ACCOUNTS / 200 + 2);

    const json = await summaryOf(handle.firstExecutionRunId);
    expect(json.calls.write).toEqual({ calls: written, rateLimited: 0 });
    expect(json.calls.search?.calls).toBe(ACCOUNTS / 200 + 1);
    expect(json.callsPerRecord).toBeLessThanOrEqual(1.05);
    expect(json.recommendation.strategy).toBe('hybrid');
    expect(json.recommendation.why).toContain(`${written} records to write, 5 at a time`);

    const again = writes();
    const second = await run({ apply: true });
    expect(writes()).toBe(again);
    expect(second.report.records.unchanged).toBe(ACCOUNTS);
  });

  it('ferry verify compares every mapped field with what the plan implies, and --repair writes what differs', async () => {
    const file = await planFile('verify.yaml', PLAN);
    const ok = await runCli(['verify', 'neon-fields', '--plan', file], env, 120_000);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain(
      `neon-fields: OK, every mapped field of ${ACCOUNTS} records is what the plan implies`,
    );

    // Someone clears a field the plan fills, behind the migration's back.
    const id = Array.from({ length: ACCOUNTS }, (_, index) => index + 1).find(
      (n) => emulator.valueOf(n, '77') !== null,
    );
    const key = emulator.store.get(id as number)?.type === 'COMPANY' ? 'companyAccount' : 'individualAccount';
    const edited = await fetch(`${emulator.controlUrl}/accounts/${id}`, {
      method: 'PATCH',
      body: JSON.stringify({ [key]: { accountCustomFields: [{ id: '86', optionValues: [] }] } }),
    });
    expect(edited.status).toBe(200);
    const differs = await runCli(['verify', 'neon-fields', '--plan', file], env, 120_000);
    expect(differs.code).toBe(1);
    expect(differs.stdout).toContain(
      `DIFFERENCES FOUND, 1 of ${ACCOUNTS} records differ from what the plan implies`,
    );
    expect(differs.stdout).toContain('Volunteer (86): 1 records');

    const repaired = await runCli(['verify', 'neon-fields', '--plan', file, '--repair'], env, 180_000);
    expect(repaired.code, repaired.stdout + repaired.stderr).toBe(0);
    expect(actualAccount(id as number)).toEqual(expectedAccount((id as number) - 1));
  });

  it('put_batch writes one account at a time; parallel reads accounts named by id one by one; both exact', async () => {
    const put = await run({ apply: true, plan: { ...PLAN, strategy: 'put_batch' }, connection: 'neon-b' });
    expect(put.report.records.updated).toBeGreaterThan(0);
    expect(others.b.endpoints.write.peakConcurrent).toBe(1);
    for (let index = 0; index < OTHER_ACCOUNTS; index++) {
      expect(actualAccount(index + 1, others.b), `account ${index + 1}`).toEqual(expectedAccount(index));
    }

    const ids = Array.from({ length: 50 }, (_, index) => index * 7 + 1);
    const parallel = await run({ apply: true, plan: { ...PLAN, select: { ids } }, connection: 'neon-c' });
    expect(parallel.report.records.fetched).toBe(ids.length);
    // Named by id: no search, one read each (and the final check's sample of 100 keys reads them again).
    expect(others.c.endpoints.search.requests).toBe(0);
    expect(others.c.endpoints.read.peakConcurrent).toBeLessThanOrEqual(5);
    for (let index = 0; index < OTHER_ACCOUNTS; index++) {
      const named = ids.includes(index + 1);
      const want = named ? expectedAccount(index) : asGenerated(index);
      expect(actualAccount(index + 1, others.c), `account ${index + 1}`).toEqual(want);
    }
  });

  it('selects by the field it fills (Email 1 BLANK), under 429s: the search shrinks under the run, which still ends exact and counts the 429s', async () => {
    const blank = Array.from({ length: OTHER_ACCOUNTS }, (_, index) => index + 1).filter(
      (id) => others.d.valueOf(id, 'Email 1') === null,
    );
    const filled = blank.filter((id) => others.d.valueOf(id, '71') !== null);
    // And some requests answered 429 whatever the load (another client holding Neon's slots): each waits and goes
    // again, the run's pace stays, and the run's report counts them.
    const faults = (body: unknown) =>
      fetch(`${others.d.controlUrl}/faults`, { method: 'PUT', body: JSON.stringify(body) });
    // One in eight: at one in twenty, a run of a few dozen requests met none now and then.
    await faults({ tooManyRequestsRate: 0.12, stormRetryAfter: '0' });
    const { handle, report } = await run({
      apply: true,
      connection: 'neon-d',
      plan: {
        select: { search: [{ field: 'Email 1', operator: 'BLANK' }] },
        mappings: [{ from: 'V_Email', to: 'Email 1', strategy: 'COPY_IF_EMPTY' }],
      },
    });
    expect(report).toMatchObject({ state: 'completed', problems: [] });
    expect(report.records).toMatchObject({ fetched: blank.length, updated: filled.length, deadLettered: 0 });
    for (const id of filled) expect(others.d.valueOf(id, 'Email 1')).toBe(others.d.valueOf(id, '71'));
    await faults({ tooManyRequestsRate: 0 });
    const answered429 = Object.values(others.d.endpoints).reduce(
      (sum, log) => sum + (log.byStatus['429'] ?? 0),
      0,
    );
    const { calls } = await summaryOf(handle.firstExecutionRunId);
    const counted = Object.values(calls).reduce((sum, entry) => sum + entry.rateLimited, 0);
    expect(answered429).toBeGreaterThan(0);
    // Every 429 of the chunks; the count and the field descriptions when the run was planned are outside them.
    expect(counted).toBeGreaterThanOrEqual(answered429 - 2);
    expect(counted).toBeLessThanOrEqual(answered429);
  });

  it("dead-letters a write the API refuses, with the API's answer; ferry dlq retry --plan writes it and closes the letter", async () => {
    const plan: FieldPlanDeclaration = {
      select: { search: [{ field: 'Account ID', operator: 'GREATER_THAN', value: '0' }] },
      mappings: [{ from: 'V_Email', to: 'Email 1', strategy: 'COPY_IF_EMPTY' }],
    };
    const id = Array.from({ length: OTHER_ACCOUNTS }, (_, index) => index + 1).find(
      (n) => others.e.valueOf(n, 'Email 1') === null && others.e.valueOf(n, '71') !== null,
    ) as number;
    const lock = (locked: boolean) =>
      fetch(`${others.e.controlUrl}/accounts/${id}/locked`, {
        method: 'PUT',
        body: JSON.stringify({ locked }),
      });
    expect((await lock(true)).status).toBe(200);
    const first = await run({ apply: true, connection: 'neon-e', plan });
    expect(first.report).toMatchObject({ state: 'completed', problems: [] });
    expect(first.report.records.deadLettered).toBe(1);
    const letter = () =>
      database
        .db('ferry_dead_letters')
        .where({ migration: 'neon-fields', source_key: String(id) })
        .first();
    expect((await letter())?.error_message).toBe(
      `Neon CRM answered 409 for /v2/accounts/${id}: Account ${id} is being edited by another user; try again later`,
    );
    expect(others.e.valueOf(id, 'Email 1')).toBeNull();

    // Without its plan a retry cannot write the record, and says so before anything starts.
    const planless = await runCli(['dlq', 'retry', 'neon-fields', '--connection', 'neon-e'], env);
    expect(planless.code).toBe(1);
    expect(planless.stderr).toContain('--plan FILE');

    await lock(false);
    const file = await planFile('retry.yaml', plan);
    const retry = await runCli(
      ['dlq', 'retry', 'neon-fields', '--connection', 'neon-e', '--plan', file, '--json'],
      env,
      120_000,
    );
    expect(retry.code, retry.stderr).toBe(0);
    expect(JSON.parse(retry.stdout)).toMatchObject({ retried: 1, resolved: 1, stillFailing: 0 });
    expect(others.e.valueOf(id, 'Email 1')).toBe(others.e.valueOf(id, '71'));
    expect((await letter())?.resolved_at).not.toBeNull();
    const second = await run({ apply: true, connection: 'neon-e', plan });
    expect(second.report.records).toMatchObject({ updated: 0, deadLettered: 0 });
  });

  it('runs a plan declared in TypeScript, a function as its transform', async () => {
    registerMigrations([
      {
        from: 'this test',
        migration: defineFieldMigration({
          name: 'neon-preferred-names',
          description: 'nicknames into Preferred Name, in capitals',
          connection: 'neon-e',
          records: neon.accounts,
          plan: {
            select: { search: [{ field: 'Account ID', operator: 'GREATER_THAN', value: '0' }] },
            mappings: [
              {
                from: 'V_Nickname',
                to: 'Preferred Name',
                strategy: 'TRANSFORM',
                transform: (value) => (typeof value === 'string' ? value.toUpperCase() : value),
              },
            ],
          },
        }),
      },
    ]);
    const handle = await startBackfill(worker.client, worker.taskQueue, {
      migration: 'neon-preferred-names',
      id: runId(),
      apply: true,
    });
    expect((await handle.result()).problems).toEqual([]);
    for (let id = 1; id <= OTHER_ACCOUNTS; id++) {
      const nickname = others.e.valueOf(id, '72');
      expect(others.e.valueOf(id, 'Preferred Name')).toBe(nickname === null ? null : nickname.toUpperCase());
    }
  });
});
