import { ApplicationFailure } from '@temporalio/activity';
import {
  MalformedPageError,
  SourceAuthError,
  SourceHttpError,
  SourceRateLimitError,
} from '../connectors/errors.js';
import { FerryError } from '../errors.js';
import { InvalidRecordError } from '../migrations/errors.js';

/**
 * Maps connector and engine errors to Temporal failures: fail fast on what retrying cannot fix, wait as long as
 * the source asked on 429, and let Temporal's backoff handle the rest.
 */
export function toTemporalFailure(error: unknown): never {
  if (
    error instanceof SourceAuthError ||
    error instanceof FerryError ||
    error instanceof InvalidRecordError
  ) {
    throw ApplicationFailure.nonRetryable(error.message, error.name);
  }
  if (error instanceof SourceRateLimitError) {
    throw ApplicationFailure.create({
      message: error.message,
      type: error.name,
      nextRetryDelay: error.retryAfterMs,
    });
  }
  if (error instanceof SourceHttpError || error instanceof MalformedPageError) {
    throw ApplicationFailure.retryable(error.message, error.name);
  }
  throw error;
}

/** Runs an activity body with the mapping above. */
export async function mapFailures<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    return toTemporalFailure(error);
  }
}
