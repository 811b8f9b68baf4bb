/**
 * Reads a source and does nothing else, as ferry's migration reads it (its page size, the fields its target reads,
 * its detail requests, the kit's own client), `FERRY_READERS` pages at once, each answer's JSON parsed. Runs as a
 * process of its own, as ferry's worker does, and prints `{"records", "ms", "cpuSeconds"}`. While the source answers
 * at once, no loader of it can be faster on this machine, whatever it writes (with latency, one that reads further
 * ahead than a page per reader can).
 *
 *   FERRY_SOURCE='{"kind":"woocommerce",...}' FERRY_RECORDS=N FERRY_READERS=4 node --import tsx bench/lib/read-source.ts
 */
import type { SourceConnection } from '../../src/connectors/connection.js';
import { unpacedSource } from '../../src/connectors/source.js';
import { eboekhouden, fetchDetails, fetchPage, fieldsRead, woocommerce } from '../../src/kit/index.js';
import { eboekhoudenMutations, mutationDetail } from '../../src/migrations/eboekhouden-mutations/index.js';
import { ordersByCreation, woocommerceOrders } from '../../src/migrations/woocommerce-orders/index.js';
import { target as wooTarget } from '../../src/migrations/woocommerce-orders/target.js';

/** How many records one page holds, and how to read the page numbered `page` (from 1); resolves to its records. */
interface SourceReader {
  pageSize: number;
  readPage(page: number): Promise<number>;
}

const readers: Record<string, (connection: SourceConnection) => SourceReader> = {
  woocommerce(connection) {
    const client = woocommerce.api.open(unpacedSource('woocommerce', connection));
    const fields = fieldsRead(wooTarget);
    const { pageSize } = woocommerceOrders.defaults;
    return {
      pageSize,
      readPage: async (page) =>
        (await fetchPage(client, ordersByCreation, { cursor: { page }, size: pageSize, fields })).records
          .length,
    };
  },
  // As eboekhouden-mutations declares it: pages of summaries, then each mutation whole.
  eboekhouden(connection) {
    const client = eboekhouden.api.open(unpacedSource('eboekhouden', connection));
    const list = eboekhouden.collection('mutation');
    const { pageSize } = eboekhoudenMutations.defaults;
    return {
      pageSize,
      async readPage(page) {
        const listed = await fetchPage(client, list, { cursor: { page }, size: pageSize });
        return (await fetchDetails(client, mutationDetail, listed.records)).records.length;
      },
    };
  },
};

const connection = JSON.parse(process.env.FERRY_SOURCE ?? '') as SourceConnection;
const makeReader = readers[connection.kind];
if (!makeReader) throw new Error(`no reader for a ${connection.kind} source`);
const reader: SourceReader = makeReader(connection);
const pages = Math.ceil(Number(process.env.FERRY_RECORDS) / reader.pageSize);

let nextPage = 1;
let records = 0;
async function readPages(): Promise<void> {
  for (let page = nextPage++; page <= pages; page = nextPage++) {
    // Awaited first: `records += await …` would add to the count read before the wait, losing the other readers'.
    const read = await reader.readPage(page);
    records += read;
  }
}
// From the first request on: loading this script is not the reading's cost.
const usageBefore = process.cpuUsage();
const began = performance.now();
await Promise.all(Array.from({ length: Number(process.env.FERRY_READERS) }, readPages));
const ms = Math.round(performance.now() - began);
const usage = process.cpuUsage(usageBefore);
const cpuSeconds = Math.round((usage.user + usage.system) / 100_000) / 10;
// The client's keep-alive sockets would hold the process open.
process.stdout.write(`${JSON.stringify({ records, ms, cpuSeconds })}\n`, () => process.exit(0));
