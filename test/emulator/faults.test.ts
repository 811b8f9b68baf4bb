import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { WooOrder } from '../../src/connectors/woocommerce/order-shape.js';
import { NO_FAULTS } from '../../src/sandbox/emulators/faults.js';
import { startWooEmulator, type WooEmulator } from '../../src/sandbox/emulators/woocommerce/server.js';
import { control, listOrders, signedUrl, wooGet } from '../helpers/woo-http.js';

let emulator: WooEmulator;

beforeAll(async () => {
  emulator = await startWooEmulator({ orders: 2000, seed: 11 });
});
afterAll(() => emulator.close());
beforeEach(async () => {
  await control(emulator, 'PUT', '/faults', NO_FAULTS);
});

function causeCode(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code;
}

describe('fault switches', () => {
  it('errorRate answers with the configured 5xx statuses', async () => {
    await control(emulator, 'PUT', '/faults', { errorRate: 1, errorStatuses: [502, 503] });
    const statuses = new Set<number>();
    for (let n = 0; n < 30; n++) statuses.add((await wooGet(emulator, '/orders')).status);
    expect([...statuses].sort()).toEqual([502, 503]);
  });

  it('tooManyRequestsRate answers 429 with the storm Retry-After, whatever the rate limit', async () => {
    await control(emulator, 'PUT', '/faults', { tooManyRequestsRate: 1, stormRetryAfter: '0' });
    const response = await wooGet(emulator, '/orders');
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('0');
  });

  it('pageBreakingIds sends every page holding one of those orders truncated', async () => {
    const { orders } = await listOrders(emulator, { per_page: 10, orderby: 'id', order: 'asc' });
    await control(emulator, 'PUT', '/faults', { pageBreakingIds: [orders[3]?.id] });
    for (let n = 0; n < 3; n++) {
      const broken = await wooGet(emulator, '/orders', { per_page: 10, orderby: 'id', order: 'asc' });
      await expect(broken.json()).rejects.toThrow();
    }
    const next = await listOrders(emulator, { per_page: 10, page: 2, orderby: 'id', order: 'asc' });
    expect(next.orders).toHaveLength(10);
  });

  it('latencyMs delays every API response', async () => {
    await control(emulator, 'PUT', '/faults', { latencyMs: 400 });
    const started = performance.now();
    const response = await wooGet(emulator, '/orders');
    expect(response.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(390);
  });

  it('hangRate leaves requests unanswered until the client gives up', async () => {
    await control(emulator, 'PUT', '/faults', { hangRate: 1 });
    const request = fetch(signedUrl(emulator, '/orders'), { signal: AbortSignal.timeout(700) });
    await expect(request).rejects.toThrow(/aborted|timeout/i);
    expect(emulator.stats.hangs).toBeGreaterThan(0);
  });

  it('resetRate drops the connection without a response', async () => {
    await control(emulator, 'PUT', '/faults', { resetRate: 1 });
    const error = await wooGet(emulator, '/orders').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TypeError);
    expect(causeCode(error)).toMatch(/ECONNRESET|UND_ERR_SOCKET/);
  });

  it('malformedPageRate sends a page that is not valid JSON, with the usual headers', async () => {
    await control(emulator, 'PUT', '/faults', { malformedPageRate: 1 });
    const response = await wooGet(emulator, '/orders', { per_page: 20 });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-wp-total')).toBe('2000');
    const text = await response.text();
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
  });

  it('malformedRecordRate breaks a fixed share of records in the three ways', async () => {
    await control(emulator, 'PUT', '/faults', { malformedRecordRate: 0.1 });
    const broken = new Map<string, number[]>();
    let seen = 0;
    for (let page = 1; page <= 20; page++) {
      const { orders } = await listOrders(emulator, { per_page: 100, page });
      for (const order of orders) {
        seen++;
        const kind = defectOf(order);
        if (kind) broken.set(kind, [...(broken.get(kind) ?? []), order.id]);
      }
    }
    expect(seen).toBe(2000);
    const total = [...broken.values()].reduce((sum, list) => sum + list.length, 0);
    expect(total).toBeGreaterThan(120);
    expect(total).toBeLessThan(280);
    expect([...broken.keys()].sort()).toEqual(['bad-date', 'missing-email', 'negative-quantity']);
    // Bad data stays bad: the same record is broken the same way when fetched again.
    const id = broken.get('negative-quantity')?.[0];
    const again = (await (await wooGet(emulator, `/orders/${id}`)).json()) as WooOrder;
    expect(defectOf(again)).toBe('negative-quantity');
  });

  it('rejects unknown or out-of-range fault settings', async () => {
    expect((await control(emulator, 'PUT', '/faults', { errorRate: 2 })).status).toBe(400);
    expect((await control(emulator, 'PUT', '/faults', { explode: true })).status).toBe(400);
  });
});

function defectOf(order: WooOrder): string | undefined {
  if (order.billing.email === undefined) return 'missing-email';
  if (order.line_items.some((line) => line.quantity < 0)) return 'negative-quantity';
  if (Number.isNaN(Date.parse(`${order.date_created_gmt}Z`))) return 'bad-date';
  return undefined;
}
