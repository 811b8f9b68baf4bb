import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { stringify } from 'yaml';
import { startBackfill } from '../../src/client/backfill.js';
import type { FieldPlanDeclaration } from '../../src/kit/fields/plan.js';
import { getMigration } from '../../src/migrations/registry.js';
import { generateAccount } from '../../src/sandbox/emulators/neon/generator.js';
import { type NeonEmulator, startNeonEmulator } from '../../src/sandbox/emulators/neon/server.js';
import { displayValue } from '../../src/sandbox/emulators/neon/shapes.js';
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
const others = {} as { b: NeonEmulator; c: NeonEmulator };
let directory: string;
let env: NodeJS.ProcessEnv;

/** Eight mappings, every kind: COPY_IF_EMPTY, MERGE (options and text), ADD_OPTION, REPLACE, TRANSFORM (3). */
const PLAN: FieldPlanDeclaration = {
  select: { search: [{ field: 'Account ID', operator: 'GREATER_THAN', value: '0' }] },
  mappings: [
    { from: 'V_Email', to: 'Email 1', strategy: 'COPY_IF_EMPTY' },
    { from: 'V_Interests', to: 'Interests', strategy: 'MERGE' },
    {
      from: 'V_Volunteer',
      to: 'Interests',
      strategy: 'ADD_OPTION',
      option: 'Volunteering',
      when: { field: 'V_Volunteer', operator: 'IN', values: ['Y', 'yes'] },
    },
    { from: 'V_Member_Level', to: 'Membership Level', strategy: 'REPLACE' },
    { from: 'V_Donation_Total', to: 'Lifetime Giving', strategy: 'TRANSFORM', transform: 'number' },
    {
      from: 'V_First_Gift',
      to: 'First Gift Date',
      strategy: 'TRANSFORM',
      transform: { date: { format: 'M/D/YYYY' } },
    },
    { from: 'V_Notes', to: 'Notes', strategy: 'MERGE' },
    {
      from: 'V_Volunteer',
      to: 'Volunteer',
      strategy: 'TRANSFORM',
      transform: { map: { Y: 'Yes', yes: 'Yes', N: 'No', no: 'No' } },
    },
  ],
};

const amount = (value: string | null) => (value === null ? null : String(Number(value)));

/**
 * What the plan makes of an account, written out by hand from the account as generated (not through ferry's
 * mapping code), in the form a search shows values. Options are compared as sets, amounts as numbers.
 */
function expectedAccount(index: number): Record<string, string | null> {
  const account = generateAccount(SEED, index);
  const shown = (field: string) => displayValue(account, field);
  const legacy = (field: string) => shown(field) ?? undefined;
  const volunteer = legacy('77');
  const interests = new Set((shown('81') ?? '').split('|').filter(Boolean));
  for (const option of (shown('73') ?? '').split('|').filter(Boolean)) interests.add(option);
  if (volunteer === 'Y' || volunteer === 'yes') interests.add('Volunteering');
  const donation = legacy('75');
  const gift = legacy('76');
  const [month, day, year] = (gift ?? '').split('/').map(Number);
  const notes = shown('85');
  const vNotes = legacy('78');
  return {
    'Email 1': shown('Email 1') ?? legacy('71') ?? null,
    '81': interests.size > 0 ? [...interests].sort().join('|') : null,
    '82': legacy('74') ?? shown('82'),
    '83': amount(donation ? donation.replace(/[$,]/g, '') : shown('83')),
    '84': gift
      ? new Date(Date.UTC(year as number, (month as number) - 1, day)).toISOString().slice(0, 10)
      : shown('84'),
    '85': vNotes ? (notes ? (notes.includes(vNotes) ? notes : `${notes}; ${vNotes}`) : vNotes) : notes,
    '86': volunteer ? (volunteer === 'Y' || volunteer === 'yes' ? 'Yes' : 'No') : shown('86'),
  };
}

/** The account as generated, in the same form: what an account the plan does not select keeps. */
function asGenerated(index: number): Record<string, string | null> {
  const account = generateAccount(SEED, index);
  return view((field) => displayValue(account, field));
}

/** The account as an emulator holds it now, in the same form. */
function actualAccount(id: number, at: NeonEmulator = emulator): Record<string, string | null> {
  return view((field) => at.valueOf(id, field));
}

function view(value: (field: string) => string | null): Record<string, string | null> {
  const interests = value('81');
  return {
    'Email 1': value('Email 1'),
    '81': interests ? interests.split('|').sort().join('|') : null,
    '82': value('82'),
    '83': amount(value('83')),
    '84': value('84'),
    '85': value('85'),
    '86': value('86'),
  };
}

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
  const connectionTo = (at: NeonEmulator) => ({
    kind: 'neon',
    baseUrl: at.apiUrl,
    orgId: at.orgId,
    apiKey: at.apiKey,
  });
  database = await createTestDatabase();
  worker = await startTestWorker(database.db, {
    neon: connectionTo(emulator),
    'neon-b': connectionTo(others.b),
    'neon-c': connectionTo(others.c),
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
    const dry = await runCli(['start', 'neon-fields', '--plan', file, '--id', runId()], env, 120_000);
    expect(dry.code, dry.stderr).toBe(0);
    expect(writes()).toBe(before);
    const changing = Array.from({ length: ACCOUNTS }, (_, index) => index).filter((index) => {
      const expected = expectedAccount(index);
      const now = actualAccount(index + 1);
      return Object.keys(expected).some((field) => expected[field] !== now[field]);
    });
    expect(dry.stdout).toContain(`${changing.length} of ${ACCOUNTS} records would change`);
    expect(dry.stdout).toMatch(/ {2}Interests \(81\): \d+ records\n {4}#\d+: /);
    expect(dry.stdout).toContain('nothing was written: run again with --apply to write');

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
    // Reads: a search page per 200 accounts, the empty page after them, and a count at the start and the end.
    expect(emulator.endpoints.search.requests - searchesBefore).toBe(ACCOUNTS / 200 + 3);

    const json = await summaryOf(handle.workflowId);
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
});
