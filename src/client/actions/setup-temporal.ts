import { setTimeout as sleep } from 'node:timers/promises';
import { type Client, isGrpcServiceError } from '@temporalio/client';
import proto from '@temporalio/proto';
import { describeCause, FerryError } from '../../errors.js';
import { FERRY_SEARCH_ATTRIBUTES } from '../../search-attributes.js';
import { printResult } from '../output.js';
import { withClient } from '../temporal.js';

const KEYWORD = proto.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
const NOT_FOUND = 5;
const DAY_SECONDS = 24 * 3600;
/** How long a namespace just created may take to be served (the server refreshes its namespace cache). */
const NAMESPACE_READY_MS = 60_000;

const isNotFound = (error: unknown) => isGrpcServiceError(error) && error.code === NOT_FOUND;

/**
 * The namespace exists, or is created with `retentionDays` of history retention: a self-hosted server started
 * from `temporalio/server` has none. On Temporal Cloud namespaces are made in the Cloud console, and there one
 * that is missing is reported, not created.
 */
async function ensureNamespace(client: Client, namespace: string, retentionDays: number): Promise<boolean> {
  const { workflowService } = client.connection;
  try {
    await workflowService.describeNamespace({ namespace });
    return false;
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  try {
    await workflowService.registerNamespace({
      namespace,
      // fromObject makes the 64-bit seconds protobuf wants of a plain number.
      workflowExecutionRetentionPeriod: proto.google.protobuf.Duration.fromObject({
        seconds: retentionDays * DAY_SECONDS,
      }),
      description: 'created by ferry setup-temporal',
    });
  } catch (error) {
    throw new FerryError(
      `Namespace "${namespace}" does not exist and could not be created (${describeCause(error)}); on Temporal Cloud create it in the Cloud console`,
    );
  }
  return true;
}

/** Search attributes are added once the new namespace is served; until then the server answers NotFound. */
async function addWhenServed(client: Client, namespace: string, names: string[]): Promise<void> {
  const deadline = Date.now() + NAMESPACE_READY_MS;
  for (;;) {
    try {
      await client.connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: Object.fromEntries(names.map((name) => [name, KEYWORD])),
      });
      return;
    } catch (error) {
      if (!isNotFound(error) || Date.now() > deadline) {
        throw new FerryError(
          `Could not add search attributes ${names.join(', ')} to namespace "${namespace}" (${describeCause(error)}); ` +
            'on Temporal Cloud add them with `tcld namespace search-attributes add`',
        );
      }
      await sleep(1_000);
    }
  }
}

/** Creates the namespace if it is missing and registers ferry's custom search attributes on it. */
export async function runSetupTemporal(options: { json: boolean; retentionDays: number }): Promise<void> {
  await withClient(async (client, config) => {
    const { namespace } = config;
    const created = await ensureNamespace(client, namespace, options.retentionDays);
    const existing = created
      ? { customAttributes: {} }
      : await client.connection.operatorService.listSearchAttributes({ namespace });
    const known = new Set(Object.keys(existing.customAttributes ?? {}));
    const missing = FERRY_SEARCH_ATTRIBUTES.filter((key) => !known.has(key.name)).map((key) => key.name);
    if (missing.length > 0) await addWhenServed(client, namespace, missing);
    const present = FERRY_SEARCH_ATTRIBUTES.map((key) => key.name).filter((name) => !missing.includes(name));
    printResult(
      options.json,
      { namespace, created, added: missing, alreadyPresent: present },
      () =>
        `namespace "${namespace}"${created ? ` created (${options.retentionDays} days of retention)` : ''}: ` +
        `${missing.length > 0 ? `added ${missing.join(', ')}` : 'nothing to add'}` +
        (present.length > 0 ? `; already present: ${present.join(', ')}` : ''),
    );
  });
}
