import proto from '@temporalio/proto';
import { describeCause, FerryError } from '../../errors.js';
import { FERRY_SEARCH_ATTRIBUTES } from '../../search-attributes.js';
import { printResult } from '../output.js';
import { withClient } from '../temporal.js';

const KEYWORD = proto.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;

/** Registers ferry's custom search attributes on a namespace; attributes already there are left alone. */
export async function runSetupTemporal(options: { json: boolean }): Promise<void> {
  await withClient(async (client, config) => {
    const { operatorService } = client.connection;
    const existing = await operatorService.listSearchAttributes({ namespace: config.namespace });
    const known = new Set(Object.keys(existing.customAttributes ?? {}));
    const missing = FERRY_SEARCH_ATTRIBUTES.filter((key) => !known.has(key.name)).map((key) => key.name);
    if (missing.length > 0) {
      try {
        await operatorService.addSearchAttributes({
          namespace: config.namespace,
          searchAttributes: Object.fromEntries(missing.map((name) => [name, KEYWORD])),
        });
      } catch (error) {
        throw new FerryError(
          `Could not add search attributes ${missing.join(', ')} to namespace "${config.namespace}" (${describeCause(error)}); ` +
            'on Temporal Cloud add them with `tcld namespace search-attributes add`',
        );
      }
    }
    const present = FERRY_SEARCH_ATTRIBUTES.map((key) => key.name).filter((name) => !missing.includes(name));
    printResult(
      options.json,
      { namespace: config.namespace, added: missing, alreadyPresent: present },
      () =>
        `namespace "${config.namespace}": ${missing.length > 0 ? `added ${missing.join(', ')}` : 'nothing to add'}` +
        (present.length > 0 ? `; already present: ${present.join(', ')}` : ''),
    );
  });
}
