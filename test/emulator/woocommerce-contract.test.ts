import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signOAuth1 } from '../../src/connectors/auth/oauth1.js';
import type { WooOrder } from '../../src/connectors/woocommerce/order-shape.js';
import type { WooCustomer } from '../../src/sandbox/emulators/woocommerce/customer-generator.js';
import { startWooEmulator, type WooEmulator } from '../../src/sandbox/emulators/woocommerce/server.js';
import { basicAuth, control, listAllOrders, listOrders, wooGet } from '../helpers/woo-http.js';

const ORDERS = 250;
let emulator: WooEmulator;

beforeAll(async () => {
  emulator = await startWooEmulator({ orders: ORDERS, seed: 7 });
});
afterAll(() => emulator.close());

const ids = (orders: WooOrder[]) => orders.map((order) => order.id);

describe('pagination', () => {
  it.each([1, 7, 10, 33, 100])(
    'per_page=%i: headers agree with the pages and every order appears once',
    async (perPage) => {
      const first = await listOrders(emulator, { per_page: perPage, order: 'asc' });
      expect(first.total).toBe(ORDERS);
      expect(first.totalPages).toBe(Math.ceil(ORDERS / perPage));
      const seen: number[] = [];
      for (let page = 1; page <= first.totalPages; page++) {
        const result = await listOrders(emulator, { per_page: perPage, order: 'asc', page });
        expect(result.total).toBe(ORDERS);
        expect(result.orders.length).toBe(
          page < first.totalPages ? perPage : ORDERS - perPage * (first.totalPages - 1),
        );
        seen.push(...ids(result.orders));
      }
      expect(seen).toEqual(Array.from({ length: ORDERS }, (_, i) => i + 1));
      const beyond = await listOrders(emulator, { per_page: perPage, page: first.totalPages + 1 });
      expect(beyond.orders).toEqual([]);
    },
  );

  it('links the previous and the next page as WordPress does, keeping the request parameters', async () => {
    const links = async (params: Record<string, string | number>) => {
      const header = (await wooGet(emulator, '/orders', params)).headers.get('link');
      if (header === null) return {};
      return Object.fromEntries(
        header.split(', ').map((link) => {
          const [, target, rel] = /^<([^>]+)>; rel="(prev|next)"$/.exec(link) ?? [];
          const url = new URL(target as string);
          return [
            rel,
            {
              page: url.searchParams.get('page'),
              perPage: url.searchParams.get('per_page'),
              path: url.pathname,
            },
          ];
        }),
      );
    };
    const path = new URL(`${emulator.baseUrl}/orders`).pathname;
    expect(await links({ per_page: 100, page: 1 })).toEqual({ next: { page: '2', perPage: '100', path } });
    expect(await links({ per_page: 100, page: 2 })).toEqual({
      prev: { page: '1', perPage: '100', path },
      next: { page: '3', perPage: '100', path },
    });
    expect(await links({ per_page: 100, page: 3 })).toEqual({ prev: { page: '2', perPage: '100', path } });
    // Past the end, the previous link points at the last page.
    expect(await links({ per_page: 100, page: 9 })).toEqual({ prev: { page: '3', perPage: '100', path } });
    expect(await links({ per_page: 100, include: '1,2' })).toEqual({});
  });

  it('defaults to 10 per page, newest first, as WooCommerce does', async () => {
    const result = await listOrders(emulator);
    expect(result.orders.length).toBe(10);
    expect(ids(result.orders)).toEqual(Array.from({ length: 10 }, (_, i) => ORDERS - i));
    const dates = result.orders.map((order) => order.date_created_gmt);
    expect([...dates].sort().reverse()).toEqual(dates);
  });

  it('orders by id and by modified date in both directions', async () => {
    const byIdDesc = await listAllOrders(emulator, { orderby: 'id', order: 'desc' });
    expect(ids(byIdDesc)).toEqual(Array.from({ length: ORDERS }, (_, i) => ORDERS - i));
    const byModified = await listAllOrders(emulator, { orderby: 'modified', order: 'asc' });
    const modified = byModified.map((order) => order.date_modified_gmt);
    expect(modified).toEqual([...modified].sort());
    expect(new Set(ids(byModified)).size).toBe(ORDERS);
  });

  it('rejects per_page outside 1..100 naming the parameter', async () => {
    for (const perPage of [0, 101, 'abc']) {
      const response = await wooGet(emulator, '/orders', { per_page: perPage });
      expect(response.status).toBe(400);
      const body = (await response.json()) as { code: string; data: { params: Record<string, string> } };
      expect(body.code).toBe('rest_invalid_param');
      expect(body.data.params.per_page).toMatch(/between 1 .* and 100/);
    }
  });
});

