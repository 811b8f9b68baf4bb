import { Connection } from '@temporalio/client';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { startTemporalDevServer, type TemporalDevServer } from '../../src/sandbox/temporal-server.js';
import { runCli } from '../helpers/run-cli.js';

let server: TemporalDevServer;
beforeAll(async () => {
  // A cluster as a user's production one starts: without ferry's search attributes.
  server = await startTemporalDevServer({
    cli: { kind: 'path', path: inject('temporalCliPath'), source: 'TEMPORAL_CLI_PATH' },
    searchAttributes: false,
  });
});
afterAll(() => server.stop());

it('registers FerryMigration and FerryKind as Keyword, idempotently', async () => {
  const env = { TEMPORAL_ADDRESS: server.address, DATABASE_URL: '' };
  const first = await runCli(['setup-temporal', '--json'], env);
  expect(first.code).toBe(0);
  expect(JSON.parse(first.stdout)).toEqual({
    namespace: 'default',
    created: false,
    added: ['FerryMigration', 'FerryKind'],
    alreadyPresent: [],
  });
  const second = await runCli(['setup-temporal', '--json'], env);
  expect(JSON.parse(second.stdout)).toMatchObject({
    added: [],
    alreadyPresent: ['FerryMigration', 'FerryKind'],
  });

  const connection = await Connection.connect({ address: server.address });
  try {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({
      namespace: 'default',
    });
    // 2 is INDEXED_VALUE_TYPE_KEYWORD
    expect(customAttributes?.FerryMigration).toBe(2);
    expect(customAttributes?.FerryKind).toBe(2);
  } finally {
    await connection.close();
  }
});

it('creates a namespace that is missing (a server started from temporalio/server has none), then registers the attributes', async () => {
  const namespace = `ferry-setup-${Date.now()}`;
  const env = { TEMPORAL_ADDRESS: server.address, TEMPORAL_NAMESPACE: namespace, DATABASE_URL: '' };
  const first = await runCli(['setup-temporal', '--retention-days', '3', '--json'], env, 120_000);
  expect(first.stderr).toBe('');
  expect(JSON.parse(first.stdout)).toEqual({
    namespace,
    created: true,
    added: ['FerryMigration', 'FerryKind'],
    alreadyPresent: [],
  });
  const again = await runCli(['setup-temporal'], env);
  expect(again.stdout.trim()).toBe(
    `namespace "${namespace}": nothing to add; already present: FerryMigration, FerryKind`,
  );
  const connection = await Connection.connect({ address: server.address });
  try {
    const described = await connection.workflowService.describeNamespace({ namespace });
    expect(Number(described.config?.workflowExecutionRetentionTtl?.seconds)).toBe(3 * 24 * 3600);
  } finally {
    await connection.close();
  }
}, 180_000);
