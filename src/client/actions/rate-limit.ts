import { SharedRateLimiter } from '../../connectors/shared-rate-limit.js';
import { FerryError } from '../../errors.js';
import { RATE_RANGE } from '../../workflows/control.js';
import { withDatabase } from '../database.js';
import { printResult } from '../output.js';

/** "600" → 600, "off" → null; anything else is refused by name. */
function parseRate(raw: string): number | null {
  if (raw === 'off') return null;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < RATE_RANGE.min || value > RATE_RANGE.max) {
    throw new FerryError(
      `Invalid requests per minute '${raw}': give a whole number from ${RATE_RANGE.min} to ${RATE_RANGE.max}, or off`,
    );
  }
  return value;
}

/**
 * Shows or sets a connection's request limit, shared by every worker and run that uses the connection. It is
 * kept in the target database, where every worker reserves its requests' slots.
 */
export async function runRateLimit(connection: string, raw: string | undefined, options: { json: boolean }) {
  const requestsPerMinute = raw === undefined ? undefined : parseRate(raw);
  await withDatabase(async (db) => {
    if (requestsPerMinute !== undefined) await SharedRateLimiter.setLimit(db, connection, requestsPerMinute);
    const row = await db('ferry_rate_limits')
      .where({ connection })
      .first<{ requests_per_minute: number | null }>();
    const current = row?.requests_per_minute ?? null;
    printResult(options.json, { connection, requestsPerMinute: current }, () =>
      current === null
        ? `connection ${connection}: no shared limit`
        : `connection ${connection}: at most ${current} requests per minute across every worker and run`,
    );
  });
}
