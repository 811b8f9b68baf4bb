/**
 * Reads a WooCommerce store's orders and does nothing else, as ferry reads them (pages of 100, the fields its target
 * reads, the kit's own client), `FERRY_READERS` pages at once, each page's JSON parsed. Runs as a process of its own,
 * as ferry's worker does, and prints `{"records", "ms", "cpuSeconds"}`: no loader of this source can be faster on
 * this machine, whatever it writes.
 *
 *   FERRY_SOURCE='{"kind":"woocommerce",...}' FERRY_ORDERS=N FERRY_READERS=4 node --import tsx bench/lib/read-source.ts
 */
import { unpacedSource } from '../../src/connectors/source.js';
import { fetchPage, fieldsRead, woocommerce } from '../../src/kit/index.js';
import { target } from '../../src/migrations/woocommerce-orders/target.js';

const PAGE_SIZE = 100;

const connection = JSON.parse(process.env.FERRY_SOURCE ?? '');
const count = Number(process.env.FERRY_ORDERS);
const readers = Number(process.env.FERRY_READERS);
const client = woocommerce.api.open(unpacedSource('woocommerce', connection));
const orders = { ...woocommerce.collection('orders'), params: { orderby: 'date', order: 'asc' } };
const pages = Math.ceil(count / PAGE_SIZE);
const fields = fieldsRead(target);

let nextPage = 1;
let records = 0;
async function reader(): Promise<void> {
  for (let page = nextPage++; page <= pages; page = nextPage++) {
    // Awaited first: `records += await …` would add to the count read before the wait, losing the other readers'.
    const listed = await fetchPage(client, orders, { cursor: { page }, size: PAGE_SIZE, fields });
    records += listed.records.length;
  }
}
const began = performance.now();
await Promise.all(Array.from({ length: readers }, reader));
const ms = Math.round(performance.now() - began);
const usage = process.cpuUsage();
const cpuSeconds = Math.round((usage.user + usage.system) / 100_000) / 10;
// The client's keep-alive sockets would hold the process open.
process.stdout.write(`${JSON.stringify({ records, ms, cpuSeconds })}\n`, () => process.exit(0));