describe('filters', () => {
  let all: WooOrder[];
  beforeAll(async () => {
    all = await listAllOrders(emulator, { order: 'asc' });
  });

  it('after/before select exactly the orders created strictly inside the window', async () => {
    const after = all[40]?.date_created_gmt as string;
    const before = all[180]?.date_created_gmt as string;
    const expected = all.filter((order) => order.date_created_gmt > after && order.date_created_gmt < before);
    expect(expected.length).toBeGreaterThan(100);
    const filtered = await listAllOrders(emulator, { after, before, order: 'asc' });
    expect(ids(filtered)).toEqual(ids(expected));
    const first = await listOrders(emulator, { after, before, per_page: 25 });
    expect(first.total).toBe(expected.length);
    expect(first.totalPages).toBe(Math.ceil(expected.length / 25));
  });

  it('modified_after/modified_before and status filter as the full list does', async () => {
    const sortedModified = all.map((order) => order.date_modified_gmt).sort();
    const modifiedAfter = sortedModified[100] as string;
    const modifiedBefore = sortedModified[200] as string;
    const expected = all.filter(
      (order) => order.date_modified_gmt > modifiedAfter && order.date_modified_gmt < modifiedBefore,
    );
    const filtered = await listAllOrders(emulator, {
      modified_after: `${modifiedAfter}Z`,
      modified_before: `${modifiedBefore}Z`,
      order: 'asc',
    });
    expect(ids(filtered)).toEqual(ids(expected));

    const processing = await listAllOrders(emulator, { status: 'processing,on-hold', order: 'asc' });
    expect(ids(processing)).toEqual(
      ids(all.filter((order) => order.status === 'processing' || order.status === 'on-hold')),
    );
  });

  it('rejects a malformed date naming the parameter', async () => {
    const response = await wooGet(emulator, '/orders', { after: 'yesterday' });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { message: string };
    expect(body.message).toBe('Invalid parameter(s): after');
  });
});

