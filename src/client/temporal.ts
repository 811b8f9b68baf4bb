import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { type FerryConfig, loadConfig } from '../config.js';
import { describeCause, FerryError } from '../errors.js';
import { installTemporalRuntime } from '../temporal-runtime.js';
import { probeTls } from './tls-probe.js';
import { waitFor } from './wait.js';

/** The TLS layer refused the connection (see probeTls): waiting or retrying with the same settings cannot help. */
class TlsRefused extends Error {}

/** A failed connect, explained: if TLS is configured, a handshake of ferry's own tells whether TLS refused it. */
async function explain(config: FerryConfig, error: unknown): Promise<unknown> {
  const { tls } = config.temporal.connection;
  if (!tls) return error;
  const reason = await probeTls(config.temporalAddress, tls);
  return reason === undefined ? error : new TlsRefused(reason);
}

function connectFailure(config: FerryConfig, error: unknown): FerryError {
  if (error instanceof TlsRefused) {
    const settings = config.temporal.clientCertificate
      ? 'the client certificate and key (TEMPORAL_TLS_CLIENT_CERT_PATH / _KEY_PATH, or tls.client_cert_path / client_key_path)'
      : 'the server CA and name (TEMPORAL_TLS_SERVER_CA_CERT_PATH / TEMPORAL_TLS_SERVER_NAME, or tls.server_ca_cert_path / server_name)';
    return new FerryError(
      `Temporal at ${config.temporalAddress} refused the TLS connection; check ${settings} of ${config.temporal.source}: ${error.message}`,
    );
  }
  return new FerryError(
    `Cannot reach Temporal at ${config.temporalAddress} (from ${config.origin}: ${describeCause(error)}); ` +
      'start `ferry dev` or set TEMPORAL_ADDRESS',
  );
}

/** The connection options every ferry connection to Temporal is made with: the address and the profile's TLS, key, metadata. */
const connectionOptions = (config: FerryConfig) => ({
  address: config.temporalAddress,
  ...config.temporal.connection,
});

export async function connectClient(config: FerryConfig): Promise<Client> {
  try {
    const connection = await Connection.connect({
      ...connectionOptions(config),
      connectTimeout: '5 seconds',
    });
    return new Client({ connection, namespace: config.namespace });
  } catch (error) {
    throw connectFailure(config, await explain(config, error));
  }
}

async function connectNative(config: FerryConfig): Promise<NativeConnection> {
  installTemporalRuntime();
  try {
    return await NativeConnection.connect(connectionOptions(config));
  } catch (error) {
    throw await explain(config, error);
  }
}

export async function connectWorkerConnection(config: FerryConfig): Promise<NativeConnection> {
  try {
    return await connectNative(config);
  } catch (error) {
    throw connectFailure(config, error);
  }
}

/** A worker's connection, waited for while Temporal is down (see waitFor); a TLS refusal fails at once. */
export function awaitWorkerConnection(
  config: FerryConfig,
  waitMs: number,
  signal?: AbortSignal,
): Promise<NativeConnection> {
  return waitFor(`Temporal at ${config.temporalAddress}`, waitMs, () => connectNative(config), {
    permanent: (error) => error instanceof TlsRefused,
    failure: (error) => connectFailure(config, error),
    ...(signal ? { signal } : {}),
  });
}

/** Runs a command's body with a client on the configured Temporal, closing the connection however it ends. */
export async function withClient<T>(body: (client: Client, config: FerryConfig) => Promise<T>): Promise<T> {
  const config = await loadConfig();
  const client = await connectClient(config);
  try {
    return await body(client, config);
  } finally {
    await client.connection.close();
  }
}
