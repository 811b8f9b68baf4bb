import { ApplicationFailure } from '@temporalio/activity';
import { describe, expect, it } from 'vitest';
import { toTemporalFailure } from '../../../src/activities/failures.js';
import { FerryError } from '../../../src/errors.js';

const thrown = (error: unknown) => {
  try {
    toTemporalFailure(error);
  } catch (failure) {
    return failure;
  }
  throw new Error('toTemporalFailure returned');
};

describe('activity errors as Temporal failures', () => {
  it('a check constraint PostgreSQL enforces fails at once, naming the check and the table', () => {
    // As node-postgres raises it.
    const violation = Object.assign(
      new Error('new row for relation "part_invoices" violates check constraint "part_invoices_open_check"'),
      { code: '23514', constraint: 'part_invoices_open_check', table: 'part_invoices' },
    );
    const failure = thrown(violation) as ApplicationFailure;
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.type).toBe('DatabaseRefused');
    expect(failure.message).toBe(
      'PostgreSQL refused it (SQLSTATE 23514, constraint part_invoices_open_check, table part_invoices): new row for relation "part_invoices" violates check constraint "part_invoices_open_check"',
    );
  });

  it('a statement the schema does not allow (no unique key for ON CONFLICT) fails at once too', () => {
    const noKey = Object.assign(
      new Error('there is no unique or exclusion constraint matching the ON CONFLICT specification'),
      { code: '42P10' },
    );
    const failure = thrown(noKey) as ApplicationFailure;
    expect([failure.nonRetryable, failure.message]).toEqual([
      true,
      'PostgreSQL refused it (SQLSTATE 42P10): there is no unique or exclusion constraint matching the ON CONFLICT specification',
    ]);
  });

  it('a FerryError fails at once; other errors (a lost connection, a deadlock) are left to the retry policy', () => {
    const ferry = thrown(new FerryError('bad input')) as ApplicationFailure;
    expect([ferry.nonRetryable, ferry.type, ferry.message]).toEqual([true, 'FerryError', 'bad input']);
    const deadlock = Object.assign(new Error('deadlock detected'), { code: '40P01' });
    expect(thrown(deadlock)).toBe(deadlock);
    const lost = Object.assign(new Error('terminating connection due to administrator command'), {
      code: '57P01',
    });
    expect(thrown(lost)).toBe(lost);
    // A Node system error is no SQLSTATE, whatever its code.
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(thrown(refused)).toBe(refused);
  });
});