describe('orders', () => {
  it('are shaped as WooCommerce sends them, with bundles expanded into parent and child lines', async () => {
    const all = await listAllOrders(emulator, { order: 'asc' });
    for (const order of all) {
      expect(order).toMatchObject({
        id: expect.any(Number),
        number: String(order.id),
        currency: 'EUR',
        date_created_gmt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/),
        total: expect.stringMatching(/^\d+\.\d{2}$/),
        total_tax: expect.stringMatching(/^\d+\.\d{2}$/),
        billing: {
          email: expect.stringContaining('@'),
          first_name: expect.any(String),
          last_name: expect.any(String),
        },
      });
      expect(order.line_items.length).toBeGreaterThan(0);
      const lineSum = order.line_items.reduce(
        (sum, line) => sum + Number(line.total) + Number(line.total_tax),
        0,
      );
      const expectedTotal = lineSum + Number(order.shipping_total) + Number(order.shipping_tax);
      expect(Number(order.total)).toBeCloseTo(expectedTotal, 1);
    }
    const bundled = all.filter((order) => order.line_items.some((line) => line.bundled_items.length > 0));
    expect(bundled.length).toBeGreaterThan(5);
    for (const order of bundled) {
      const parent = order.line_items.find((line) => line.bundled_items.length > 0);
      const children = order.line_items.filter((line) => line.bundled_by === parent?.id);
      expect(children.map((line) => line.id)).toEqual(parent?.bundled_items);
    }
    expect(all.some((order) => order.customer_id === 0)).toBe(true);
  });

  it('GET /orders/{id} returns the same order as the list, 404 for an unknown id', async () => {
    const [listed] = (await listOrders(emulator, { per_page: 1, page: 17 })).orders;
    const single = await wooGet(emulator, `/orders/${listed?.id}`);
    expect(single.status).toBe(200);
    expect(await single.json()).toEqual(listed);
    const missing = await wooGet(emulator, `/orders/${ORDERS + 1000}`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { code: string }).code).toBe('woocommerce_rest_shop_order_invalid_id');
  });

  it('_fields keeps only the listed fields, nested ones by dot, in the list and for one order', async () => {
    const [full] = (await listOrders(emulator, { per_page: 1, page: 3 })).orders;
    const fields = 'id,total,billing.email,line_items,no_such_field';
    const [picked] = (await listOrders(emulator, { per_page: 1, page: 3, _fields: fields })).orders;
    expect(picked).toEqual({
      id: full?.id,
      total: full?.total,
      billing: { email: full?.billing.email },
      line_items: full?.line_items,
    });
    const single = await wooGet(emulator, `/orders/${full?.id}`, { _fields: fields });
    expect(await single.json()).toEqual(picked);
  });

  it('writes JSON as PHP does: every character past ASCII and every slash escaped, the same values parsed', async () => {
    const rawBody = async (resource: string, params: Record<string, string | number>) => {
      const raw = Buffer.from(await (await wooGet(emulator, resource, params)).arrayBuffer());
      expect(raw.every((byte) => byte < 0x80)).toBe(true);
      return raw.toString('latin1');
    };
    const ordersText = await rawBody('/orders', { per_page: 100, _fields: 'id,billing' });
    expect(ordersText).toMatch(/M\\u00fcller|Chlo\\u00e9|K\\u00f6ln/);
    const names = (JSON.parse(ordersText) as WooOrder[]).flatMap(({ billing }) => [
      billing.first_name,
      billing.last_name,
      billing.city,
    ]);
    expect(names.some((name) => /[üéö]/.test(name))).toBe(true);
    const customersText = await rawBody('/customers', { per_page: 5, _fields: 'id,avatar_url' });
    expect(customersText).toContain('"https:\\/\\/secure.gravatar.com\\/avatar\\/');
    const [customer] = JSON.parse(customersText) as WooCustomer[];
    expect(customer?.avatar_url).toMatch(/^https:\/\/secure\.gravatar\.com\/avatar\//);
  });

  it('the same seed gives the same records; another seed gives others', async () => {
    const twin = await startWooEmulator({ orders: ORDERS, seed: 7 });
    const other = await startWooEmulator({ orders: ORDERS, seed: 8 });
    try {
      const page = { per_page: 100, page: 2 };
      const mine = await listOrders(emulator, page);
      expect((await listOrders(twin, page)).orders).toEqual(mine.orders);
      expect((await listOrders(other, page)).orders).not.toEqual(mine.orders);
    } finally {
      await twin.close();
      await other.close();
    }
  });
});

