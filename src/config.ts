import { z } from 'zod';
import { type SourceConnection, sourceConnectionSchema } from './connectors/connection.js';
import { FerryError } from './errors.js';
import { type DevStackState, readLiveState, stateFilePath } from './sandbox/state-file.js';

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
  'TEMPORAL_CLI_PATH',
];
export const CONNECTION_ENV_VAR =
  /^FERRY_CONN_[A-Z0-9_]+_(KIND|URL|KEY|SECRET|COMPANY_DB|USER|PASSWORD|TIMEOUT_SECONDS)$/;

export interface FerryConfig {
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  databaseUrl: string | undefined;
  /** Where the values came from, for error messages. */
  origin: 'environment' | 'ferry dev state file' | 'defaults';
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
  const fromEnv = vars.TEMPORAL_ADDRESS !== undefined || vars.DATABASE_URL !== undefined;
  return {
    temporalAddress: vars.TEMPORAL_ADDRESS ?? devState?.temporalAddress ?? 'localhost:7233',
    namespace: vars.TEMPORAL_NAMESPACE ?? devState?.namespace ?? 'default',
    taskQueue: vars.FERRY_TASK_QUEUE ?? DEFAULT_TASK_QUEUE,
    databaseUrl: vars.DATABASE_URL ?? devState?.databaseUrl,
    origin: fromEnv ? 'environment' : devState ? 'ferry dev state file' : 'defaults',
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
  return `FERRY_CONN_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_`;
}

/** Each kind's fields and the FERRY_CONN_<NAME>_ variable that sets each one. */
const CONNECTION_VARIABLES = {
  woocommerce: {
    baseUrl: 'URL',
    consumerKey: 'KEY',
    consumerSecret: 'SECRET',
    requestTimeoutSeconds: 'TIMEOUT_SECONDS',
  },
  sap: {
    baseUrl: 'URL',
    companyDb: 'COMPANY_DB',
    userName: 'USER',
    password: 'PASSWORD',
    requestTimeoutSeconds: 'TIMEOUT_SECONDS',
  },
} as const;

/** The environment variables that configure a connection: what a worker process is started with. */
export function connectionEnv(name: string, connection: SourceConnection): Record<string, string> {
  const prefix = connectionEnvPrefix(name);
  const fields = CONNECTION_VARIABLES[connection.kind] as Record<string, string>;
  return {
    [`${prefix}KIND`]: connection.kind,
    ...Object.fromEntries(
      Object.entries(fields)
        .map(([field, suffix]) => [suffix, (connection as unknown as Record<string, unknown>)[field]])
        .filter(([, value]) => value !== undefined)
        .map(([suffix, value]) => [`${prefix}${suffix}`, String(value)]),
    ),
  };
}

/**
 * Workflows carry only a connection's name; its address and secrets are resolved here, inside an activity,
 * from FERRY_CONN_<NAME>_* (KIND, then URL, KEY and SECRET for WooCommerce or URL, COMPANY_DB, USER and
 * PASSWORD for SAP) or the running dev stack.
 */
export function resolveSourceConnection(
  name: string,
  env: NodeJS.ProcessEnv,
  devState: DevStackState | undefined,
): SourceConnection {
  const prefix = connectionEnvPrefix(name);
  if (env[`${prefix}URL`] !== undefined) {
    const kind = env[`${prefix}KIND`] ?? 'woocommerce';
    const fields = (CONNECTION_VARIABLES as Record<string, Record<string, string>>)[kind];
    if (!fields) {
      throw new FerryError(
        `Connection "${name}": ${prefix}KIND is "${kind}"; it must be one of ${Object.keys(CONNECTION_VARIABLES).join(', ')}`,
      );
    }
    const parsed = sourceConnectionSchema.safeParse({
      kind,
      ...Object.fromEntries(
        Object.entries(fields).map(([field, suffix]) => [field, env[`${prefix}${suffix}`]]),
      ),
    });
    if (!parsed.success) {
      const field = String(parsed.error.issues[0]?.path[0]);
      throw new FerryError(
        `Connection "${name}": ${prefix}${fields[field] ?? field} is invalid (${parsed.error.issues[0]?.message})`,
      );
    }
    return parsed.data;
  }
  const fromDev = devState?.connections[name];
  if (fromDev) return fromDev;
  throw new FerryError(
    `Connection "${name}" is not configured: set ${prefix}URL, ${prefix}KEY and ${prefix}SECRET (WooCommerce), ` +
      `or ${prefix}KIND=sap with ${prefix}URL, ${prefix}COMPANY_DB, ${prefix}USER and ${prefix}PASSWORD (SAP), ` +
      'or start `ferry dev`',
  );
}
