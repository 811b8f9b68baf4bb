import { ApplicationFailure } from '@temporalio/activity';
import type { Knex } from 'knex';
import { SourceAuthError } from '../connectors/errors.js';
import { WooCommerceClient } from '../connectors/woocommerce/client.js';
import { FerryError } from '../errors.js';
import type { SourceConnection } from '../sandbox/state-file.js';
import { appliedMigrations } from '../target/migrate.js';

/** What activities need from the outside world, injected so tests and the worker wire real clients. */
export interface ActivityDeps {
  db: Knex;
  /** Resolves a connection name to its address and secrets; secrets never travel through workflow history. */
  resolveConnection(name: string): SourceConnection;
}

export interface DatabaseCheck {
  serverVersion: string;
  migrations: string[];
}

export interface SourceCheck {
  connection: string;
  kind: string;
  orders: number;
}

/** Errors a retry cannot fix end the workflow at once instead of retrying for hours. */
function nonRetryable(error: unknown): never {
  if (error instanceof SourceAuthError || error instanceof FerryError) {
    throw ApplicationFailure.nonRetryable(error.message, error.name);
  }
  throw error;
}

export function createActivities(deps: ActivityDeps) {
  return {
    async checkDatabase(): Promise<DatabaseCheck> {
      const { rows } = await deps.db.raw<{ rows: { server_version: string }[] }>('show server_version');
      return {
        serverVersion: rows[0]?.server_version ?? 'unknown',
        migrations: await appliedMigrations(deps.db),
      };
    },

    async checkSource(connectionName: string): Promise<SourceCheck> {
      try {
        const connection = deps.resolveConnection(connectionName);
        const client = new WooCommerceClient(connectionName, connection);
        return { connection: connectionName, kind: connection.kind, orders: await client.countOrders() };
      } catch (error) {
        return nonRetryable(error);
      }
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
