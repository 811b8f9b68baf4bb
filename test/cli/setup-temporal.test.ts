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
