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
  type ControlAnswer,
  handlePauseAndResume,
  requireWholeNumber,
  setConcurrencyUpdate,
} from './control.js';
import { loadCsv } from './load-csv.js';
import {
  addStep,
  CSV_INPUT_CHUNK_LINES,
  MATCH_CONCURRENCY_RANGE,
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
  private readonly phaseSeconds: MatchProgress['phaseSeconds'] = {};
  /** When the current phase began, by the workflow's clock (deterministic: the time of the task that ran it). */
  private phaseStarted = Date.now();
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
      phaseSeconds: this.phaseSeconds,
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
        `${matched} matches, ${this.customers.matched} payments' customers found${this.refusedLines()}`,
      ].join('\n\n'),
    );
  }

  private listen(): void {
    setHandler(matchProgressQuery, () => this.progress(), {
      description: 'Phase, partitions, and matches per rule so far',
    });
    handlePauseAndResume(
      {
        setPaused: (paused) => {
          this.paused = paused;
          this.showDetails();
        },
        // Running partitions finish (each rule commits on its own); a pause answers once none runs.
        idle: () => this.running === 0,
        answer: () => this.answer(),
      },
      {
        pause: 'Pause: running partitions finish, no new one starts; answers once none runs',
        resume: 'Resume a paused run',
      },
    );
    setHandler(
      setConcurrencyUpdate,
      (concurrency) => {
        this.concurrency = concurrency;
        return this.answer();
      },
      {
        validator: (concurrency) => {
          requireWholeNumber('concurrency', concurrency, MATCH_CONCURRENCY_RANGE);
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

  /** The input lines the CSV loads refused (dead-lettered), for an operator who must not miss them. */
  private refusedLines(): string {
    const refused = Object.values(this.loaded).reduce((sum, load) => sum + (load?.refused ?? 0), 0);
    return refused > 0 ? `; ${refused} input lines refused (ferry dlq list --run ${this.runId}/csv-…)` : '';
  }

  /** Ends the current phase, counting its seconds, and begins `next`. */
  private enter(next: MatchPhase): void {
    const now = Date.now();
    this.phaseSeconds[this.phase] = Math.round((now - this.phaseStarted) / 100) / 10;
    this.phase = next;
    this.phaseStarted = now;
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
      this.enter('loading');
      this.showDetails();
      await Promise.all(loads.map((load) => this.loadCsvInput(load)));
      this.enter('staging');
    }
    // Paused while the files loaded (each load runs its file to the end): staging waits for the resume.
    await condition(() => !this.paused);
    this.staged = await stageMatchInputs(asTableInputs(this.input.inputs), {
      runId: this.runId,
      rules: this.input.rules,
      partitions: this.input.partitions,
    });
    this.enter('customers');
    await this.eachRange(async (range) => {
      const found = await findMatchCustomers({ runId: this.runId, range, rules: this.input.rules });
      this.customers = addStep(this.customers, found);
    });
    this.enter('matching');
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
    this.enter('done');
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