describe('authentication, as WooCommerce does it', () => {
  const refusal = async (response: Response) => {
    const body = (await response.json()) as { code: string; message: string; data: { status: number } };
    expect(body.data.status).toBe(response.status);
    return { status: response.status, code: body.code, message: body.message };
  };
  const signed = (params: Record<string, string> = {}, consumer = emulator) => {
    const url = new URL(`${emulator.baseUrl}/orders`);
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    return signOAuth1('GET', url, { key: consumer.consumerKey, secret: consumer.consumerSecret });
  };

  it('over http, takes a request signed with OAuth 1.0a (HMAC-SHA1 or HMAC-SHA256), query or header', async () => {
    expect((await fetch(signed({ per_page: '3' }))).status).toBe(200);
    const sha1 = signOAuth1(
      'GET',
      new URL(`${emulator.baseUrl}/orders`),
      { key: emulator.consumerKey, secret: emulator.consumerSecret },
      { signatureMethod: 'HMAC-SHA1' },
    );
    expect((await fetch(sha1)).status).toBe(200);
    // The same parameters in an `Authorization: OAuth` header instead of the query.
    const inQuery = signed();
    const header = `OAuth ${[...inQuery.searchParams].map(([name, value]) => `${name}="${encodeURIComponent(value)}"`).join(', ')}`;
    expect((await fetch(`${emulator.baseUrl}/orders`, { headers: { authorization: header } })).status).toBe(
      200,
    );
  });

  it('over http, ignores Basic auth and query credentials: the request is anonymous', async () => {
    const anonymous = {
      status: 401,
      code: 'woocommerce_rest_cannot_view',
      message: 'Sorry, you cannot list resources.',
    };
    expect(await refusal(await fetch(`${emulator.baseUrl}/orders`))).toEqual(anonymous);
    const basic = await fetch(`${emulator.baseUrl}/orders`, {
      headers: { authorization: basicAuth(emulator.consumerKey, emulator.consumerSecret) },
    });
    expect(await refusal(basic)).toEqual(anonymous);
    const query = `${emulator.baseUrl}/orders?consumer_key=${emulator.consumerKey}&consumer_secret=${emulator.consumerSecret}`;
    expect(await refusal(await fetch(query))).toEqual(anonymous);
  });

  it('names a wrong key, a wrong secret, a missing parameter, an old timestamp and a reused nonce', async () => {
    const error = 'woocommerce_rest_authentication_error';
    const wrongKey = signed({}, { ...emulator, consumerKey: 'ck_x' });
    expect(await refusal(await fetch(wrongKey))).toEqual({
      status: 401,
      code: error,
      message: 'Consumer key is invalid.',
    });
    const wrongSecret = signed({}, { ...emulator, consumerSecret: 'cs_wrong' });
    expect(await refusal(await fetch(wrongSecret))).toMatchObject({
      code: error,
      message: 'Invalid signature - provided signature does not match.',
    });
    const tampered = signed({ per_page: '5' });
    tampered.searchParams.set('per_page', '6');
    expect((await refusal(await fetch(tampered))).message).toBe(
      'Invalid signature - provided signature does not match.',
    );
    const missing = signed();
    missing.searchParams.delete('oauth_nonce');
    missing.searchParams.delete('oauth_timestamp');
    expect(await refusal(await fetch(missing))).toEqual({
      status: 401,
      code: 'woocommerce_rest_authentication_missing_parameter',
      message: 'Missing OAuth parameters oauth_timestamp, oauth_nonce',
    });
    const old = signOAuth1(
      'GET',
      new URL(`${emulator.baseUrl}/orders`),
      { key: emulator.consumerKey, secret: emulator.consumerSecret },
      { timestampSeconds: Math.floor(Date.now() / 1000) - 16 * 60 },
    );
    expect((await refusal(await fetch(old))).message).toBe('Invalid timestamp.');
    const once = signed();
    expect((await fetch(once)).status).toBe(200);
    expect((await refusal(await fetch(once))).message).toBe('Invalid nonce - nonce has already been used.');
  });

  it("a client follows the Link header's next page by signing it afresh", async () => {
    const first = await fetch(signed({ per_page: '100', orderby: 'id', order: 'asc' }));
    const next = /<([^>]+)>; rel="next"/.exec(first.headers.get('link') ?? '')?.[1] as string;
    const response = await fetch(
      signOAuth1('GET', new URL(next), { key: emulator.consumerKey, secret: emulator.consumerSecret }),
    );
    expect(response.status).toBe(200);
    expect(((await response.json()) as WooOrder[])[0]?.id).toBe(101);
  });

  it('behind https, takes Basic auth and query credentials, and names a wrong secret', async () => {
    const secure = await startWooEmulator({ orders: 5, ssl: true });
    try {
      const basic = (secret: string) =>
        fetch(`${secure.baseUrl}/orders`, {
          headers: { authorization: basicAuth(secure.consumerKey, secret) },
        });
      expect((await basic(secure.consumerSecret)).status).toBe(200);
      const query = `${secure.baseUrl}/orders?consumer_key=${secure.consumerKey}&consumer_secret=${secure.consumerSecret}`;
      expect((await fetch(query)).status).toBe(200);
      expect(await refusal(await basic('cs_wrong'))).toEqual({
        status: 401,
        code: 'woocommerce_rest_authentication_error',
        message: 'Consumer secret is invalid.',
      });
    } finally {
      await secure.close();
    }
  });
});

