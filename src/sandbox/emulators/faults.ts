import { z } from 'zod';

/** Fault switches shared by every emulator; rates are probabilities per request (or per record). */
export const faultSettingsSchema = z
  .object({
    /** Share of requests answered with one of errorStatuses. */
    errorRate: z.number().min(0).max(1),
    errorStatuses: z.array(z.union([z.literal(500), z.literal(502), z.literal(503), z.literal(504)])).min(1),
    /** Added to every API response. */
    latencyMs: z.number().int().min(0).max(600_000),
    /** Share of requests that are never answered (until the client gives up). */
    hangRate: z.number().min(0).max(1),
    /** Share of requests answered 429 whatever the rate (a storm when 1), with `stormRetryAfter` as Retry-After. */
    tooManyRequestsRate: z.number().min(0).max(1),
    stormRetryAfter: z.string(),
    /** Share of requests whose connection is reset without a response. */
    resetRate: z.number().min(0).max(1),
    /** Share of list pages sent as truncated JSON. */
    malformedPageRate: z.number().min(0).max(1),
    /** Share of records that are broken (fixed per record, like real bad data). */
    malformedRecordRate: z.number().min(0).max(1),
    /**
     * Records that break the page they are on, every time (a plugin that writes a PHP warning into one order's
     * JSON): the page is sent truncated however often it is asked for.
     */
    pageBreakingIds: z.array(z.number().int().positive()).max(1000),
  })
  .strict();

export type FaultSettings = z.infer<typeof faultSettingsSchema>;

export const NO_FAULTS: FaultSettings = {
  errorRate: 0,
  errorStatuses: [500, 502, 503],
  latencyMs: 0,
  hangRate: 0,
  tooManyRequestsRate: 0,
  stormRetryAfter: '1',
  resetRate: 0,
  malformedPageRate: 0,
  malformedRecordRate: 0,
  pageBreakingIds: [],
};

export type TransportFault =
  | { kind: 'reset' }
  | { kind: 'hang' }
  | { kind: 'error'; status: number }
  | { kind: 'none' };

/** Decides the transport-level fault for one request; the random source is injectable for tests. */
export function drawTransportFault(
  settings: FaultSettings,
  random: () => number = Math.random,
): TransportFault {
  if (random() < settings.resetRate) return { kind: 'reset' };
  if (random() < settings.hangRate) return { kind: 'hang' };
  if (random() < settings.errorRate) {
    const status = settings.errorStatuses[Math.floor(random() * settings.errorStatuses.length)] ?? 500;
    return { kind: 'error', status };
  }
  return { kind: 'none' };
}
