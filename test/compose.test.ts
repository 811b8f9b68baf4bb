import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { parse } from 'yaml';
import { FERRY_ENV_VARS, isConnectionEnvVar } from '../src/config.js';
import { DEV_SERVER_DYNAMIC_CONFIG } from '../src/sandbox/temporal-server.js';
import { FERRY_SEARCH_ATTRIBUTES } from '../src/search-attributes.js';
import { runCli } from './helpers/run-cli.js';

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: string[] | Record<string, { condition: string }>;
}

/** Resolves ${VAR:-default} the way compose does when VAR is unset. */
function interpolate(value: string): string {
  return value.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');
}

const compose = parse(await readFile(new URL('../docker-compose.yml', import.meta.url), 'utf8')) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const services = compose.services;
const env = (name: string) =>
  Object.fromEntries(
    Object.entries(services[name]?.environment ?? {}).map(([key, value]) => [
      key,
      interpolate(String(value)),
    ]),
  );
const containerPorts = (name: string) =>
  (services[name]?.ports ?? []).map((mapping) => mapping.split(':').pop());
const dependencies = (service: Service) =>
  Array.isArray(service.depends_on) ? service.depends_on : Object.keys(service.depends_on ?? {});

describe('docker-compose.yml', () => {
  it('passes `docker compose config`, which reads it as these tests do', async () => {
    const [command, ...prefix] = inject('composeCommand');
    const { stdout, stderr } = await promisify(execFile)(command as string, [
      ...prefix,
      '--file',
      fileURLToPath(new URL('../docker-compose.yml', import.meta.url)),
      'config',
      '--format',
      'json',
    ]);
    // No warning either (an unset variable without a default, an obsolete key).
    expect(stderr).toBe('');
    const resolved = JSON.parse(stdout) as {
      services: Record<string, { image?: string; environment?: Record<string, string | null> }>;
    };
    expect(Object.keys(resolved.services).sort()).toEqual(Object.keys(services).sort());
    for (const [name, service] of Object.entries(resolved.services)) {
      expect(service.image, name).toBe(services[name]?.image);
      // The defaults these tests read are the values Compose gives when nothing is set.
      expect(service.environment ?? {}, name).toEqual(env(name));
    }
  });

  it('has Temporal (server and admin-tools, not the deprecated auto-setup) on PostgreSQL, its UI, a target PostgreSQL, setup jobs and a worker', () => {
    expect(Object.keys(services).sort()).toEqual([
      'ferry-setup',
      'grafana',
      'prometheus',
      'target-db',
      'temporal',
      'temporal-db',
      'temporal-schema',
      'temporal-ui',
      'worker',
    ]);
    const version = (image: string | undefined) => image?.split(':')[1];
    expect(services.temporal?.image).toMatch(/^temporalio\/server:\d+\.\d+\.\d+$/);
    expect(services['temporal-schema']?.image).toMatch(/^temporalio\/admin-tools:/);
    // The schema tool and the server come from one release: the schema is the one the server expects.
    expect(version(services['temporal-schema']?.image)).toBe(version(services.temporal?.image));
    expect(services['temporal-ui']?.image).toMatch(/^temporalio\/ui:\d+\.\d+\.\d+$/);
    expect(JSON.stringify(compose)).not.toContain('auto-setup');
  });

  it("sets Temporal's schema up before the server starts, from a script that creates only what is missing", async () => {
    const schema = services['temporal-schema'] as Service & { volumes: string[]; entrypoint: string[] };
    expect(services.temporal?.depends_on).toMatchObject({
      'temporal-schema': { condition: 'service_completed_successfully' },
    });
    const [mounted, at] = (schema.volumes[0] as string).split(':');
    expect(schema.entrypoint).toEqual(['/bin/sh', at]);
    const script = await readFile(new URL(`../${mounted}`, import.meta.url), 'utf8');
    expect(script).toContain('set -eu');
    for (const step of ['create', 'setup-schema -v 0.0', 'update-schema -d']) expect(script).toContain(step);
    const temporalDb = env('temporal-db');
    expect(env('temporal-schema')).toMatchObject({
      POSTGRES_SEEDS: 'temporal-db',
      POSTGRES_USER: temporalDb.POSTGRES_USER,
      SQL_PASSWORD: temporalDb.POSTGRES_PASSWORD,
    });
    for (const name of ['ferry-setup', 'temporal-ui'])
      expect(services[name]?.depends_on).toMatchObject({ temporal: { condition: 'service_healthy' } });
  });

  it("gives the server the dev server's dynamic config: eager activities, a transfer queue read without delay", async () => {
    const [mounted, at] = ((services.temporal as Service & { volumes: string[] }).volumes[0] as string).split(
      ':',
    );
    // Where temporalio/server reads its dynamic config unless DYNAMIC_CONFIG_FILE_PATH says otherwise.
    expect(at).toBe('/etc/temporal/config/dynamicconfig/docker.yaml');
    const config = parse(await readFile(new URL(`../${mounted}`, import.meta.url), 'utf8')) as Record<
      string,
      { value: unknown }[]
    >;
    const values = Object.fromEntries(
      Object.entries(config).map(([key, [setting]]) => [key, setting?.value]),
    );
    expect(values).toEqual(DEV_SERVER_DYNAMIC_CONFIG);
  });

  it('points every service at hosts, ports and credentials that exist', () => {
    const temporalDb = env('temporal-db');
    expect(env('temporal')).toMatchObject({
      DB: 'postgres12',
      POSTGRES_SEEDS: 'temporal-db',
      POSTGRES_USER: temporalDb.POSTGRES_USER,
      POSTGRES_PWD: temporalDb.POSTGRES_PASSWORD,
    });
    for (const name of ['temporal-ui', 'ferry-setup', 'worker']) {
      const [host, port] = (env(name).TEMPORAL_ADDRESS as string).split(':');
      expect(host).toBe('temporal');
      expect(containerPorts('temporal')).toContain(port);
    }
    const target = env('target-db');
    const url = new URL(env('worker').DATABASE_URL as string);
    expect(url.hostname).toBe('target-db');
    expect(url.port).toBe('5432');
    expect(decodeURIComponent(url.username)).toBe(target.POSTGRES_USER);
    expect(decodeURIComponent(url.password)).toBe(target.POSTGRES_PASSWORD);
    expect(url.pathname).toBe(`/${target.POSTGRES_DB}`);
  });

  it('depends only on services that exist; published ports do not collide; named volumes are declared', () => {
    for (const service of Object.values(services)) {
      for (const dependency of dependencies(service)) expect(Object.keys(services)).toContain(dependency);
    }
    const published = Object.values(services).flatMap((service) =>
      (service.ports ?? []).map((port) => port.split(':')[0]),
    );
    expect(new Set(published).size).toBe(published.length);
    expect(Object.keys(compose.volumes).sort()).toEqual(['target-db', 'temporal-db']);
  });

  it('gives ferry containers only variables ferry reads, and a connection for the woocommerce source', () => {
    for (const name of ['ferry-setup', 'worker']) {
      for (const variable of Object.keys(env(name))) {
        expect(FERRY_ENV_VARS.includes(variable) || isConnectionEnvVar(variable), variable).toBe(true);
      }
    }
    expect(Object.keys(env('worker'))).toEqual(
      expect.arrayContaining([
        'FERRY_CONN_WOOCOMMERCE_URL',
        'FERRY_CONN_WOOCOMMERCE_KEY',
        'FERRY_CONN_WOOCOMMERCE_SECRET',
      ]),
    );
  });

  it('registers the search attributes before the worker starts, with a ferry command that exists', async () => {
    expect(services['ferry-setup']?.command).toEqual(['setup-temporal']);
    expect(services.worker?.command).toEqual(['worker']);
    expect(services.worker?.depends_on).toMatchObject({
      'ferry-setup': { condition: 'service_completed_successfully' },
    });
    const help = await runCli(['--help']);
    expect(help.stdout).toMatch(/^ {2}setup-temporal /m);
    expect(help.stdout).toMatch(/^ {2}worker /m);
    expect(FERRY_SEARCH_ATTRIBUTES.map((key) => key.name)).toEqual(['FerryMigration', 'FerryKind']);
    const dockerfile = await readFile(new URL('../Dockerfile', import.meta.url), 'utf8');
    expect(dockerfile).toMatch(/ENTRYPOINT \["node", "bin\/ferry.js"\]/);
    // Non-root, and probed where the worker serves its health.
    expect(dockerfile).toMatch(/^USER node$/m);
    const healthPort = dockerfile.match(/^ENV FERRY_HEALTH_ADDRESS=0\.0\.0\.0:(\d+)$/m)?.[1];
    expect(healthPort).toBeDefined();
    expect(dockerfile).toContain(`fetch('http://127.0.0.1:${healthPort}/healthz')`);
    for (const service of ['ferry-setup', 'worker']) expect(services[service]?.build).toBe('.');
  });
});

