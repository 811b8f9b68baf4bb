/**
 * The kit's transform alone: e-Boekhouden mutations (as their detail requests answer them, parsed) mapped to the
 * rows of their routed target by `RecordRows`, a chunk of 10 pages of 100 at a time, its lookups found. No HTTP, no
 * PostgreSQL, no Temporal: one process on one core, so its figure moves less with the machine, and
 * `npm run bench:compare -- --bench transform --metric microsecondsPerMutation` shows a change to the mapping that
 * the whole backfill's noise hides. Also what a chunk's rows keep alive until their transaction ends (bytes per
 * mutation, live after a full collection): what outlives the worker's young-generation collections meanwhile. A
 * mapping that loses a row fails the run. Prints JSON.
 *
 *   npm run bench:transform -- [--mutations 20000] [--rounds 5] [--json]
 */
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { RecordRows } from '../src/kit/index.js';
import { target } from '../src/migrations/eboekhouden-mutations/target.js';
import { startEboekhoudenEmulator } from '../src/sandbox/emulators/eboekhouden/server.js';
import type { Mutation } from '../src/sandbox/emulators/eboekhouden/shapes.js';
import { median } from './lib/median.js';

const { values } = parseArgs({
  options: {
    mutations: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '5' },
    json: { type: 'boolean', default: false },
  },
});
const mutations = Number(values.mutations);
const rounds = Number(values.rounds);
if (!Number.isInteger(mutations) || mutations < 1000 || !Number.isInteger(rounds) || rounds < 1) {
  throw new Error('--mutations takes a whole number from 1000, --rounds one from 1');
}
const PAGE = 100;
const CHUNK = 10 * PAGE;
const log = (message: string) => process.stderr.write(`${message}\n`);

// A full collection on demand, to weigh what a chunk keeps alive.
v8.setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** The detail answers as text, and the relations and ledgers they name, as the lookups would find them. */
async function generate() {
  const emulator = await startEboekhoudenEmulator({ mutations, seed: 7 });
  try {
    const texts: string[] = [];
    const relation = new Map<string, unknown>();
    const ledger = new Map<string, unknown>();
    let rows = 0;
    for (let id = 1; id <= mutations; id++) {
      const mutation = emulator.store.get(id) as Mutation;
      texts.push(JSON.stringify(mutation));
      // Each mutation's own row, one per row, and an invoice's one per VAT code.
      rows +=
        1 + mutation.rows.length + (mutation.type === 1 || mutation.type === 2 ? mutation.vat.length : 0);
      for (const ledgerId of [mutation.ledgerId, ...mutation.rows.map((row) => row.ledgerId)]) {
        ledger.set(String(ledgerId), JSON.parse(JSON.stringify(emulator.ledger(ledgerId))));
      }
      const found = mutation.relationId ? emulator.relation(mutation.relationId) : undefined;
      if (found) relation.set(String(mutation.relationId), JSON.parse(JSON.stringify(found)));
    }
    return {
      texts,
      rows,
      lookups: new Map([
        ['relation', relation],
        ['ledger', ledger],
      ]),
    };
  } finally {
    await emulator.close();
  }
}

log(`generating ${mutations} mutations...`);
const { texts, rows: expectedRows, lookups } = await generate();

/** One chunk's rows: its pages parsed (not timed) and added as they come, then built for the write. */
function mapChunk(start: number): { rows: RecordRows; built: ReturnType<RecordRows['build']>; ms: number } {
  const pages: unknown[][] = [];
  for (let page = start; page < Math.min(start + CHUNK, texts.length); page += PAGE) {
    pages.push(texts.slice(page, page + PAGE).map((text) => JSON.parse(text)));
  }
  const started = performance.now();
  const rows = new RecordRows(target);
  for (const page of pages) rows.add(page, lookups);
  const built = rows.build();
  return { rows, built, ms: performance.now() - started };
}

const countRows = (built: ReturnType<RecordRows['build']>) =>
  Object.values(built).reduce((sum, tableRows) => sum + tableRows.length, 0);

// The first pass warms the JIT up, and checks that every record became its rows.
let mappedRows = 0;
let rejected = 0;
for (let start = 0; start < mutations; start += CHUNK) {
  const { rows, built } = mapChunk(start);
  mappedRows += countRows(built);
  rejected += rows.rejected.length;
}
// A mapping that loses rows is not timed: a compare would take it for a faster one.
if (mappedRows !== expectedRows || rejected > 0) {
  throw new Error(`mapped ${mappedRows} rows of ${expectedRows}, ${rejected} records refused`);
}

const perRound: number[] = [];
for (let round = 1; round <= rounds; round++) {
  let ms = 0;
  for (let start = 0; start < mutations; start += CHUNK) ms += mapChunk(start).ms;
  perRound.push(Math.round(((ms * 1000) / mutations) * 100) / 100);
  log(`round ${round}/${rounds}: ${perRound.at(-1)} µs per mutation`);
}

// What up to four chunks in flight (a backfill's default partitions) keep alive once mapped, their parsed records
// let go: the live heap after a full collection, which outlives the young generation's collections while the
// chunks wait for their transactions.
const CHUNKS_HELD = 4;
collectGarbage();
const before = process.memoryUsage().heapUsed;
const held = Array.from({ length: Math.min(CHUNKS_HELD, Math.ceil(mutations / CHUNK)) }, (_, index) =>
  mapChunk(index * CHUNK),
);
collectGarbage();
const heldRecords = held.reduce((sum, chunk) => sum + chunk.rows.recordCount, 0);
const retainedBytesPerMutation = Math.round((process.memoryUsage().heapUsed - before) / heldRecords);

const microsecondsPerMutation = median(perRound);
const result = {
  benchmark: 'transform',
  mutations,
  rows: mappedRows,
  rounds,
  microsecondsPerMutation,
  rowsPerSecond: Math.round((mappedRows / mutations / microsecondsPerMutation) * 1e6),
  perRound,
  retainedBytesPerMutation,
  node: process.version,
};
log(
  `${microsecondsPerMutation} µs per mutation (median of ${rounds}), ${result.rowsPerSecond} rows/s, ${retainedBytesPerMutation} bytes kept per mutation`,
);
if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
