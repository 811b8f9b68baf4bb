import {
  allHandlersFinished,
  condition,
  continueAsNew,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { ControlAnswer } from './control.js';
import { handlePauseAndResume } from './control.js';
import { historyIsLong } from './history.js';
import {
  type CsvLoadInput,
  type CsvLoadProgress,
  type CsvLoadTotals,
  csvLoadProgressQuery,
  ZERO_CSV_TOTALS,
} from './load-csv-messages.js';
import { CHUNK_ACTIVITY_OPTIONS } from './retry.js';

const { loadCsvChunk } = proxyActivities<Activities>(CHUNK_ACTIVITY_OPTIONS);

/** The load's state and its message handlers, in one place. */
class CsvLoad {
  private totals: CsvLoadTotals;
  private paused: boolean;
  private loading = false;
  private done = false;

  constructor(private readonly input: CsvLoadInput) {
    this.totals = input.totals ?? ZERO_CSV_TOTALS;
    this.paused = input.paused ?? false;
    this.listen();
  }

  progress(): CsvLoadProgress {
    return {
      ...this.totals,
      file: this.input.file,
      table: this.input.target.table,
      paused: this.paused,
      done: this.done,
    };
  }

  private answer(): ControlAnswer {
    return {
      paused: this.paused,
      concurrency: 1,
      requestsPerMinute: null,
      runningPartitions: this.loading ? 1 : 0,
    };
  }

  private showDetails(): void {
    const { loaded, refused, line } = this.totals;
    setCurrentDetails(
      `**${this.done ? 'done' : this.paused ? 'paused' : 'loading'}** ${this.input.file} into ${this.input.target.table}: ` +
        `${loaded} lines loaded, ${refused} dead-lettered, next line ${line}`,
    );
  }

  private listen(): void {
    setHandler(csvLoadProgressQuery, () => this.progress(), {
      description: 'Lines loaded and dead-lettered so far, and where the next chunk starts',
    });
    handlePauseAndResume(
      {
        setPaused: (paused) => {
          this.paused = paused;
          this.showDetails();
        },
        // The chunk being loaded commits (or not) as a whole; a pause answers once it has.
        idle: () => !this.loading,
        answer: () => this.answer(),
      },
      { pause: 'Pause: the chunk being loaded finishes, no next one starts', resume: 'Resume a paused load' },
    );
  }

  async run(): Promise<CsvLoadProgress> {
    const { file, target, chunkLines } = this.input;
    this.showDetails();
    while (!this.done) {
      await condition(() => !this.paused);
      this.loading = true;
      const chunk = await loadCsvChunk({ file, target, chunkLines, runId: workflowInfo().workflowId });
      this.loading = false;
      // The checkpoint's counts, not a sum of answers: an attempt whose answer was lost counted there once.
      this.totals = {
        chunks: this.totals.chunks + 1,
        ...chunk.total,
        offset: chunk.offset,
        line: chunk.line,
      };
      this.done = chunk.done;
      this.showDetails();
      if (!this.done && historyIsLong(this.input.maxHistoryEvents)) {
        await condition(allHandlersFinished);
        await continueAsNew<typeof loadCsv>({ ...this.input, totals: this.totals, paused: this.paused });
      }
    }
    return this.progress();
  }
}

/**
 * Loads a CSV file into a table, chunk after chunk: each chunk one activity that reads on from the last
 * committed byte offset and commits its rows, its dead letters and its checkpoint together, so a crash or a
 * cancelled worker costs at most the chunk it was loading. Only counts pass through the history, never a line.
 */
export async function loadCsv(input: CsvLoadInput): Promise<CsvLoadProgress> {
  return new CsvLoad(input).run();
}
