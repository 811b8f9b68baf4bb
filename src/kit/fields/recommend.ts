import type { Endpoint, EndpointCalls } from './call-tally.js';
import type { WriteStatus } from './ledger.js';
import type { FieldPlan } from './plan.js';
import type { EndpointLimits } from './record-api.js';
import type { ResolvedStrategy } from './strategy.js';

/** What a run measured: its records' outcomes and its requests by endpoint. */
export interface Measured {
  outcomes: Record<WriteStatus, number>;
  calls: Partial<Record<Endpoint, EndpointCalls>>;
}

export interface Recommendation {
  /** The strategy to name in the plan next time. */
  strategy: ResolvedStrategy;
  why: string;
  /** What else the figures say (429s, few records changing, refused writes). */
  notes: string[];
}

const recordsOf = ({ outcomes }: Measured) =>
  outcomes.unchanged + outcomes.planned + outcomes.pending + outcomes.written + outcomes.failed;
const callsOn = (measured: Measured, endpoint: Endpoint) => measured.calls[endpoint]?.calls ?? 0;

/** Every request of the run over the records it examined. */
export function callsPerRecord(measured: Measured): number {
  const records = recordsOf(measured);
  const calls = Object.values(measured.calls).reduce((sum, entry) => sum + (entry?.calls ?? 0), 0);
  return records === 0 ? 0 : Math.round((calls / records) * 10_000) / 10_000;
}

/**
 * The strategy for the next run of this plan and why, from what this run measured and the API's limits: reads
 * are cheapest by search pages (one request for up to a page of records), writes are one per changed record and
 * go as many at a time as the API allows, so those are what bind.
 */
export function recommend(
  plan: FieldPlan,
  used: ResolvedStrategy,
  limits: EndpointLimits,
  measured: Measured,
): Recommendation {
  const records = recordsOf(measured);
  const { outcomes } = measured;
  const changed = outcomes.written + outcomes.planned + outcomes.pending;
  const [searches, reads] = [callsOn(measured, 'search'), callsOn(measured, 'read')];
  const best: ResolvedStrategy = limits.write > 1 ? 'hybrid' : 'put_batch';
  const writes = `${changed} records to write, ${limits.write} at a time (the API's limit): the writes bind`;
  let why: string;
  if ('ids' in plan.select) {
    why =
      `parallel: ${records} records named by id cost ${reads} reads, ${limits.read} at a time; ${writes}. ` +
      'A search condition that selects them would read up to a page of them per request (then hybrid)';
    return { strategy: 'parallel', why, notes: notes(measured, records, changed) };
  }
  why = `${best}: the search read ${records} records with ${searches} requests (${(searches / Math.max(1, records)).toFixed(3)} per record); ${writes}`;
  if (used === 'parallel') why += `. This run read each record on its own as well (${reads} reads)`;
  if (used === 'put_batch' && limits.write > 1) why += `. This run wrote one at a time`;
  return { strategy: best, why, notes: notes(measured, records, changed) };
}

function notes(measured: Measured, records: number, changed: number): string[] {
  const found: string[] = [];
  const limited = Object.entries(measured.calls).filter(([, entry]) => (entry?.rateLimited ?? 0) > 0);
  if (limited.length > 0) {
    const list = limited.map(([endpoint, entry]) => `${entry?.rateLimited} on ${endpoint}`).join(', ');
    found.push(
      `the API answered 429 (${list}): something else used the organisation's limits at the same time; run when it is quiet, or ask the vendor for a higher limit`,
    );
  }
  if (records >= 100 && changed / records < 0.2) {
    found.push(
      `only ${changed} of ${records} records changed: a search condition on the target fields (such as BLANK) would read fewer`,
    );
  }
  if (measured.outcomes.failed > 0) {
    found.push(`${measured.outcomes.failed} writes were refused: ferry dlq list shows the API's answers`);
  }
  return found;
}