describe('customers', () => {
  const CUSTOMERS = 50; // max(50, orders / 5)
  const listCustomers = async (params: Record<string, string | number> = {}) => {
    const response = await wooGet(emulator, '/customers', params);
    return {
      status: response.status,
      total: Number(response.headers.get('x-wp-total')),
      totalPages: Number(response.headers.get('x-wp-totalpages')),
      link: response.headers.get('link'),
      customers: (await response.json()) as WooCustomer[],
    };
  };

  it('pages through every customer once, in id order when asked, with WordPress headers', async () => {
    const seen: number[] = [];
    for (let page = 1; ; page++) {
      const result = await listCustomers({ per_page: 7, orderby: 'id', page });
      expect(result.total).toBe(CUSTOMERS);
      expect(result.totalPages).toBe(8);
      seen.push(...result.customers.map((customer) => customer.id));
      const next = /<([^>]+)>; rel="next"/.exec(result.link ?? '')?.[1];
      if (page === result.totalPages) {
        expect(next).toBeUndefined();
        expect(result.link).toMatch(/rel="prev"$/);
        break;
      }
      expect(new URL(next as string).searchParams.get('page')).toBe(String(page + 1));
    }
    expect(seen).toEqual(Array.from({ length: CUSTOMERS }, (_, i) => i + 1));
    const desc = await listCustomers({ per_page: 3, orderby: 'registered_date', order: 'desc' });
    expect(desc.customers.map((customer) => customer.id)).toEqual([50, 49, 48]);
  });

  it('orders by name by default, as WooCommerce does, and registers customers in id order', async () => {
    const all: WooCustomer[] = [];
    for (let page = 1; page <= 5; page++)
      all.push(...(await listCustomers({ per_page: 10, page })).customers);
    const keys = all.map((customer) => `${customer.first_name} ${customer.last_name}`);
    // Sorted as MySQL's collation sorts display names: case and accents aside.
    expect(keys).toEqual([...keys].sort(new Intl.Collator('en', { sensitivity: 'base' }).compare));
    expect(new Set(all.map((customer) => customer.id)).size).toBe(CUSTOMERS);
    const byId = [...all].sort((a, b) => a.id - b.id);
    for (let n = 1; n < byId.length; n++) {
      expect((byId[n] as WooCustomer).date_created_gmt >= (byId[n - 1] as WooCustomer).date_created_gmt).toBe(
        true,
      );
    }
    for (const customer of all) expect(customer.date_modified_gmt >= customer.date_created_gmt).toBe(true);
  });

  it('is the same person as the orders that name it: email, name and billing address', async () => {
    const { orders } = await listOrders(emulator, { per_page: 20 });
    const order = orders.find((candidate) => candidate.customer_id > 0) as WooOrder;
    const customer = (await (
      await wooGet(emulator, `/customers/${order.customer_id}`)
    ).json()) as WooCustomer;
    expect(customer).toMatchObject({
      id: order.customer_id,
      email: order.billing.email,
      first_name: order.billing.first_name,
      last_name: order.billing.last_name,
      role: 'customer',
      billing: order.billing,
    });
    expect(customer.username).toMatch(/^[a-z]+\.[a-z]+\.\d+$/);
  });

  it('filters by email, include (in its own order), exclude, search, role and offset', async () => {
    const ids = async (params: Record<string, string | number>) =>
      (await listCustomers({ per_page: 100, ...params })).customers.map((customer) => customer.id);
    expect(await ids({ email: 'customer-7@example.com' })).toEqual([7]);
    expect(await ids({ include: '30,4,12', orderby: 'include' })).toEqual([30, 4, 12]);
    expect(await ids({ include: '30,4,12', orderby: 'id' })).toEqual([4, 12, 30]);
    expect(await ids({ exclude: '1,2', orderby: 'id', per_page: 3 })).toEqual([3, 4, 5]);
    expect(await ids({ orderby: 'id', offset: 45 })).toEqual([46, 47, 48, 49, 50]);
    // An empty offset is no offset, as WooCommerce reads it; links count pages from the offset.
    expect(await ids({ orderby: 'id', per_page: 2, page: 3, offset: 0 })).toEqual([5, 6]);
    const offsetLinks = (await listCustomers({ orderby: 'id', per_page: 10, offset: 15 })).link ?? '';
    const pageOf = (rel: string) =>
      new URL(new RegExp(`<([^>]+)>; rel="${rel}"`).exec(offsetLinks)?.[1] as string).searchParams.get(
        'page',
      );
    expect([pageOf('prev'), pageOf('next')]).toEqual(['2', '4']);
    expect(await ids({ role: 'administrator' })).toEqual([]);
    const [someone] = (await listCustomers({ include: '9' })).customers;
    const found = await listCustomers({ per_page: 100, search: someone?.last_name as string });
    expect(found.customers.length).toBeGreaterThan(0);
    for (const customer of found.customers) expect(customer.last_name).toBe(someone?.last_name);
  });

  it('names bad parameters in one 400, and answers 404 for an unknown customer', async () => {
    const bad = await wooGet(emulator, '/customers', { per_page: 101, orderby: 'date' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      code: 'rest_invalid_param',
      message: 'Invalid parameter(s): per_page, orderby',
    });
    const missing = await wooGet(emulator, '/customers/51');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'woocommerce_rest_invalid_id' });
  });
});

