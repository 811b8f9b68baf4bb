import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { type FerryConfig, loadConfig } from '../config.js';
import { describeCause, FerryError } from '../errors.js';
import { installTemporalRuntime } from '../temporal-runtime.js';

function unreachable(config: FerryConfig, error: unknown): FerryError {
  return new FerryError(
    `Cannot reach Temporal at ${config.temporalAddress} (from ${config.origin}: ${describeCause(error)}); ` +
      'start `ferry dev` or set TEMPORAL_ADDRESS',
  );
}

export async function connectClient(config: FerryConfig): Promise<Client> {
  try {
    const connection = await Connection.connect({
      address: config.temporalAddress,
      connectTimeout: '5 seconds',
    });
    return new Client({ connection, namespace: config.namespace });
  } catch (error) {
    throw unreachable(config, error);
  }
}

export async function connectWorkerConnection(config: FerryConfig): Promise<NativeConnection> {
  installTemporalRuntime();
  try {
    return await NativeConnection.connect({ address: config.temporalAddress });
  } catch (error) {
    throw unreachable(config, error);
  }
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
