import { existsSync } from 'node:fs';
import { type ClientConfigProfile, loadClientConfigProfile, toClientOptions } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { FerryError } from './errors.js';

/**
 * How ferry reaches Temporal beyond its address: TLS (a server CA, a server name), mTLS (a client certificate and
 * key), an API key (Temporal Cloud) and gRPC metadata, read as the stock `temporal` CLI reads them, by Temporal's
 * own loader: a profile of `temporal.toml` (TEMPORAL_CONFIG_FILE, else ~/.config/temporalio/temporal.toml;
 * TEMPORAL_PROFILE, else `default`), with TEMPORAL_* variables over it. Secrets stay in these options: messages
 * name the setting or the file, never a value.
 */
export interface TemporalSettings {
  address: string | undefined;
  namespace: string | undefined;
  connection: Pick<NativeConnectionOptions, 'tls' | 'apiKey' | 'metadata'>;
  /** Where the settings came from, for messages: `profile "prod" of /etc/temporal.toml`, or the variables. */
  source: string;
  /** Whether a client certificate is configured (an mTLS refusal then names it). */
  clientCertificate: boolean;
}

/** The variables Temporal's loader reads (besides TEMPORAL_GRPC_META_*), for the list of what ferry reads. */
export const TEMPORAL_ENV_VARS = [
  'TEMPORAL_PROFILE',
  'TEMPORAL_CONFIG_FILE',
  'TEMPORAL_API_KEY',
  'TEMPORAL_TLS',
  'TEMPORAL_TLS_CLIENT_CERT_PATH',
  'TEMPORAL_TLS_CLIENT_CERT_DATA',
  'TEMPORAL_TLS_CLIENT_KEY_PATH',
  'TEMPORAL_TLS_CLIENT_KEY_DATA',
  'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
  'TEMPORAL_TLS_SERVER_CA_CERT_DATA',
  'TEMPORAL_TLS_SERVER_NAME',
];

function describeSource(env: NodeJS.ProcessEnv): string {
  const file = env.TEMPORAL_CONFIG_FILE;
  const profile = env.TEMPORAL_PROFILE ?? 'default';
  return file
    ? `profile "${profile}" of ${file} and TEMPORAL_* variables`
    : `profile "${profile}" and TEMPORAL_* variables`;
}

/** The local dev stack's settings: its address from the state file, no TLS, no key. */
export const devSettings = (): TemporalSettings => ({
  address: undefined,
  namespace: undefined,
  connection: {},
  source: 'the ferry dev state file',
  clientCertificate: false,
});

export function loadTemporalSettings(env: NodeJS.ProcessEnv = process.env): TemporalSettings {
  const source = describeSource(env);
  if (env.TEMPORAL_CONFIG_FILE && !existsSync(env.TEMPORAL_CONFIG_FILE)) {
    throw new FerryError(`TEMPORAL_CONFIG_FILE names ${env.TEMPORAL_CONFIG_FILE}, which does not exist`);
  }
  const defined = Object.fromEntries(
    Object.entries(env).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '',
    ),
  );
  let profile: ClientConfigProfile;
  let connection: TemporalSettings['connection'];
  try {
    profile = loadClientConfigProfile({ overrideEnvVars: defined });
    // Reads the certificate and key files the profile names.
    connection = toClientOptions(profile).connectionOptions;
  } catch (error) {
    throw new FerryError(`Cannot load the Temporal settings (${source}): ${settingError(error)}`);
  }
  return {
    address: profile.address,
    namespace: profile.namespace,
    connection: {
      ...(connection.tls === undefined ? {} : { tls: connection.tls }),
      ...(connection.apiKey === undefined ? {} : { apiKey: connection.apiKey }),
      ...(connection.metadata && Object.keys(connection.metadata).length > 0
        ? { metadata: connection.metadata }
        : {}),
    },
    source,
    clientCertificate: profile.tls?.clientCert !== undefined,
  };
}

/** A loader error as one line: the file it could not read (never its contents), or the loader's own words. */
function settingError(error: unknown): string {
  const failure = error as NodeJS.ErrnoException & { path?: string };
  if (failure?.code && failure.path) return `cannot read ${failure.path} (${failure.code})`;
  // Only the first line: a TOML error goes on to quote the lines around the fault, an API key among them perhaps.
  return (failure instanceof Error ? failure.message : String(error)).split('\n')[0] as string;
}
