import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { FerryError } from '../errors.js';
import { connectDb } from '../target/db.js';
import { upgradeEngineSchema } from '../target/schema.js';
import { type EboekhoudenEmulator, startEboekhoudenEmulator } from './emulators/eboekhouden/server.js';
import { type NeonEmulator, startNeonEmulator } from './emulators/neon/server.js';
import { type SapEmulator, startSapEmulator } from './emulators/sap/server.js';
import { startWooEmulator, type WooEmulator } from './emulators/woocommerce/server.js';
import { assertPortsFree } from './ports.js';
import { postgresDataDir, startEmbeddedPostgres } from './postgres.js';
import { type DevStackState, ferryHome, readLiveState, stateFilePath } from './state-file.js';
import { resolveTemporalCli } from './temporal-cli.js';
import { startTemporalDevServer, type TemporalDevServer } from './temporal-server.js';

export interface DevStackOptions {
  orders: number;
  seed: number;
  /** Keep Temporal history and PostgreSQL data across restarts in FERRY_HOME. */
  persist: boolean;
  temporalPort: number;
  uiPort: number;
  postgresPort: number;
  emulatorPort: number;
  /** The SAP Business One Service Layer emulator. */
  sapPort: number;
  sapOrders: number;
  /** The e-Boekhouden REST API emulator. */
  eboekhoudenPort: number;
  eboekhoudenMutations: number;
  /** The Neon CRM API emulator. */
  neonPort: number;
  neonAccounts: number;
  rateLimitPerMinute: number;
  /** Use this PostgreSQL instead of starting an embedded one. */
  databaseUrl?: string;
}

export interface DevStack {
  state: DevStackState;
  temporal: TemporalDevServer;
  db: Knex;
  emulator: WooEmulator;
  sap: SapEmulator;
  eboekhouden: EboekhoudenEmulator;
  neon: NeonEmulator;
  stop(): Promise<void>;
}

/**
 * Starts PostgreSQL (DATABASE_URL or embedded), the Temporal dev server with its Web UI, and the WooCommerce,
 * SAP Business One, e-Boekhouden and Neon CRM emulators. Everything already started is stopped again if a later step fails.
 */
export async function startDevStack(
  options: DevStackOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<DevStack> {
  const home = ferryHome(env);
  const stops: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const fn of stops.reverse()) await fn().catch(() => undefined);
    stops.length = 0;
  };
  try {
    // Check everything that can be wrong before anything starts.
    const running = await readLiveState(stateFilePath(env));
    if (running) {
      throw new FerryError(
        `\`ferry dev\` is already running (pid ${running.pid}) with FERRY_HOME=${home}; stop it first or use another FERRY_HOME`,
      );
    }
    await assertPortsFree([
      { port: options.temporalPort, flag: '--temporal-port' },
      { port: options.uiPort, flag: '--ui-port' },
      { port: options.postgresPort, flag: '--postgres-port' },
      { port: options.emulatorPort, flag: '--emulator-port' },
      { port: options.sapPort, flag: '--sap-port' },
      { port: options.eboekhoudenPort, flag: '--eboekhouden-port' },
      { port: options.neonPort, flag: '--neon-port' },
    ]);
    const cli = await resolveTemporalCli(env);

    // An external database is checked before anything starts; the Temporal dev server, the step most likely to
    // fail (a missing CLI, no download), starts before embedded PostgreSQL.
    const externalDb = options.databaseUrl ? await connectDb(options.databaseUrl) : undefined;
    if (externalDb) stops.push(() => externalDb.destroy());

    if (options.persist) await mkdir(home, { recursive: true });
    const temporal = await startTemporalDevServer({
      cli,
      port: options.temporalPort,
      uiPort: options.uiPort,
      dbFilename: options.persist ? join(home, 'temporal.db') : undefined,
    });
    stops.push(temporal.stop);

    let databaseUrl = options.databaseUrl;
    let db = externalDb;
    if (!databaseUrl || !db) {
      const postgres = await startEmbeddedPostgres({
        dataDir: postgresDataDir(home),
        port: options.postgresPort,
        fresh: !options.persist,
      });
      stops.push(postgres.stop);
      databaseUrl = postgres.databaseUrl;
      const embeddedDb = await connectDb(databaseUrl);
      stops.push(() => embeddedDb.destroy());
      db = embeddedDb;
    }
    await upgradeEngineSchema(db);

    const emulator = await startWooEmulator({
      orders: options.orders,
      seed: options.seed,
      port: options.emulatorPort,
      rateLimitPerMinute: options.rateLimitPerMinute,
    });
    stops.push(emulator.close);
    const sap = await startSapEmulator({
      orders: options.sapOrders,
      seed: options.seed,
      port: options.sapPort,
      rateLimitPerMinute: options.rateLimitPerMinute,
    });
    stops.push(sap.close);
    const eboekhouden = await startEboekhoudenEmulator({
      mutations: options.eboekhoudenMutations,
      seed: options.seed,
      port: options.eboekhoudenPort,
      rateLimitPerMinute: options.rateLimitPerMinute,
    });
    stops.push(eboekhouden.close);
    const neon = await startNeonEmulator({
      accounts: options.neonAccounts,
      seed: options.seed,
      port: options.neonPort,
      rateLimitPerMinute: options.rateLimitPerMinute,
    });
    stops.push(neon.close);

    const state: DevStackState = {
      pid: process.pid,
      temporalAddress: temporal.address,
      namespace: temporal.namespace,
      uiUrl: temporal.uiUrl,
      databaseUrl,
      emulators: {
        woocommerce: { baseUrl: emulator.baseUrl, controlUrl: emulator.controlUrl },
        sap: { baseUrl: sap.serviceUrl, controlUrl: sap.controlUrl },
        eboekhouden: { baseUrl: eboekhouden.apiUrl, controlUrl: eboekhouden.controlUrl },
        neon: { baseUrl: neon.apiUrl, controlUrl: neon.controlUrl },
      },
      connections: {
        woocommerce: emulator.connection,
        sap: sap.connection,
        eboekhouden: eboekhouden.connection,
        neon: neon.connection,
      },
    };
    return { state, temporal, db, emulator, sap, eboekhouden, neon, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
