/**
 * Does serving a deep page of a huge store cost what the first page costs, and does memory stay flat?
 * Times page 1 and page 100,000 (per_page=100) of a 10,000,000-order store over real HTTP, interleaved so
 * both see the same machine noise, and reports medians and their ratio as JSON on stdout.
 *
 *   npm run bench:emulator -- [--orders 10000000] [--rounds 40]
 */
import { parseArgs } from 'node:util';
import { signOAuth1 } from '../src/connectors/auth/oauth1.js';
import { startWooEmulator } from '../src/sandbox/emulators/woocommerce/server.js';
import { median } from './lib/median.js';

const { values } = parseArgs({
  options: { orders: { type: 'string', default: '10000000' }, rounds: { type: 'string', default: '40' } },
});
const orders = Number(values.orders);
const rounds = Number(values.rounds);
const perPage = 100;
const deepPage = Math.floor(orders / perPage);

const rssMb = () => Math.round((process.memoryUsage().rss / 1024 / 1024) * 10) / 10;
const rssBefore = rssMb();
const emulator = await startWooEmulator({ orders, seed: 1 });
const rssAfterStart = rssMb();
const consumer = { key: emulator.consumerKey, secret: emulator.consumerSecret };

async function timePage(page: number, order: 'asc' | 'desc'): Promise<number> {
  const started = performance.now();
  // Signed as a client signs over http (OAuth 1.0a, a new nonce per request).
  const url = new URL(`${emulator.baseUrl}/orders?per_page=${perPage}&page=${page}&order=${order}`);
  const response = await fetch(signOAuth1('GET', url, consumer));
  const body = (await response.json()) as unknown[];
  const elapsed = performance.now() - started;
  if (response.status !== 200 || body.length !== perPage) throw new Error(`page ${page}: ${response.status}`);
  return elapsed;
}

const cases = {
  firstPage: () => timePage(1, 'desc'),
  deepPageDesc: () => timePage(deepPage, 'desc'),
  deepPageAsc: () => timePage(deepPage, 'asc'),
};
const samples: Record<keyof typeof cases, number[]> = { firstPage: [], deepPageDesc: [], deepPageAsc: [] };
for (let round = 0; round < rounds + 5; round++) {
  for (const [name, run] of Object.entries(cases) as [keyof typeof cases, () => Promise<number>][]) {
    const ms = await run();
    if (round >= 5) samples[name].push(ms); // the first rounds warm up the JIT
  }
}
const rssAfterServing = rssMb();
await emulator.close();

const medianMs = (values: number[]) => Math.round(median(values) * 100) / 100;
const result = {
  benchmark: 'emulator-paging',
  orders,
  perPage,
  deepPage,
  rounds,
  medianMs: {
    firstPage: medianMs(samples.firstPage),
    deepPageDesc: medianMs(samples.deepPageDesc),
    deepPageAsc: medianMs(samples.deepPageAsc),
  },
  deepToFirstRatio: Math.round((median(samples.deepPageDesc) / median(samples.firstPage)) * 100) / 100,
  rssMb: { beforeStore: rssBefore, afterStart: rssAfterStart, afterServing: rssAfterServing },
  node: process.version,
};
process.stderr.write(
  `page 1: ${result.medianMs.firstPage} ms, page ${deepPage}: ${result.medianMs.deepPageDesc} ms (desc) / ` +
    `${result.medianMs.deepPageAsc} ms (asc), ratio ${result.deepToFirstRatio}; RSS ${rssBefore} -> ${rssAfterServing} MB\n`,
);
process.stdout.write(`${JSON.stringify(result)}\n`);
