/**
 * Failure types a retry cannot fix: the workflow sees them at once instead of after hours of retries. The
 * activities raise them as non-retryable (activities/failures.ts); workflows also list them in retry policies.
 */
export const NON_RETRYABLE = ['SourceAuthError', 'FerryError', 'InvalidRecordError'];

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