describe('rate limit', () => {
  it('answers 429 with Retry-After past the per-key limit per minute', async () => {
    const limited = await startWooEmulator({ orders: 10, rateLimitPerMinute: 5 });
    try {
      const statuses: number[] = [];
      for (let n = 0; n < 5; n++) statuses.push((await wooGet(limited, '/orders')).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200]);
      const refused = await wooGet(limited, '/orders');
      expect(refused.status).toBe(429);
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(((await refused.json()) as { code: string }).code).toBe('woocommerce_rest_too_many_requests');
      await control(limited, 'PUT', '/rate-limit', { requestsPerMinute: 0 });
      expect((await wooGet(limited, '/orders')).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe('changing the store while it is read', () => {
  it('creates, modifies and trashes orders, moving date_modified_gmt', async () => {
    const store = await startWooEmulator({ orders: 50, seed: 3 });
    try {
      const before = await listOrders(store, { per_page: 1 });
      const created = (await control(store, 'POST', '/orders', { count: 3 })).body as { ids: number[] };
      expect(created.ids).toEqual([51, 52, 53]);
      const after = await listOrders(store, { per_page: 100 });
      expect(after.total).toBe(before.total + 3);
      expect(after.orders[0]?.id).toBe(53);

      const original = (await (await wooGet(store, '/orders/10')).json()) as WooOrder;
      const modified = (await control(store, 'POST', '/orders/10/modify')).body as WooOrder;
      expect(modified.date_modified_gmt > original.date_modified_gmt).toBe(true);
      expect(modified.line_items).not.toEqual(original.line_items);
      const recent = await listAllOrders(store, {
        modified_after: `${original.date_modified_gmt}Z`,
        orderby: 'modified',
      });
      expect(ids(recent)).toContain(10);

      await control(store, 'POST', '/orders/20/trash');
      const live = await listAllOrders(store, { order: 'asc' });
      expect(ids(live)).not.toContain(20);
      expect(live.length).toBe(52);
      const trashed = (await (await wooGet(store, '/orders/20')).json()) as WooOrder;
      expect(trashed.status).toBe('trash');
      expect(ids(await listAllOrders(store, { status: 'trash' }))).toEqual([20]);
      // Paging over the live orders still visits each exactly once after a trash.
      const paged: number[] = [];
      for (let page = 1; page <= 6; page++)
        paged.push(...ids((await listOrders(store, { per_page: 10, page, order: 'asc' })).orders));
      expect(paged).toEqual(ids(live));
    } finally {
      await store.close();
    }
  });
});
