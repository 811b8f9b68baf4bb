import { z } from 'zod';

/** How long one request may take before it counts as hung and is sent again; every kind has it. */
const requestTimeoutSeconds = z.coerce.number().int().min(1).max(600).optional();

/** A field of a connection and the FERRY_CONN_<NAME>_<VARIABLE> environment variable that sets it. */
export interface ConnectionField<T extends z.ZodType = z.ZodType> {
  variable: string;
  schema: T;
}

type FieldSchemas<F extends Record<string, ConnectionField>> = { [K in keyof F]: F[K]['schema'] };

/** A kind of connection: its fields, where each is read from, and their validation. */
export interface ConnectionKind<
  K extends string = string,
  F extends Record<string, ConnectionField> = Record<string, ConnectionField>,
> {
  readonly kind: K;
  /** Each field (the request timeout included) and its variable's suffix, e.g. `baseUrl` → `URL`. */
  readonly variables: Readonly<Record<string, string>>;
  readonly schema: z.ZodObject<
    { kind: z.ZodLiteral<K>; requestTimeoutSeconds: typeof requestTimeoutSeconds } & FieldSchemas<F>
  >;
}

/**
 * Declares a kind of connection. Its fields are read from `FERRY_CONN_<NAME>_<variable>` (and
 * `FERRY_CONN_<NAME>_KIND` names the kind); `TIMEOUT_SECONDS` comes with every kind.
 */
export function defineConnectionKind<
  const K extends string,
  const F extends Record<string, ConnectionField>,
>(definition: { kind: K; fields: F }): ConnectionKind<K, F> {
  const fields = Object.entries(definition.fields);
  return {
    kind: definition.kind,
    variables: {
      ...Object.fromEntries(fields.map(([name, field]) => [name, field.variable])),
      requestTimeoutSeconds: 'TIMEOUT_SECONDS',
    },
    schema: z.object({
      kind: z.literal(definition.kind),
      ...Object.fromEntries(fields.map(([name, field]) => [name, field.schema])),
      requestTimeoutSeconds,
    }) as ConnectionKind<K, F>['schema'],
  };
}

const KINDS = new Map<string, ConnectionKind>();

/** Makes a kind known to `resolveSourceConnection`; a second, different definition of a kind is refused. */
export function registerConnectionKind(kind: ConnectionKind): void {
  const existing = KINDS.get(kind.kind);
  if (existing && existing !== kind) throw new Error(`connection kind ${kind.kind} is already registered`);
  KINDS.set(kind.kind, kind as ConnectionKind);
}

export function connectionKind(name: string): ConnectionKind | undefined {
  return KINDS.get(name);
}

export function connectionKinds(): ConnectionKind[] {
  return [...KINDS.values()];
}
