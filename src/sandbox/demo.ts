import { startBackfill } from '../client/backfill.js';
import { watchRun } from '../client/watch.js';
import { DEFAULT_TASK_QUEUE, resolveSourceConnection } from '../config.js';
import { unpacedSource } from '../connectors/source.js';
import { woocommerce } from '../connectors/woocommerce/api.js';
import type { WooOrder } from '../connectors/woocommerce/order-shape.js';
import { allPages } from '../kit/source/listing.js';
import type { DevStack } from './dev-stack.js';
import { withLocalRun } from './local-run.js';
import { checksum, expectedLines, targetLines } from './woocommerce-fingerprint.js';

export interface DemoOptions {
  orders: number;
  concurrency?: number;
  partitionDays?: number;
  /** Keep the stack (and its Web UI) running after the summary, until Ctrl-C. */
  keep: boolean;
  log: (message: string) => void;
}

export interface DemoSummary {
  workflowId: string;
  state: string;
  sourceCount: number;
  targetCount: number;
  duplicates: number;
  checksumMatch: boolean;
  durationMs: number;
  recordsPerSecond: number;
  workerPeakRssMb: number;
  maxHistoryEvents: number;
  partitions: number;
  uiUrl: string;
  runUrl: string;
}

async function allSourceOrders(stack: DevStack, range: { from: string; to: string }): Promise<WooOrder[]> {
  const client = woocommerce.api.open(
    unpacedSource('woocommerce', resolveSourceConnection('woocommerce', {}, stack.state)),
  );
  const orders: WooOrder[] = [];
  const after = new Date(Date.parse(range.from) - 1000).toISOString();
  const params = { after, before: range.to };
  for await (const page of allPages(client, woocommerce.collection('orders'), { size: 100, params })) {
    orders.push(...(page as WooOrder[]));
  }
  return orders;
}

async function duplicateRows(stack: DevStack): Promise<number> {
  const { rows } = await stack.db.raw<{ rows: { duplicates: string }[] }>(
    `select (select count(*) - count(distinct id) from orders)
          + (select count(*) - count(distinct id) from order_items)
          + (select count(*) - count(distinct email) from customers) as duplicates`,
  );
  return Number(rows[0]?.duplicates ?? 0);
}

/**
 * The main job on embedded defaults: a fresh local stack, a store of N orders, a worker and a backfill with a
 * live progress bar, then the target checked against the source row by row.
 */
export async function runDemo(options: DemoOptions): Promise<DemoSummary> {
  options.log(`Starting PostgreSQL, Temporal and a WooCommerce store of ${options.orders} orders...`);
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 200);
  try {
    return await withLocalRun(
      { orders: options.orders, seed: 42, taskQueue: DEFAULT_TASK_QUEUE },
      async ({ stack, client }) => {
        const started = Date.now();
        const handle = await startBackfill(client, DEFAULT_TASK_QUEUE, {
          migration: 'woocommerce-orders',
          concurrency: options.concurrency,
          partitionDays: options.partitionDays,
        });
        options.log(`Backfill ${handle.workflowId} (Temporal Web UI: ${stack.state.uiUrl})`);
        const status = await watchRun(client, handle.workflowId, 500);
        const durationMs = Date.now() - started;
        clearInterval(sampler); // the check below holds the whole source in memory; it is not the worker's footprint
        options.log('Checking the target against the source, row by row...');
        const range = {
          from: status.range?.from ?? '1970-01-01T00:00:00Z',
          to: status.range?.to ?? new Date().toISOString(),
        };
        const source = await allSourceOrders(stack, range);
        const target = await targetLines(stack.db);
        const targetCount = Number(
          ((await stack.db('orders').count({ n: '*' }).first()) as { n: string } | undefined)?.n ?? 0,
        );
        const summary: DemoSummary = {
          workflowId: handle.workflowId,
          state: status.state,
          sourceCount: source.length,
          targetCount,
          duplicates: await duplicateRows(stack),
          checksumMatch: checksum(expectedLines(source)) === checksum(target),
          durationMs,
          recordsPerSecond: Math.round((source.length * 1000) / durationMs),
          workerPeakRssMb: Math.round(peakRss / 1024 / 1024),
          maxHistoryEvents: status.maxHistoryEvents ?? 0,
          partitions: status.partitions?.total ?? 0,
          uiUrl: stack.state.uiUrl,
          runUrl: `${stack.state.uiUrl}/namespaces/${stack.state.namespace}/workflows/${encodeURIComponent(handle.workflowId)}`,
        };
        if (options.keep) {
          options.log(`The stack stays up for the Web UI at ${summary.uiUrl}; press Ctrl-C to stop it.`);
          await new Promise<void>((resolve) => {
            process.once('SIGINT', () => resolve());
            process.once('SIGTERM', () => resolve());
          });
        }
        return summary;
      },
    );
  } finally {
    clearInterval(sampler);
  }
}
