import { once } from 'node:events';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { startWooEmulator, type WooEmulator } from '../../src/sandbox/emulators/woocommerce/server.js';
import { freePort } from '../../src/sandbox/ports.js';
import { makeCertificates, type TestCertificates } from '../helpers/certificates.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { runCli } from '../helpers/run-cli.js';
import { startTlsProxy, type TlsProxy } from '../helpers/tls-proxy.js';
import { WorkerProcesses } from '../helpers/worker-process.js';

const API_KEY = 'ferry-test-api-key';
const taskQueue = `secured-${Date.now()}`;
let certificates: TestCertificates;
let proxy: TlsProxy;
let emulator: WooEmulator;
let database: TestDatabase;
let profileFile: string;
const workers = new WorkerProcesses({
  databaseUrl: () => database.url,
  taskQueue,
  connections: () => ({ woocommerce: emulator.connection }),
});

/** A temporal.toml as the stock CLI reads it: a profile with the proxy's address, its CA, a client pair, a key. */
const profile = (cert: string, key: string) => `
[profile.secured]
address = "${proxy.address}"
namespace = "${inject('temporalNamespace')}"
api_key = "${API_KEY}"

[profile.secured.tls]
server_ca_cert_path = "${certificates.ca}"
server_name = "localhost"
client_cert_path = "${cert}"
client_key_path = "${key}"
`;

/** Every variable a command gets: the profile, and no TEMPORAL_ADDRESS, so the profile's address is the one. */
const env = (file = profileFile) => ({
  TEMPORAL_CONFIG_FILE: file,
  TEMPORAL_PROFILE: 'secured',
  TEMPORAL_ADDRESS: '',
  DATABASE_URL: database.url,
  FERRY_TASK_QUEUE: taskQueue,
  FERRY_HOME: '/nonexistent-ferry-home',
});

beforeAll(async () => {
  certificates = await makeCertificates();
  proxy = await startTlsProxy(inject('temporalAddress'), certificates);
  emulator = await startWooEmulator({ orders: 300, seed: 71 });
  database = await createTestDatabase();
  profileFile = join(certificates.dir, 'temporal.toml');
  await writeFile(profileFile, profile(certificates.clientCert, certificates.clientKey));
}, 60_000);
afterAll(async () => {
  workers.killAll();
  await proxy?.close();
  await emulator?.close();
  await database?.drop();
  await rm(certificates.dir, { recursive: true, force: true });
});

it('the worker and ferry start/status reach Temporal behind mTLS with a temporal.toml profile; the API key travels as metadata', async () => {
  const worker = workers.spawn({ env: env() });
  const started = await runCli(
    ['start', 'woocommerce-orders', '--id', `test/secured-${Date.now()}`, '--json'],
    env(),
  );
  expect(started.stderr).toBe('');
  const { workflowId } = JSON.parse(started.stdout);
  for (;;) {
    const status = JSON.parse((await runCli(['status', workflowId, '--json'], env())).stdout);
    if (status.state !== 'running') {
      expect(status.state).toBe('completed');
      break;
    }
    await sleep(500);
  }
  expect(await database.db('orders').count({ n: '*' }).first()).toEqual({ n: '300' });
  // Every call came through the proxy with the profile's key, as Temporal Cloud expects it.
  expect(proxy.authorizations.length).toBeGreaterThan(10);
  expect(new Set(proxy.authorizations)).toEqual(new Set([`Bearer ${API_KEY}`]));
  worker.kill('SIGTERM');
  await once(worker, 'exit');
}, 120_000);

it('a client certificate the server refuses fails at once, in one line that names the setting and never the key', async () => {
  const stranger = join(certificates.dir, 'stranger.toml');
  await writeFile(stranger, profile(certificates.strangerCert, certificates.strangerKey));
  for (const args of [['status', 'test/none', '--json'], ['worker']]) {
    const result = await runCli(args, env(stranger), 60_000);
    expect(result.code).toBe(1);
    const output = (result.stdout + result.stderr).trim();
    expect(output).toMatch(
      /Temporal at localhost:\d+ refused the TLS connection; check the client certificate and key \(TEMPORAL_TLS_CLIENT_CERT_PATH \/ _KEY_PATH, or tls\.client_cert_path \/ client_key_path\) of profile "secured" of .*stranger\.toml/,
    );
    expect(output).not.toContain(API_KEY);
  }
}, 120_000);

it('a profile naming a certificate file that is not there is refused before anything is contacted', async () => {
  const missing = join(certificates.dir, 'missing.toml');
  await writeFile(missing, profile(join(certificates.dir, 'nope.crt'), certificates.clientKey));
  const result = await runCli(['status', 'test/none'], env(missing));
  expect(result.code).toBe(1);
  expect(result.stderr.trim()).toBe(
    `ferry: Cannot load the Temporal settings (profile "secured" of ${missing} and TEMPORAL_* variables): cannot read ${join(certificates.dir, 'nope.crt')} (ENOENT)`,
  );
});

it('a TLS profile whose server is down is told as unreachable (a worker would wait for it), not as a TLS refusal', async () => {
  const down = join(certificates.dir, 'down.toml');
  const port = await freePort();
  await writeFile(
    down,
    profile(certificates.clientCert, certificates.clientKey).replace(proxy.address, `localhost:${port}`),
  );
  const result = await runCli(['status', 'test/none'], env(down));
  expect(result.code).toBe(1);
  expect(result.stderr).toContain(`Cannot reach Temporal at localhost:${port}`);
  expect(result.stderr).not.toContain('TLS');
});
