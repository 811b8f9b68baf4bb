/**
 * Failure types a retry cannot fix: the workflow sees them at once instead of after hours of retries. The
 * activities raise them as non-retryable (activities/failures.ts); workflows also list them in retry policies.
 */
export const NON_RETRYABLE = ['SourceAuthError', 'FerryError', 'InvalidRecordError', 'DatabaseRefused'];

/** Activities that fetch and write a chunk: long enough for a slow page, heartbeats to notice a lost worker. */
export const CHUNK_ACTIVITY_OPTIONS = {
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    nonRetryableErrorTypes: NON_RETRYABLE,
  },
} as const;

/**
 * Set-based matching steps: one statement may work through a million rows, so the time limit is long, and the
 * activity heartbeats while its statements run so that a lost worker is noticed within the heartbeat timeout.
 */
export const MATCH_ACTIVITY_OPTIONS = { ...CHUNK_ACTIVITY_OPTIONS, startToCloseTimeout: '2 hours' } as const;
