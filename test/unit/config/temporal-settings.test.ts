import { writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { writeStateFile } from '../../../src/sandbox/state-file.js';
import { loadTemporalSettings } from '../../../src/temporal-settings.js';

let dir: string;
let file: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-profile-'));
  file = join(dir, 'temporal.toml');
  await writeFile(join(dir, 'ca.pem'), 'not really a CA');
  await writeFile(
    file,
    `[profile.default]
address = "localhost:7233"

[profile.cloud]
address = "ferry.a1b2c.tmprl.cloud:7233"
namespace = "ferry.a1b2c"
api_key = "secret-from-the-file"

[profile.private]
address = "temporal.internal:7233"
[profile.private.tls]
server_ca_cert_path = "${join(dir, 'ca.pem')}"
server_name = "temporal.internal"
`,
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const home = { HOME: '/nonexistent', FERRY_HOME: '/nonexistent' };

describe('Temporal settings, read as the temporal CLI reads them', () => {
  it('a Temporal Cloud profile: its address, namespace and key, TLS on; a variable wins over the file', () => {
    const cloud = loadTemporalSettings({ ...home, TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'cloud' });
    expect(cloud).toMatchObject({
      address: 'ferry.a1b2c.tmprl.cloud:7233',
      namespace: 'ferry.a1b2c',
      connection: { apiKey: 'secret-from-the-file', tls: true },
      clientCertificate: false,
    });
    const overridden = loadTemporalSettings({
      ...home,
      TEMPORAL_CONFIG_FILE: file,
      TEMPORAL_PROFILE: 'cloud',
      TEMPORAL_API_KEY: 'secret-from-the-environment',
      TEMPORAL_GRPC_META_X_TEAM: 'payments',
    });
    expect(overridden.connection).toMatchObject({
      apiKey: 'secret-from-the-environment',
      metadata: { 'x-team': 'payments' },
    });
  });

  it("a private cluster's CA file is read; the config and ferry's commands use the profile's address", async () => {
    const env = { ...home, TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'private' };
    const settings = loadTemporalSettings(env);
    const tls = settings.connection.tls as {
      serverNameOverride: string;
      serverRootCACertificate: Uint8Array;
    };
    expect(tls.serverNameOverride).toBe('temporal.internal');
    expect(Buffer.from(tls.serverRootCACertificate).toString()).toBe('not really a CA');
    expect(await loadConfig(env)).toMatchObject({
      temporalAddress: 'temporal.internal:7233',
      origin: 'Temporal profile',
    });
  });

  it('a running ferry dev wins over a default profile nobody chose; a chosen profile wins over ferry dev', async () => {
    const ferryHome = join(dir, 'home');
    await writeStateFile(join(ferryHome, 'dev.json'), {
      pid: process.pid,
      temporalAddress: '127.0.0.1:7777',
      namespace: 'default',
      uiUrl: 'http://127.0.0.1:8233',
      databaseUrl: 'postgres://ferry@127.0.0.1:5432/ferry',
      emulators: { woocommerce: { baseUrl: 'http://127.0.0.1:1', controlUrl: 'http://127.0.0.1:2' } },
      connections: {},
    });
    // The default profile (as ~/.config/temporalio/temporal.toml would hold it) names Temporal Cloud.
    const cloudByDefault = join(dir, 'default-cloud.toml');
    await writeFile(cloudByDefault, '[profile.default]\naddress = "x.tmprl.cloud:7233"\napi_key = "k"\n');
    const home = join(dir, 'user');
    await mkdir(join(home, '.config', 'temporalio'), { recursive: true });
    await writeFile(
      join(home, '.config', 'temporalio', 'temporal.toml'),
      await readFile(cloudByDefault, 'utf8'),
    );
    const dev = await loadConfig({ HOME: home, FERRY_HOME: ferryHome });
    expect(dev).toMatchObject({ temporalAddress: '127.0.0.1:7777', origin: 'ferry dev state file' });
    expect(dev.temporal.connection).toEqual({});
    const chosen = await loadConfig({ HOME: home, FERRY_HOME: ferryHome, TEMPORAL_PROFILE: 'default' });
    expect(chosen).toMatchObject({ temporalAddress: 'x.tmprl.cloud:7233', origin: 'Temporal profile' });
    expect(chosen.temporal.connection).toMatchObject({ apiKey: 'k', tls: true });
  });

  it('without a file or variables, nothing is configured (a running ferry dev is found instead)', () => {
    expect(loadTemporalSettings(home)).toMatchObject({ address: undefined, connection: {} });
  });

  it('names what is wrong, never a secret', () => {
    expect(() => loadTemporalSettings({ ...home, TEMPORAL_CONFIG_FILE: join(dir, 'missing.toml') })).toThrow(
      `TEMPORAL_CONFIG_FILE names ${join(dir, 'missing.toml')}, which does not exist`,
    );
    expect(() =>
      loadTemporalSettings({ ...home, TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'staging' }),
    ).toThrow(
      `Cannot load the Temporal settings (profile "staging" of ${file} and TEMPORAL_* variables): Profile 'staging' not found in config data`,
    );
    const broken = join(dir, 'broken.toml');
    writeFileSync(broken, '[profile.default]\napi_key = "half-a-secret\naddress = "x"\n');
    expect(() => loadTemporalSettings({ ...home, TEMPORAL_CONFIG_FILE: broken })).toThrow(
      `Cannot load the Temporal settings (profile "default" of ${broken} and TEMPORAL_* variables): Invalid TOML document: control characters are not allowed in strings`,
    );
    try {
      loadTemporalSettings({ ...home, TEMPORAL_CONFIG_FILE: broken });
    } catch (error) {
      expect((error as Error).message).not.toContain('half-a-secret');
    }
    expect(() =>
      loadTemporalSettings({
        ...home,
        TEMPORAL_CONFIG_FILE: file,
        TEMPORAL_PROFILE: 'cloud',
        TEMPORAL_TLS_CLIENT_CERT_PATH: join(dir, 'client.pem'),
        TEMPORAL_TLS_CLIENT_KEY_PATH: join(dir, 'client.key'),
      }),
    ).toThrow(`cannot read ${join(dir, 'client.pem')} (ENOENT)`);
  });
});