describe('metrics: Prometheus and Grafana', () => {
  const mounted = (service: string, at: string) => {
    const volume = ((services[service] as Service & { volumes: string[] }).volumes ?? []).find((entry) =>
      entry.split(':')[1]?.startsWith(at),
    );
    return new URL(`../${(volume as string).split(':')[0]}`, import.meta.url);
  };

  it('scrapes the worker where it serves /metrics', async () => {
    const address = env('worker').FERRY_METRICS_ADDRESS as string;
    const port = address.split(':')[1];
    const prometheus = parse(await readFile(mounted('prometheus', '/etc/prometheus/prometheus.yml'), 'utf8'));
    expect(prometheus.scrape_configs[0].static_configs[0].targets).toEqual([`worker:${port}`]);
  });

  it('provisions a dashboard whose queries name only metrics ferry and the SDK emit', async () => {
    const dashboards = mounted('grafana', '/var/lib/grafana/dashboards');
    const dashboard = JSON.parse(await readFile(new URL('ferry.json', `${dashboards}/`), 'utf8'));
    const metricsSource = await readFile(new URL('../src/activities/metrics.ts', import.meta.url), 'utf8');
    const ferryMetrics = [...metricsSource.matchAll(/'(ferry_[a-z_]+)'/g)].map((match) => match[1]);
    const queries = dashboard.panels.flatMap((panel: { targets: { expr: string }[] }) =>
      panel.targets.map((target) => target.expr),
    );
    expect(queries.length).toBeGreaterThan(6);
    for (const query of queries) {
      for (const [name] of query.matchAll(/\bferry_[a-z_]+/g)) {
        const base = name.replace(/_(total|bucket)$/, '');
        expect(ferryMetrics, name).toContain(base);
      }
    }
    const datasource = parse(
      await readFile(
        new URL('datasources/prometheus.yml', `${mounted('grafana', '/etc/grafana/provisioning')}/`),
        'utf8',
      ),
    );
    const url = new URL(datasource.datasources[0].url);
    expect(url.hostname).toBe('prometheus');
    expect(containerPorts('prometheus')).toContain(url.port);
  });
});
