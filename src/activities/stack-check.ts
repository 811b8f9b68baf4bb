import { unpacedSource } from '../connectors/source.js';
import { WooCommerceClient } from '../connectors/woocommerce/client.js';
import { appliedMigrations } from '../target/migrate.js';
import type { ActivityDeps } from './deps.js';
import { mapFailures } from './failures.js';

export interface DatabaseCheck {
  serverVersion: string;
  migrations: string[];
}

export interface SourceCheck {
  connection: string;
  kind: string;
  orders: number;
}

export function createStackCheckActivities(deps: ActivityDeps) {
  return {
    async checkDatabase(): Promise<DatabaseCheck> {
      const { rows } = await deps.db.raw<{ rows: { server_version: string }[] }>('show server_version');
      return {
        serverVersion: rows[0]?.server_version ?? 'unknown',
        migrations: await appliedMigrations(deps.db),
      };
    },

    checkSource(connectionName: string): Promise<SourceCheck> {
      return mapFailures(async () => {
        const connection = deps.resolveConnection(connectionName);
        const client = new WooCommerceClient(unpacedSource(connectionName, connection));
        return { connection: connectionName, kind: connection.kind, orders: await client.countOrders() };
      });
    },
  };
}
