import { ApplicationFailure, condition, defineUpdate, setHandler } from '@temporalio/workflow';

/** What an operator can change while a backfill runs, as its progress and the updates' answers report it. */
export interface RunControl {
  paused: boolean;
  /** Partitions running at once. */
  concurrency: number;
  /** Requests per minute to the source for the whole run, shared by its partitions; null for no limit. */
  requestsPerMinute: number | null;
}

/** The run's control after an update, with the partitions running at that moment. */
export interface ControlAnswer extends RunControl {
  runningPartitions: number;
}

export interface Range {
  min: number;
  max: number;
}

/** The start options and the updates share these bounds: one place says what is sane. */
export const CONCURRENCY_RANGE: Range = { min: 1, max: 64 };
export const RATE_RANGE: Range = { min: 1, max: 60_000 };

/** Rejects anything but a whole number in range, naming the field and the range, so the caller can fix it. */
export function requireWholeNumber(field: string, value: unknown, range: Range): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= range.min && value <= range.max) {
    return value;
  }
  const got = value === undefined ? 'nothing' : JSON.stringify(value);
  throw ApplicationFailure.nonRetryable(
    `${field} must be a whole number from ${range.min} to ${range.max}; got ${got}`,
    'InvalidUpdate',
  );
}

export const pauseUpdate = defineUpdate<ControlAnswer>('pause');
export const resumeUpdate = defineUpdate<ControlAnswer>('resume');
export const setConcurrencyUpdate = defineUpdate<ControlAnswer, [concurrency: number]>('setConcurrency');
/** null lifts the limit. */
export const setRateLimitUpdate = defineUpdate<ControlAnswer, [requestsPerMinute: number | null]>(
  'setRateLimit',
);

/**
 * The pause and resume updates of a run that works in steps (a match run's partitions, a CSV load's chunks): a
 * pause lets the running steps finish, starts no new one, and answers once none runs; a resume lets them start
 * again. `setPaused` keeps the run's own state (and what the Web UI shows) in step.
 */
export function handlePauseAndResume(
  run: { setPaused(paused: boolean): void; idle(): boolean; answer(): ControlAnswer },
  descriptions: { pause: string; resume: string },
): void {
  setHandler(
    pauseUpdate,
    async () => {
      run.setPaused(true);
      await condition(() => run.idle());
      return run.answer();
    },
    { description: descriptions.pause },
  );
  setHandler(
    resumeUpdate,
    () => {
      run.setPaused(false);
      return run.answer();
    },
    { description: descriptions.resume },
  );
}
