import type { FieldPlan } from './plan.js';
import type { EndpointLimits } from './record-api.js';

/** How a field migration reads and writes: what `auto` resolves to. */
export type ResolvedStrategy = 'put_batch' | 'parallel' | 'hybrid';

export interface StrategyChoice {
  strategy: ResolvedStrategy;
  /** Why, with the figures behind it: shown in the run's details and report. */
  why: string;
}

/** Requests in flight for writes under a strategy: put_batch sends one at a time, the others fill the limit. */
export function writeLanes(strategy: ResolvedStrategy, limits: EndpointLimits): number {
  return strategy === 'put_batch' ? 1 : Math.max(1, limits.write);
}

/**
 * The strategy a plan runs with. Named in the plan, it is kept. `auto`: records named by id are read one request
 * each, `limits.read` at a time (ids are no search condition); records found by a search are read a search page
 * at a time (up to `pageSize` per request) and written `limits.write` at a time (hybrid), or one at a time when
 * the API allows no more (put_batch). Every strategy sends one write per record that changes, none for the rest.
 */
export function chooseStrategy(plan: FieldPlan, limits: EndpointLimits, pageSize: number): StrategyChoice {
  const writes =
    limits.write > 1
      ? `changed records written ${limits.write} at a time (the API's write limit)`
      : 'one write at a time';
  if (plan.strategy !== 'auto')
    return { strategy: plan.strategy, why: `${plan.strategy}: named in the plan` };
  if ('ids' in plan.select) {
    return {
      strategy: 'parallel',
      why: `parallel: ${plan.select.ids.length} records named by id, each read by its own request ${limits.read} at a time; ${writes}`,
    };
  }
  if (limits.write > 1) {
    return {
      strategy: 'hybrid',
      why: `hybrid: a search reads up to ${pageSize} records per request (${limits.search} at a time, the API's search limit); ${writes}`,
    };
  }
  return {
    strategy: 'put_batch',
    why: `put_batch: a search reads up to ${pageSize} records per request; the API allows one write at a time`,
  };
}
