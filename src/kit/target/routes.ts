import { pathsOf } from '../records/column-plan.js';
import { valueAt } from '../records/field-path.js';
import type { Table } from './table.js';
import type { Target } from './target.js';

/** One way a record can go: the target that takes the records whose route field holds one of `when`. */
export interface Route {
  readonly when: readonly (string | number)[];
  readonly target: Target;
}

/**
 * Records of one listing that go to different targets by a field (e-Boekhouden's mutations by `type`: invoices,
 * payments, journal entries), each record to exactly one. The targets share the source key's path, so a record
 * is known by one key whichever table holds it.
 */
export interface RoutedTarget {
  /** The record's field the route is chosen by. */
  readonly by: string;
  readonly routes: readonly Route[];
}

/** Where a migration writes: one target, or several chosen per record. */
export type Targets = Target | RoutedTarget;

/** The record's route; undefined when the route field holds a value no route takes. */
export type RouteChooser = (record: unknown) => Target | undefined;

export function routedTarget(declaration: { by: string; routes: readonly Route[] }): RoutedTarget {
  const { by, routes } = declaration;
  if (routes.length === 0) throw new Error(`a routed target needs at least one route (by ${by})`);
  const taken = new Map<string, string>();
  const names = new Set<string>();
  for (const route of routes) {
    for (const value of route.when) {
      const earlier = taken.get(String(value));
      if (earlier) {
        throw new Error(
          `${by} ${value} is routed to both ${earlier} and ${route.target.record.name}; a record goes one way`,
        );
      }
      taken.set(String(value), route.target.record.name);
    }
    for (const table of route.target.tables) {
      if (names.has(table.name)) throw new Error(`table ${table.name} is in two routes (by ${by})`);
      names.add(table.name);
    }
  }
  const [first, ...rest] = routes.map((route) => sourceKeyPath(route.target));
  for (const [index, path] of rest.entries()) {
    if (path !== first) {
      throw new Error(
        `routes by ${by} must read the source key from one field: ${routes[0]?.target.record.name} reads ${first}, ${routes[index + 1]?.target.record.name} reads ${path}`,
      );
    }
  }
  return { by, routes };
}

/** The routes of a migration's target: a plain target is the one route every record takes. */
export function routesOf(targets: Targets): readonly Route[] {
  return 'routes' in targets ? targets.routes : [{ when: [], target: targets }];
}

/** Every table of every route, in the order they are created. */
export function tablesOf(targets: Targets): Table[] {
  return routesOf(targets).flatMap((route) => route.target.tables);
}

/** Picks each record's target: by the route field's value, or the one target. */
export function routeChooser(targets: Targets): RouteChooser {
  if (!('routes' in targets)) return () => targets;
  const byValue = new Map<string, Target>();
  for (const route of targets.routes) {
    for (const value of route.when) byValue.set(String(value), route.target);
  }
  return (record) => byValue.get(String(valueAt(record, record, targets.by)));
}

/** The source record's field a target's source key column reads (`id`, `DocEntry`). */
export function sourceKeyPath(target: Target): string {
  const column = target.record.columns[target.sourceKey] as Table['columns'][string];
  return pathsOf(target.sourceKey, column)[0] as string;
}
