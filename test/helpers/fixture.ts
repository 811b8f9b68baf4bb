import {
  startWooEmulator,
  type WooEmulator,
  type WooEmulatorOptions,
} from '../../src/sandbox/emulators/woocommerce/server.js';
import type { SourceConnection } from '../../src/sandbox/state-file.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { startTestWorker, type TestWorker } from './worker.js';

export function wooConnection(emulator: WooEmulator): SourceConnection {
  return {
    kind: 'woocommerce',
    baseUrl: emulator.siteUrl,
    consumerKey: emulator.consumerKey,
    consumerSecret: emulator.consumerSecret,
  };
}

export interface BackfillFixture {
  emulator: WooEmulator;
  database: TestDatabase;
  worker: TestWorker;
  stop(): Promise<void>;
}

/** An emulated store, a fresh database and a real worker whose `woocommerce` connection is that store. */
export async function startBackfillFixture(store: WooEmulatorOptions): Promise<BackfillFixture> {
  const emulator = await startWooEmulator(store);
  const database = await createTestDatabase();
  const worker = await startTestWorker(database.db, { woocommerce: wooConnection(emulator) });
  return {
    emulator,
    database,
    worker,
    stop: async () => {
      await worker.stop();
      await emulator.close();
      await database.drop();
    },
  };
}
