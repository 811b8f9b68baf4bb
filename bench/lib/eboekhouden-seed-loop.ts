import type { Knex } from 'knex';
import type { SourceConnection } from '../../src/connectors/connection.js';
import { unpacedSource } from '../../src/connectors/source.js';
import { eboekhouden, fetchPage, RecordRows } from '../../src/kit/index.js';
import { target } from '../../src/migrations/eboekhouden-mutations/target.js';

type Row = Record<string, unknown>;
interface Summary {
  id: number;
}
interface Full {
  id: number;
  relationId?: number;
  ledgerId: number;
  rows: { ledgerId: number }[];
}

/** The seed fetches 500 mutations a request, in windows of 30 days. */
const SEED_PAGE_SIZE = 500;
const WINDOW_DAYS = 30;
const DAY_MS = 24 * 3600 * 1000;
/** Tables in the order rows must go in: each record table before its children. */
const TABLES = target.routes.flatMap((route) => route.target.tables.map((table) => table.name));

/**
 * The seed's loop, end to end like ferry's figure: 30-day windows of mutation summaries, then one mutation at a
 * time: its detail request, its relation and ledgers from a cache (asked on a miss), a check for an existing row,
 * one INSERT per row and a commit per mutation.
 */
export async function seedMutationLoop(db: Knex, connection: SourceConnection, count: number): Promise<void> {
  const client = eboekhouden.api.open(unpacedSource('eboekhouden', connection));
  const listing = eboekhouden.collection('mutation');
  const cache = { relation: new Map<string, unknown>(), ledger: new Map<string, unknown>() };
  const cached = async (kind: 'relation' | 'ledger', id: number | undefined) => {
    if (id === undefined || cache[kind].has(String(id))) return;
    cache[kind].set(String(id), await client.getJson(`${kind}/${id}`));
  };
  let done = 0;
  for (let from = Date.parse('2020-01-01T00:00:00Z'); done < count; from += WINDOW_DAYS * DAY_MS) {
    const window = `${new Date(from).toISOString().slice(0, 10)},${new Date(from + (WINDOW_DAYS - 1) * DAY_MS).toISOString().slice(0, 10)}`;
    for (let page = 1; done < count; page++) {
      const { records, next } = await fetchPage(client, listing, {
        cursor: { page },
        size: SEED_PAGE_SIZE,
        params: { 'date[range]': window },
      });
      for (const summary of records.slice(0, count - done) as Summary[]) {
        const mutation = await client.getJson<Full>(`mutation/${summary.id}`);
        await cached('relation', mutation.relationId);
        for (const ledger of [mutation.ledgerId, ...mutation.rows.map((row) => row.ledgerId)])
          await cached('ledger', ledger);
        const rows = new RecordRows(target).add([mutation], new Map(Object.entries(cache))).build() as Record<
          string,
          Row[]
        >;
        const route = target.routes.find((candidate) => rows[candidate.target.record.name]?.length);
        await db.transaction(async (trx) => {
          // The seed checks for an existing row before it inserts one.
          if (route) {
            const { record, sourceKey } = route.target;
            if (await trx(record.name).where(sourceKey, mutation.id).first(sourceKey)) return;
          }
          for (const table of TABLES) for (const row of rows[table] ?? []) await trx(table).insert(row);
        });
        done++;
      }
      if (!next) break;
    }
  }
}
