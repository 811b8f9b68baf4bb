import type { TimeWindow } from '../../migrations/types.js';

const DAY_MS = 24 * 3600 * 1000;
const SECOND_MS = 1000;

/** The smallest step of the source's creation times: whole seconds (WooCommerce) or dates (SAP's DocDate). */
export type Granularity = 'second' | 'day';

/** A window's bounds at the source's granularity, from inclusive, to exclusive. */
export interface WindowBounds {
  from: string;
  to: string;
}

/** How a listing is narrowed to a window of creation times: its bounds, and the parameters that say them. */
export interface WindowFilter {
  readonly granularity: Granularity;
  bounds(window: TimeWindow): WindowBounds;
  params(bounds: WindowBounds): Record<string, string>;
}

/** The first whole date at or after an instant: windows of instants cut dates into disjoint ranges. */
function dateAtOrAfter(instant: string): string {
  const ms = Date.parse(instant);
  const midnight = Math.floor(ms / DAY_MS) * DAY_MS;
  return new Date(midnight === ms ? ms : midnight + DAY_MS).toISOString().slice(0, 10);
}

const boundsAt = (granularity: Granularity, window: TimeWindow): WindowBounds =>
  granularity === 'day'
    ? { from: dateAtOrAfter(window.from), to: dateAtOrAfter(window.to) }
    : { from: window.from, to: window.to };

/** One step of the granularity earlier: an exclusive lower bound that still includes `bound` itself. */
function stepBefore(granularity: Granularity, bound: string): string {
  if (granularity === 'day')
    return new Date(Date.parse(`${bound}T00:00:00Z`) - DAY_MS).toISOString().slice(0, 10);
  return new Date(Date.parse(bound) - SECOND_MS).toISOString();
}

interface BoundParam {
  param: string;
  /** The source compares strictly (`after`, `before`): ferry sends the bound moved by one step so that none is lost. */
  exclusive?: boolean;
}

/**
 * A window as two query parameters (`after`/`before`, `dateFrom`/`dateTo`), each inclusive or exclusive as the
 * source compares it, at the source's granularity.
 */
function params(options: { from: BoundParam; to: BoundParam; granularity: Granularity }): WindowFilter {
  return {
    granularity: options.granularity,
    bounds: (window) => boundsAt(options.granularity, window),
    params: (bounds) => ({
      [options.from.param]: options.from.exclusive
        ? stepBefore(options.granularity, bounds.from)
        : bounds.from,
      // ferry's upper bound is exclusive: an inclusive parameter gets the last step inside the window.
      [options.to.param]: options.to.exclusive ? bounds.to : stepBefore(options.granularity, bounds.to),
    }),
  };
}

/**
 * A window as one parameter holding both bounds, each included (`date[range]=2024-01-01,2024-01-30`): the last step
 * inside the window is sent as the upper bound.
 */
function range(options: { param: string; granularity: Granularity }): WindowFilter {
  return {
    granularity: options.granularity,
    bounds: (window) => boundsAt(options.granularity, window),
    params: (bounds) => ({ [options.param]: `${bounds.from},${stepBefore(options.granularity, bounds.to)}` }),
  };
}

/** A window said some other way (an OData `$filter`): the bounds, and the parameters they become. */
function custom(
  granularity: Granularity,
  encode: (bounds: WindowBounds) => Record<string, string>,
): WindowFilter {
  return { granularity, bounds: (window) => boundsAt(granularity, window), params: encode };
}

/** The window filters a listing picks from. */
export const windowFilter = { params, range, custom };
