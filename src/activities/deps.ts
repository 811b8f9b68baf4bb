import type { Knex } from 'knex';
import type { SourceConnection } from '../connectors/connection.js';

/** What activities need from the outside world, injected so tests and the worker wire real clients. */
export interface ActivityDeps {
  db: Knex;
  /** Resolves a connection name to its address and secrets; secrets never travel through workflow history. */
  resolveConnection(name: string): SourceConnection;
}
