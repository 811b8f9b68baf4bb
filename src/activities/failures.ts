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
  if (isPermanentDatabaseError(error)) {
    // The same statement over the same rows fails the same way on every attempt: a defect or a schema to fix, to
    // be told at once rather than retried for hours.
    const where = [
      error.constraint && `constraint ${error.constraint}`,
      error.table && `table ${error.table}`,
      error.column && `column ${error.column}`,
    ].filter(Boolean);
    throw ApplicationFailure.nonRetryable(
      `PostgreSQL refused it (SQLSTATE ${error.code}${where.length > 0 ? `, ${where.join(', ')}` : ''}): ${error.message}`,
      'DatabaseRefused',
    );
  }
  if (error instanceof SourceHttpError || error instanceof MalformedPageError) {
    throw ApplicationFailure.retryable(error.message, error.name);
  }
  throw error;
}

/**
 * PostgreSQL errors no retry mends, by SQLSTATE class: 22 data exceptions (a value out of range, not a number),
 * 23 integrity violations (a check, not null, a unique key other than the conflict target), 42 statements the
 * schema does not allow (a column or table missing, no unique key for ON CONFLICT, no privilege). Connection
 * loss (08), serialization failures and deadlocks (40) and the like stay retryable.
 */
const PERMANENT_CLASSES = new Set(['22', '23', '42']);

type DatabaseError = Error & { code: string; constraint?: string; table?: string; column?: string };

function isPermanentDatabaseError(error: unknown): error is DatabaseError {
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && PERMANENT_CLASSES.has(code.slice(0, 2));
}

/** Runs an activity body with the mapping above. */
export async function mapFailures<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    return toTemporalFailure(error);
  }
}
