import { type Detail, defineMigration, eboekhouden, fetchEach, type Lookup } from '../../kit/index.js';
import { target } from './target.js';

const DAY_SECONDS = 24 * 3600;

/** Values of one e-Boekhouden resource by id (`relation/{id}`), a request per id; an unknown id is left out. */
const byId = (resource: 'relation' | 'ledger'): Lookup => ({
  async load(ids, client) {
    const found = await fetchEach(
      client,
      ids.map((id) => `${resource}/${id}`),
    );
    return new Map(found.map((value) => [String((value as { id: number }).id), value]));
  },
});
const mutationPath = (id: unknown) => `mutation/${id}`;
/** The list holds summaries; the rows and VAT need one request per mutation, several in flight at once. */
export const mutationDetail: Detail = {
  path: (mutation) => mutationPath((mutation as { id: number }).id),
  concurrency: 16,
};

/**
 * e-Boekhouden mutations, in windows of about equal work: each listed mutation fetched whole (its rows and VAT),
 * then routed by type to invoices, payments or journal entries. Relations and ledgers are looked up once per
 * backfill (over all its partitions) and once per sync.
 */
export const eboekhoudenMutations = defineMigration({
  name: 'eboekhouden-mutations',
  description:
    'e-Boekhouden mutations into invoices (+ lines, taxes), payments (+ allocations) and journal entries (+ lines)',
  connection: 'eboekhouden',
  api: eboekhouden.api,
  target,
  created: 'mutation_date',
  list: { ...eboekhouden.collection('mutation'), window: eboekhouden.dateWindow },
  detail: mutationDetail,
  byKeys: { path: mutationPath, keys: /^\d+$/ },
  lookups: { relation: byId('relation'), ledger: byId('ledger') },
  incremental: {
    // e-Boekhouden stamps no modification: each sync re-reads the mutations dated in the last 60 days (and
    // later), and writes only those that changed.
    defaultLookbackSeconds: 60 * DAY_SECONDS,
    params: (since) => ({ 'date[gte]': since.slice(0, 10) }),
    pageBy: 'listing',
  },
  // Windows of equal work, planned from the list's `count`: the seed read 30-day windows to bound its memory, which
  // ferry's chunks bound whatever a window spans; six years in 72 partitions cost Temporal 6x the CPU of a few
  // (`--partition-days 30` gives the seed's windows back). Pages of 100 summaries: 1.035 API calls per mutation,
  // and the worker's peak 1.03x from 200,000 mutations to 1,000,000.
  defaults: { pageSize: 100, pagesPerChunk: 10, concurrency: 4 },
});
