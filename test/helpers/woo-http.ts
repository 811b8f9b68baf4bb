import { signOAuth1 } from '../../src/connectors/auth/oauth1.js';
import type { WooOrder } from '../../src/connectors/woocommerce/order-shape.js';
import type { WooEmulator } from '../../src/sandbox/emulators/woocommerce/server.js';

export function basicAuth(key: string, secret: string): string {
  return `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`;
}

/** The URL of a GET signed with OAuth 1.0a by the emulator's own credentials, as a client over http sends it. */
export function signedUrl(
  emulator: WooEmulator,
  path: string,
  params: Record<string, string | number> = {},
): URL {
  const url = new URL(`${emulator.baseUrl}${path}`);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, String(value));
  return signOAuth1('GET', url, { key: emulator.consumerKey, secret: emulator.consumerSecret });
}

/** GET against the emulator's REST API with its own credentials. */
export function wooGet(emulator: WooEmulator, path: string, params: Record<string, string | number> = {}) {
  return fetch(signedUrl(emulator, path, params));
}

export async function listOrders(emulator: WooEmulator, params: Record<string, string | number> = {}) {
  const response = await wooGet(emulator, '/orders', params);
  return {
    status: response.status,
    total: Number(response.headers.get('x-wp-total')),
    totalPages: Number(response.headers.get('x-wp-totalpages')),
    orders: (await response.json()) as WooOrder[],
  };
}

/** Every order the list endpoint returns for the params, page by page. */
export async function listAllOrders(emulator: WooEmulator, params: Record<string, string | number> = {}) {
  const orders: WooOrder[] = [];
  for (let page = 1; ; page++) {
    const result = await listOrders(emulator, { per_page: 100, ...params, page });
    orders.push(...result.orders);
    if (page >= result.totalPages) return orders;
  }
}

export async function control(emulator: WooEmulator, method: string, path: string, body?: unknown) {
  const response = await fetch(`${emulator.controlUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as unknown };
}
