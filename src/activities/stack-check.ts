import { sap } from '../connectors/sap/api.js';
import { type Source, unpacedSource } from '../connectors/source.js';
import { woocommerce } from '../connectors/woocommerce/api.js';
import { fetchPage } from '../kit/source/listing.js';
import { FIRST_PAGE } from '../migrations/types.js';
import { appliedSchemaSteps } from '../target/schema.js';
import type { ActivityDeps } from './deps.js';
import { mapFailures } from './failures.js';

export interface DatabaseCheck {
  serverVersion: string;
  schemaSteps: string[];
}

export interface SourceCheck {
  connection: string;
  kind: string;
  orders: number;
}

/** One authenticated read of the source's orders, whatever its kind: proves the address and the credentials. */
async function countOrders(source: Source): Promise<number> {
  if (source.connection.kind === 'sap') {
    const client = sap.api.open(source);
    try {
      return await sap.count(client, 'Orders', {});
    } finally {
      await client.logout().catch(() => undefined);
    }
  }
  const orders = woocommerce.collection('orders');
  const { total } = await fetchPage(woocommerce.api.open(source), orders, {
    cursor: FIRST_PAGE,
    size: 1,
    fields: ['id'],
  });
  return total ?? 0;
}

export function createStackCheckActivities(deps: ActivityDeps) {
  return {
    async checkDatabase(): Promise<DatabaseCheck> {
      const { rows } = await deps.db.raw<{ rows: { server_version: string }[] }>('show server_version');
      return {
        serverVersion: rows[0]?.server_version ?? 'unknown',
        schemaSteps: await appliedSchemaSteps(deps.db),
      };
    },

    checkSource(connectionName: string): Promise<SourceCheck> {
      return mapFailures(async () => {
        const connection = deps.resolveConnection(connectionName);
        const source = unpacedSource(connectionName, connection);
        return { connection: connectionName, kind: connection.kind, orders: await countOrders(source) };
      });
    },
  };
}
