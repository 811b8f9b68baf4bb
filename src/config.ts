import { z } from 'zod';
// Also registers the built-in connection kinds (woocommerce, sap).
import type { SourceConnection } from './connectors/connection.js';
import './connectors/connection.js';
import { FerryError } from './errors.js';
import { type ConnectionKind, connectionKind, connectionKinds } from './kit/connections.js';
import { type DevStackState, readLiveState, stateFilePath } from './sandbox/state-file.js';
import {
  devSettings,
  loadTemporalSettings,
  TEMPORAL_ENV_VARS,
  type TemporalSettings,
} from './temporal-settings.js';

export const DEFAULT_TASK_QUEUE = 'ferry';

const envSchema = z.object({
  TEMPORAL_ADDRESS: z.string().min(1).optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).optional(),
  FERRY_TASK_QUEUE: z.string().min(1).optional(),
  /** A team's migration modules, comma-separated: paths (against the working directory) or package names. */
  FERRY_MIGRATIONS: z.string().min(1).optional(),
  DATABASE_URL: z
    .string()
    .refine((value) => /^postgres(ql)?:\/\//.test(value), 'must start with postgres:// or postgresql://')
    .optional(),
});

/** Every environment variable ferry reads, besides the FERRY_CONN_<NAME>_* connection variables. */
export const FERRY_ENV_VARS = [
  ...Object.keys(envSchema.shape),
  'FERRY_HOME',
  'FERRY_LOG_LEVEL',
  'FERRY_METRICS_ADDRESS',
  'FERRY_HEALTH_ADDRESS',
  'TEMPORAL_CLI_PATH',
  ...TEMPORAL_ENV_VARS,
];
export interface FerryConfig {
  temporalAddress: string;
  namespace: string;
  /** TLS, API key and metadata, and where they came from (a temporal.toml profile, TEMPORAL_* variables). */
  temporal: TemporalSettings;
  taskQueue: string;
  databaseUrl: string | undefined;
  /** Where the values came from, for error messages. */
  origin: 'environment' | 'Temporal profile' | 'ferry dev state file' | 'defaults';
  stateFile: string;
  devState: DevStackState | undefined;
}

/** ferry's environment variables, validated. */
export function readFerryEnv(env: NodeJS.ProcessEnv) {
  // An empty variable (FOO= in a shell or compose file) means "not set", as most tools treat it.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new FerryError(`Invalid environment variable ${String(issue?.path[0])}: ${issue?.message}`);
  }
  return parsed.data;
}

/**
 * Environment variables win; without them, the addresses of a running `ferry dev` (its state file) are used,
 * so a newcomer's commands find the local stack by themselves.
 */
export async function loadConfig(env: NodeJS.ProcessEnv = process.env): Promise<FerryConfig> {
  const vars = readFerryEnv(env);
  const stateFile = stateFilePath(env);
  const devState = await readLiveState(stateFile);
  const fromEnv = vars.TEMPORAL_ADDRESS !== undefined;
  // A running `ferry dev` wins over a temporal.toml nobody asked for here (no TEMPORAL_ADDRESS, TEMPORAL_PROFILE or
  // TEMPORAL_CONFIG_FILE): a default profile pointing at a real cluster must not receive the dev stack's runs, and
  // a profile's key or TLS must not be sent to the dev server. Otherwise TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE
  // are applied over the profile by Temporal's loader.
  const chosen = ['TEMPORAL_ADDRESS', 'TEMPORAL_PROFILE', 'TEMPORAL_CONFIG_FILE'].some((name) => env[name]);
  const temporal = devState && !chosen ? devSettings() : loadTemporalSettings(env);
  return {
    temporalAddress: temporal.address ?? devState?.temporalAddress ?? 'localhost:7233',
    namespace: temporal.namespace ?? devState?.namespace ?? 'default',
    temporal,
    taskQueue: vars.FERRY_TASK_QUEUE ?? DEFAULT_TASK_QUEUE,
    databaseUrl: vars.DATABASE_URL ?? devState?.databaseUrl,
    origin: fromEnv
      ? 'environment'
      : temporal.address !== undefined
        ? 'Temporal profile'
        : devState
          ? 'ferry dev state file'
          : 'defaults',
    stateFile,
    devState,
  };
}

