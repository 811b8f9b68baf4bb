import { MalformedPageError } from '../connectors/errors.js';
import type { Source } from '../connectors/source.js';

/** Tries of a malformed page before it is recorded as failed; transient truncations pass on the second. */
const MALFORMED_PAGE_TRIES = 3;
const FIRST_WAIT_MS = 1_000;

/**
 * Fetches a page, asking again when its body is malformed. A page that stays malformed is returned as the error,
 * so the caller records its range as failed and goes on with the next page instead of failing the partition on
 * one bad page forever. Other errors are thrown as usual.
 */
export async function fetchOrGiveUp<T>(
  source: Source,
  fetch: () => Promise<T>,
): Promise<{ page: T } | { failed: MalformedPageError }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return { page: await fetch() };
    } catch (error) {
      if (!(error instanceof MalformedPageError)) throw error;
      if (attempt >= MALFORMED_PAGE_TRIES) return { failed: error };
      await source.wait(FIRST_WAIT_MS * 2 ** (attempt - 1), 'retry');
    }
  }
}
