import type { SourceConnection } from '../../src/connectors/connection.js';
import { neon } from '../../src/connectors/neon/api.js';
import { unpacedSource } from '../../src/connectors/source.js';
import { applyMappings } from '../../src/kit/fields/apply.js';
import { mappingSchema } from '../../src/kit/fields/mapping.js';
import type { FieldPlanDeclaration } from '../../src/kit/fields/plan.js';
import { resolveMappings } from '../../src/kit/fields/resolve.js';

/**
 * The seed's "standard" strategy: one account at a time, and for each of its mappings one request that reads the
 * account and one that writes the mapping's field (resources × mappings × 2 requests), in sequence.
 */
export async function standardLoop(
  connection: SourceConnection,
  plan: FieldPlanDeclaration,
  accounts: number,
) {
  const { accounts: api } = neon;
  const client = api.api.open(unpacedSource('neon', connection));
  const fields = await api.describeFields(client);
  const mappings = resolveMappings(
    plan.mappings.map((mapping) => mappingSchema.parse(mapping)),
    fields.catalogue,
  );
  for (let id = 1; id <= accounts; id++) {
    for (const mapping of mappings) {
      const read = [
        ...new Map(
          [mapping.from, mapping.to, mapping.when?.field]
            .filter((field) => field !== undefined)
            .map((field) => [field.key, field]),
        ).values(),
      ];
      const record = await api.read(client, fields, String(id), read);
      if (!record) throw new Error(`account ${id} is not there`);
      const { changes } = applyMappings([mapping], record.values);
      const value = changes[mapping.to.key]?.after ?? record.values[mapping.to.key] ?? null;
      await api.write(client, fields, record, { [mapping.to.key]: value });
    }
  }
}