export function requireDatabaseUrl(config: FerryConfig): string {
  if (config.databaseUrl) return config.databaseUrl;
  throw new FerryError(
    `DATABASE_URL is not set and no \`ferry dev\` is running (no live state file at ${config.stateFile}); ` +
      'set DATABASE_URL=postgres://user:password@host:5432/db or start `ferry dev`',
  );
}

function connectionEnvPrefix(name: string): string {
  return `FERRY_CONN_${name.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}_`;
}

/** Every suffix a FERRY_CONN_<NAME>_ variable may have: KIND and each known kind's variables. */
function connectionSuffixes(): string[] {
  return [...new Set(['KIND', ...connectionKinds().flatMap((kind) => Object.values(kind.variables))])];
}

/** Is this one of the FERRY_CONN_<NAME>_* variables of a known kind (or the KIND that names one)? */
export function isConnectionEnvVar(variable: string): boolean {
  return connectionSuffixes().some((suffix) =>
    new RegExp(`^FERRY_CONN_[A-Z0-9_]+_${suffix}$`).test(variable),
  );
}

function kindOf(connection: SourceConnection): ConnectionKind {
  const kind = connectionKind(connection.kind);
  if (!kind) throw new FerryError(`Unknown connection kind "${connection.kind}"`);
  return kind;
}

/** The environment variables that configure a connection: what a worker process is started with. */
export function connectionEnv(name: string, connection: SourceConnection): Record<string, string> {
  const prefix = connectionEnvPrefix(name);
  return {
    [`${prefix}KIND`]: connection.kind,
    ...Object.fromEntries(
      Object.entries(kindOf(connection).variables)
        .map(([field, suffix]) => [suffix, (connection as Record<string, unknown>)[field]])
        .filter(([, value]) => value !== undefined)
        .map(([suffix, value]) => [`${prefix}${suffix}`, String(value)]),
    ),
  };
}

const kindNames = () => connectionKinds().map((kind) => kind.kind);

/**
 * Workflows carry only a connection's name; its address and secrets are resolved here, inside an activity,
 * from FERRY_CONN_<NAME>_KIND (woocommerce unless set) and the variables of that kind (see
 * defineConnectionKind), or from the running dev stack.
 */
export function resolveSourceConnection(
  name: string,
  env: NodeJS.ProcessEnv,
  devState: DevStackState | undefined,
): SourceConnection {
  const prefix = connectionEnvPrefix(name);
  const configured = connectionSuffixes().some((suffix) => env[`${prefix}${suffix}`]);
  if (configured) {
    const kindName = env[`${prefix}KIND`] || 'woocommerce';
    const kind = connectionKind(kindName);
    if (!kind) {
      throw new FerryError(
        `Connection "${name}": ${prefix}KIND is "${kindName}"; it must be one of ${kindNames().join(', ')}`,
      );
    }
    const parsed = kind.schema.safeParse({
      kind: kindName,
      ...Object.fromEntries(
        Object.entries(kind.variables).map(([field, suffix]) => [
          field,
          env[`${prefix}${suffix}`] || undefined,
        ]),
      ),
    });
    if (!parsed.success) {
      const field = String(parsed.error.issues[0]?.path[0]);
      throw new FerryError(
        `Connection "${name}": ${prefix}${kind.variables[field] ?? field} is invalid (${parsed.error.issues[0]?.message})`,
      );
    }
    return parsed.data as SourceConnection;
  }
  const fromDev = devState?.connections[name];
  if (fromDev) return fromDev;
  const kinds = connectionKinds()
    .map(
      (kind) =>
        `${kind.kind}: ${Object.values(kind.variables)
          .filter((suffix) => suffix !== 'TIMEOUT_SECONDS')
          .map((suffix) => `${prefix}${suffix}`)
          .join(', ')}`,
    )
    .join('; ');
  throw new FerryError(
    `Connection "${name}" is not configured: set ${prefix}KIND (woocommerce unless set) and that kind's variables ` +
      `(${kinds}), or start \`ferry dev\``,
  );
}
