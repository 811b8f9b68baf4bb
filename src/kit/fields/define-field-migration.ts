import type { Knex } from 'knex';
import { SourceHttpError } from '../../connectors/errors.js';
import type { Source } from '../../connectors/source.js';
import { FerryError } from '../../errors.js';
import type { ChunkContext, ChunkCounts, Cursor, Migration, RejectedRecord } from '../../migrations/types.js';
import { fileDeadLetters, resolveDeadLetters } from '../../target/dead-letters.js';
import { inLanes } from '../lanes.js';
import type { RestClient } from '../source/rest-api.js';
import { applyMappings } from './apply.js';
import { CallTally, callsOf } from './call-tally.js';
import { type FieldCatalogue, type FieldInfo, type FieldValue, sameValue } from './catalogue.js';
import {
  type FieldChanges,
  fieldSummaries,
  type LedgerRow,
  outcomesOf,
  recordOutcomes,
  sentBefore,
  type WriteStatus,
} from './ledger.js';
import { type FieldPlan, type FieldPlanDeclaration, fieldPlanSchema } from './plan.js';
import { callsPerRecord, recommend } from './recommend.js';
import type { FieldRecord, FieldRecordApi } from './record-api.js';
import { type ResolvedMapping, resolveMappings } from './resolve.js';
import { describeRun } from './run-summary.js';
import { chooseStrategy, type StrategyChoice, writeLanes } from './strategy.js';

export interface FieldMigrationDeclaration<F extends { catalogue: FieldCatalogue }> {
  name: string;
  description: string;
  /** The connection used when a run names none. */
  connection: string;
  records: FieldRecordApi<F>;
  /** The plan, when the migration has its own (TypeScript); without one, each run names its plan (`--plan FILE`). */
  plan?: FieldPlanDeclaration;
}

/** What a run's options carry: the plan of a migration that has none of its own. */
export interface FieldRunOptions {
  plan: FieldPlanDeclaration;
}

/** Records a field migration reads a page at a time: a search page, or as many ids. */
const PAGE_SIZE = 200;
/** The start of the one window a field migration's run covers: before any record it could select. */
const WHOLE_SELECTION_FROM = '2000-01-01T00:00:00.000Z';

/** Records of a run that reached their end: written, already as planned, or planned (a dry run). */
const settled = (outcomes: Record<WriteStatus, number>) =>
  outcomes.unchanged + outcomes.written + outcomes.planned;

/** The plan's mappings against the API's fields, with the fields a run reads. */
interface BoundPlan<F> {
  fields: F;
  mappings: ResolvedMapping[];
  read: FieldInfo[];
}

/** The fields every mapping reads or writes, each once. */
function fieldsRead(mappings: readonly ResolvedMapping[]): FieldInfo[] {
  const byKey = new Map<string, FieldInfo>();
  for (const mapping of mappings) {
    for (const field of [mapping.from, mapping.to, mapping.when?.field])
      if (field) byKey.set(field.key, field);
  }
  return [...byKey.values()];
}

/**
 * A migration that rewrites fields of an API's records in place (Neon CRM's accounts): each record read once
 * (a search page carries many), every mapping of the plan applied in memory, one write per record that changes
 * and none for the others. Exactly once across retries and crashes: before a write is sent, its record is
 * marked pending in `ferry_api_writes` (one transaction per chunk); a retried chunk reads the record again, and
 * one that already holds the plan's values counts as written without another request. The mappings are
 * idempotent, so a write that landed is never applied twice. A dry run records what would change and writes
 * nothing. A write the API refuses is a dead letter with the API's answer.
 */
