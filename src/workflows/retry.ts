/**
 * Failure types a retry cannot fix: the workflow sees them at once instead of after hours of retries. The
 * activities raise them as non-retryable (activities/failures.ts); workflows also list them in retry policies.
 */
export const NON_RETRYABLE = ['SourceAuthError', 'FerryError', 'InvalidRecordError'];
