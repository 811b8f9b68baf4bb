import {
  ApplicationFailure,
  condition,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { asTableInputs, type CsvInputLoad, csvInputLoads } from '../matching/csv-inputs.js';
import type { StagedCounts } from '../matching/inputs.js';
import type { StepCounts } from '../matching/partition.js';
import { type BucketRange, bucketRanges } from '../matching/sql.js';
import {
  CONCURRENCY_RANGE,
  type ControlAnswer,
  pauseUpdate,
  requireWholeNumber,
  resumeUpdate,
  setConcurrencyUpdate,
} from './control.js';
import { loadCsv } from './load-csv.js';
import {
  addStep,
  CSV_INPUT_CHUNK_LINES,
  type MatchInput,
  type MatchPhase,
  type MatchProgress,
  matchProgressQuery,
  ZERO_STEP,
} from './match-messages.js';
import { matchPartition } from './match-partition.js';
import { MATCH_ACTIVITY_OPTIONS } from './retry.js';

/** A load's history bound before it continues as new (about 6 events a chunk). */
const MAX_LOAD_HISTORY_EVENTS = 5_000;

const { stageMatchInputs, findMatchCustomers } = proxyActivities<Activities>(MATCH_ACTIVITY_OPTIONS);

/** The run's state and its message handlers, in one place (samples-typescript's safe-message-handlers). */
class MatchRun {
  private phase: MatchPhase = 'staging';
  private paused = false;
  private concurrency: number;
  private running = 0;
  private done = 0;
  private failure: unknown;
  private staged: StagedCounts | null = null;
  private readonly loaded: MatchProgress['loaded'] = {};
  private customers: StepCounts = ZERO_STEP;
  private readonly rules: Record<string, StepCounts> = {};
  private readonly ranges: BucketRange[];

  constructor(private readonly input: MatchInput) {
    this.concurrency = input.concurrency;
    this.ranges = bucketRanges(input.partitions);
    for (const rule of input.rules.rules) this.rules[rule.rule] = ZERO_STEP;
    this.listen();
  }

  private get runId(): string {
    return workflowInfo().workflowId;
  }

  progress(): MatchProgress {
    return {
      runId: this.runId,
      phase: this.phase,
      paused: this.paused,
      concurrency: this.concurrency,
      loaded: this.loaded,
      staged: this.staged,
      customers: this.customers,
      partitions: { total: this.ranges.length, done: this.done, running: this.running },
      rules: this.rules,
    };
  }

  private answer(): ControlAnswer {
    return {
      paused: this.paused,
      concurrency: this.concurrency,
      requestsPerMinute: null,
      runningPartitions: this.running,
    };
  }

  private showDetails(): void {
    const matched = Object.values(this.rules).reduce((sum, step) => sum + step.matched, 0);
    setCurrentDetails(
      [
        `**${this.paused ? 'paused' : this.phase}**: ${this.done} of ${this.ranges.length} partitions done, ${this.running} running`,
        `${matched} matches, ${this.customers.matched} payments' customers found`,
      ].join('\n\n'),
    );
  }

  private listen(): void {
    setHandler(matchProgressQuery, () => this.progress(), {
      description: 'Phase, partitions, and matches per rule so far',
    });
    setHandler(
      pauseUpdate,
      async () => {
        this.paused = true;
        this.showDetails();
        // Running partitions finish (each rule commits on its own); the answer comes once none runs.
        await condition(() => this.running === 0);
        return this.answer();
      },
      { description: 'Pause: running partitions finish, no new one starts; answers once none runs' },
    );
    setHandler(
      resumeUpdate,
      () => {
        this.paused = false;
        this.showDetails();
        return this.answer();
      },
      { description: 'Resume a paused run' },
    );
    setHandler(
      setConcurrencyUpdate,
      (concurrency) => {
        this.concurrency = concurrency;
        return this.answer();
      },
      {
        validator: (concurrency) => {
          requireWholeNumber('concurrency', concurrency, CONCURRENCY_RANGE);
        },
        description: 'Partitions matched at once',
      },
    );
  }

  /** Runs `step` for every range, at most `concurrency` at once, none while paused; the first failure ends it. */
  private async eachRange(step: (range: BucketRange) => Promise<void>): Promise<void> {
    const pending: Promise<void>[] = [];
    for (const range of this.ranges) {
      await condition(() => this.failure !== undefined || (!this.paused && this.running < this.concurrency));
      if (this.failure !== undefined) break;
      this.running++;
      this.showDetails();
      pending.push(
        step(range).then(
          () => {
            this.running--;
            this.done++;
            this.showDetails();
          },
          (error) => {
            this.running--;
            this.failure ??= error;
          },
        ),
      );
    }
    await Promise.all(pending);
    if (this.failure !== undefined) throw this.failure;
  }

  /** One input CSV file into its table: the kit's durable load, as a child workflow the Web UI shows. */
  private async loadCsvInput({ kind, file, target }: CsvInputLoad): Promise<void> {
    const child = await startChild(loadCsv, {
      workflowId: `${this.runId}/csv-${kind}`,
      args: [{ file, target, chunkLines: CSV_INPUT_CHUNK_LINES, maxHistoryEvents: MAX_LOAD_HISTORY_EVENTS }],
    });
    const { loaded, refused } = await child.result();
    this.loaded[kind] = { loaded, refused };
    this.showDetails();
  }

  async run(): Promise<MatchProgress> {
    if (this.ranges.length === 0) throw ApplicationFailure.nonRetryable('no partitions', 'InvalidInput');
    this.showDetails();
    const loads = csvInputLoads(this.input.inputs);
    if (loads.length > 0) {
      this.phase = 'loading';
      this.showDetails();
      await Promise.all(loads.map((load) => this.loadCsvInput(load)));
      this.phase = 'staging';
    }
    this.staged = await stageMatchInputs(asTableInputs(this.input.inputs));
    this.phase = 'customers';
    await this.eachRange(async (range) => {
      const found = await findMatchCustomers({ runId: this.runId, range, rules: this.input.rules });
      this.customers = addStep(this.customers, found);
    });
    this.phase = 'matching';
    this.done = 0;
    await this.eachRange(async (range) => {
      const child = await startChild(matchPartition, {
        workflowId: `${this.runId}/partition-${range.from}`,
        args: [{ runId: this.runId, range, rules: this.input.rules }],
      });
      const counts = await child.result();
      for (const [rule, step] of Object.entries(counts)) {
        this.rules[rule] = addStep(this.rules[rule] ?? ZERO_STEP, step);
      }
    });
    this.phase = 'done';
    this.showDetails();
    return this.progress();
  }
}

/**
 * Matches payments to invoices: stages the inputs, finds each payment's customer (ranges of payments at once),
 * then runs the rules over partitions of customers, each partition a child workflow, `concurrency` at a time.
 * Every step commits with a record of itself, so a run resumed after a crash, or run again, matches nothing twice.
 */
export async function match(input: MatchInput): Promise<MatchProgress> {
  return new MatchRun(input).run();
}