export function defineFieldMigration<F extends { catalogue: FieldCatalogue }>(
  declaration: FieldMigrationDeclaration<F>,
): Migration {
  const { name, records: recordApi } = declaration;
  const fixedPlan = declaration.plan ? fieldPlanSchema.parse(declaration.plan) : undefined;
  const needsPlan = `Migration "${name}" runs from a plan: ferry start ${name} --plan FILE (YAML or JSON; a dry run unless --apply)`;

  const build = (plan: FieldPlan | undefined): Migration => {
    /** The API's fields and the plan resolved against them, once per run (the lookups' cache). */
    const bind = async (source: Source, client: RestClient): Promise<BoundPlan<F>> => {
      if (!plan) throw new FerryError(needsPlan);
      const cached = await source.lookups.getMany(`${name}:plan`, ['plan'], async () => {
        const fields = await recordApi.describeFields(client);
        const mappings = resolveMappings(plan.mappings, fields.catalogue);
        return new Map([['plan', { fields, mappings, read: fieldsRead(mappings) }]]);
      });
      return cached.get('plan') as BoundPlan<F>;
    };
    const strategy: StrategyChoice | undefined = plan
      ? chooseStrategy(plan, recordApi.limits, Math.min(PAGE_SIZE, recordApi.maxPageSize))
      : undefined;
    const ids = plan && 'ids' in plan.select ? plan.select.ids : undefined;
    const conditions = plan && 'search' in plan.select ? plan.select.search : [];

    /** Records by key, `limits.read` at a time; the keys the API does not have are returned apart. */
    const readEach = async (
      client: RestClient,
      bound: BoundPlan<F>,
      keys: readonly string[],
      tally: CallTally,
    ) => {
      const found: FieldRecord[] = [];
      const missing: string[] = [];
      await tally.during('read', () =>
        inLanes(keys, recordApi.limits.read, async (key) => {
          const record = await recordApi.read(client, bound.fields, key, bound.read);
          if (record) found.push(record);
          else missing.push(key);
        }),
      );
      return {
        found: found.sort((a, b) => Number(a.key) - Number(b.key) || a.key.localeCompare(b.key)),
        missing,
      };
    };

    /**
     * Maps and writes records: the chunk's protocol (see above), returning its counts. `ledger` false: a comparison
     * (verify's dry run) that records nothing and lists what differs, keys and field names only.
     */
    const mapAndWrite = async (
      db: Knex,
      client: RestClient,
      bound: BoundPlan<F>,
      listed: readonly FieldRecord[],
      rejected: RejectedRecord[],
      context: ChunkContext,
      tally: CallTally,
      ledger = true,
    ): Promise<ChunkCounts> => {
      const runId = context.runScope;
      const records = [...new Map(listed.map((record) => [record.key, record])).values()];
      // Those already rejected were listed but not found; transform errors join them below.
      const fetched = records.length + rejected.length;
      const sent = await sentBefore(
        db,
        runId,
        records.map((record) => record.key),
      );
      const rows: LedgerRow[] = [];
      const toWrite: { record: FieldRecord; changes: LedgerRow['changes'] }[] = [];
      const kindOf = new Map(bound.mappings.map((mapping) => [mapping.to.key, mapping.to.kind]));
      /** Whether the record holds what an earlier attempt's write carried: then that write landed. */
      const landed = (record: FieldRecord, changes: FieldChanges) =>
        Object.entries(changes).every(([key, change]) =>
          sameValue(kindOf.get(key) ?? 'text', record.values[key] ?? null, change.after),
        );
      for (const record of records) {
        const earlier = sent.get(record.key);
        // Judged by what was sent, not by mapping again: a plan whose mappings feed each other, or transform a
        // field in place, would map its own result differently.
        if (earlier && landed(record, earlier)) {
          rows.push({ key: record.key, status: 'written' });
          continue;
        }
        const mapped = applyMappings(bound.mappings, record.values);
        if (mapped.error) {
          rejected.push({ sourceKey: record.key, payload: { key: record.key }, reason: mapped.error });
        } else if (Object.keys(mapped.changes).length === 0) {
          rows.push({ key: record.key, status: 'unchanged' });
        } else {
          toWrite.push({ record, changes: mapped.changes });
          rows.push({
            key: record.key,
            status: context.dryRun ? 'planned' : 'pending',
            changes: mapped.changes,
          });
        }
      }
      const settledKeys = rows.filter((row) => row.status !== 'pending' && row.status !== 'planned');
      if (!ledger) {
        const differences = toWrite.slice(0, context.differencesLimit ?? 3).map(({ record, changes }) => ({
          key: record.key,
          change: 'update' as const,
          fields: Object.keys(changes ?? {}),
        }));
        return {
          fetched,
          inserted: 0,
          updated: toWrite.length,
          unchanged: rows.length - toWrite.length,
          deadLettered: rejected.length,
          failedPages: 0,
          differences,
        };
      }
      // Records refused before any write (not found, a value the plan cannot map) settle as failed at once.
      const refusedNow = rejected.map((letter) => ({ key: letter.sourceKey, status: 'failed' as const }));
      await db.transaction(async (trx) => {
        await recordOutcomes(trx, name, runId, [...rows, ...refusedNow]);
        await tally.save(trx, runId);
        if (context.dryRun) return;
        await resolveDeadLetters(
          trx,
          name,
          settledKeys.map((row) => row.key),
        );
        await fileDeadLetters(trx, name, context.deadLetters, 'InvalidRecordError', rejected);
      });
      const counts: ChunkCounts = {
        fetched,
        inserted: 0,
        updated: rows.filter((row) => row.status === 'written').length,
        unchanged: rows.filter((row) => row.status === 'unchanged').length,
        deadLettered: rejected.length,
        failedPages: 0,
      };
      if (context.dryRun) return { ...counts, updated: counts.updated + toWrite.length };

      const written: LedgerRow[] = [];
      const refused: RejectedRecord[] = [];
      await tally.during('write', () =>
        inLanes(
          toWrite,
          writeLanes(strategy?.strategy ?? 'hybrid', recordApi.limits),
          async ({ record, changes }) => {
            const after: Record<string, FieldValue> = {};
            for (const [key, change] of Object.entries(changes ?? {})) after[key] = change.after;
            try {
              await recordApi.write(client, bound.fields, record, after);
              written.push({ key: record.key, status: 'written' });
            } catch (error) {
              // A write the API refuses (4xx) is the record's; anything else fails the chunk, to be retried whole.
              if (!(error instanceof SourceHttpError) || error.status < 400 || error.status >= 500)
                throw error;
              refused.push({
                sourceKey: record.key,
                payload: { key: record.key, changes },
                reason: error.message,
              });
            }
            context.onPage();
          },
        ),
      );
      await db.transaction(async (trx) => {
        await tally.save(trx, runId);
        await recordOutcomes(trx, name, runId, [
          ...written,
          ...refused.map((letter) => ({ key: letter.sourceKey, status: 'failed' as const })),
        ]);
        await resolveDeadLetters(
          trx,
          name,
          written.map((row) => row.key),
        );
        await fileDeadLetters(trx, name, context.deadLetters, 'ApiWriteRefused', refused);
      });
      return {
        ...counts,
        updated: counts.updated + written.length,
        deadLettered: counts.deadLettered + refused.length,
      };
    };

    /** How many records the plan selects: its ids, or the search's total. */
    const countSource = async (source: Source): Promise<number> => {
      if (ids) return ids.length;
      const client = recordApi.api.open(source);
      const bound = await bind(source, client);
      const { total } = await recordApi.search(client, bound.fields, {
        conditions,
        read: [],
        cursor: { page: 1 },
        size: 1,
      });
      return total ?? 0;
    };

    const migration: Migration = {
      name,
      description: declaration.description,
      defaultConnection: declaration.connection,
      // One partition reads the whole selection: the API allows one search at a time.
      defaults: { pageSize: PAGE_SIZE, pagesPerChunk: 1, partitionDays: 1_000_000, concurrency: 1 },
      maxPageSize: Math.min(PAGE_SIZE, recordApi.maxPageSize),
      windowed: false,
      writesBack: true,
      runOptions: {
        parse: (options) => {
          if (fixedPlan) return undefined;
          const given = (options as Partial<FieldRunOptions> | undefined)?.plan;
          if (given === undefined) throw new FerryError(needsPlan);
          return { plan: fieldPlanSchema.parse(given) };
        },
        bind: (options) =>
          fixedPlan ? migration : build(fieldPlanSchema.parse((options as FieldRunOptions).plan)),
      },
      runNote: () => (strategy ? `strategy ${strategy.why}` : undefined),
      summarizeRun: async (db, runId) => {
        const [outcomes, fields, calls] = await Promise.all([
          outcomesOf(db, runId),
          fieldSummaries(db, runId),
          callsOf(db, runId),
        ]);
        const measured = { outcomes, calls };
        const json = {
          strategy,
          outcomes,
          fields,
          calls,
          callsPerRecord: callsPerRecord(measured),
          ...(plan && strategy
            ? { recommendation: recommend(plan, strategy.strategy, recordApi.limits, measured) }
            : {}),
        };
        return { json, lines: describeRun(json) };
      },
      // The API's own tables are the target; ferry keeps only the ledger of what it wrote.
      prepareTarget: async () => undefined,

      // Records are not cut by time: one window holds every run's dead letters, which its count accounts for.
      sourceStart: async () => WHOLE_SELECTION_FROM,

      async copyChunk(db, source, request, context) {
        const tally = new CallTally();
        const client = recordApi.api.open(tally.count(source));
        const bound = await tally.during('fields', () => bind(source, client));
        if (ids) {
          const start = (request.cursor.page - 1) * request.pageSize;
          const keys = ids.slice(start, start + request.pageSize * request.pages);
          const { found, missing } = await readEach(client, bound, keys, tally);
          context.onPage();
          const rejected = missing.map((key) => ({
            sourceKey: key,
            payload: { key },
            reason: 'not found (404)',
          }));
          const counts = await mapAndWrite(db, client, bound, found, rejected, context, tally);
          const nextPage = request.cursor.page + request.pages;
          return {
            ...counts,
            next: (nextPage - 1) * request.pageSize < ids.length ? { page: nextPage } : null,
          };
        }
        // parallel reads each record by its own request: the search then only finds which.
        const eachOnItsOwn = strategy?.strategy === 'parallel';
        const found: FieldRecord[] = [];
        const rejected: RejectedRecord[] = [];
        let cursor: Cursor | null = request.cursor;
        for (let page = 0; cursor && page < request.pages; page++) {
          const at: Cursor = cursor;
          const result = await tally.during('search', () =>
            recordApi.search(client, bound.fields, {
              conditions,
              read: eachOnItsOwn ? [] : bound.read,
              cursor: at,
              size: request.pageSize,
            }),
          );
          context.onPage();
          if (eachOnItsOwn) {
            const { found: read, missing } = await readEach(
              client,
              bound,
              result.records.map((record) => record.key),
              tally,
            );
            found.push(...read);
            rejected.push(
              ...missing.map((key) => ({ sourceKey: key, payload: { key }, reason: 'not found (404)' })),
            );
          } else {
            found.push(...result.records);
          }
          cursor = result.next;
        }
        return { ...(await mapAndWrite(db, client, bound, found, rejected, context, tally)), next: cursor };
      },

      recordTables: [{ table: 'ferry_api_writes', key: 'record_key' }],
      recordKeyField: 'key',

      async fetchByKeys(source, keys) {
        const client = recordApi.api.open(source);
        return (await readEach(client, await bind(source, client), keys, new CallTally())).found;
      },

      async writeRecords(db, source, records, context) {
        // A dry run here is a comparison (verify): nothing recorded. Otherwise (dlq retry, repair) a write.
        const tally = new CallTally();
        const client = recordApi.api.open(tally.count(source));
        const bound = await bind(source, client);
        return mapAndWrite(db, client, bound, records as FieldRecord[], [], context, tally, !context.dryRun);
      },

      reconcileWindow: async () => 0,

      countSource: (source) => countSource(source),

      async countTarget(db, _window, context) {
        return context ? settled(await outcomesOf(db, context.runScope)) : 0;
      },

      // The run changes the fields its search may select by (Email 1 BLANK): the count at the source moves under
      // it. What must hold is that every record it read has settled, written, unchanged or refused.
      async countWindow(db, _source, _window, context) {
        const outcomes = await outcomesOf(db, context.runScope);
        const targetCount = settled(outcomes);
        return {
          sourceCount: targetCount + outcomes.pending + outcomes.failed,
          targetCount,
          deadLettered: outcomes.failed,
        };
      },
    };
    return migration;
  };
  return build(fixedPlan);
}
