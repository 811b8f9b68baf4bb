import {
  startWooEmulator,
  type WooEmulator,
  type WooEmulatorOptions,
} from '../../src/sandbox/emulators/woocommerce/server.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { startTestWorker, type TestWorker } from './worker.js';

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
  const worker = await startTestWorker(database.db, { woocommerce: emulator.connection });
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
