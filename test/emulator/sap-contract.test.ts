import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SapOrder } from '../../src/connectors/sap/order-shape.js';
import { type SapEmulator, startSapEmulator } from '../../src/sandbox/emulators/sap/server.js';

let sap: SapEmulator;
let cookie: string;

beforeAll(async () => {
  sap = await startSapEmulator({ orders: 450, seed: 3, endDate: '2026-06-30T00:00:00Z' });
  cookie = await login();
});
afterAll(() => sap.close());

async function login(overrides: Record<string, string> = {}): Promise<string> {
  const response = await fetch(`${sap.serviceUrl}/Login`, {
    method: 'POST',
    body: JSON.stringify({
      CompanyDB: sap.credentials.companyDb,
      UserName: sap.credentials.userName,
      Password: sap.credentials.password,
      ...overrides,
    }),
  });
  if (response.status !== 200) throw Object.assign(new Error('login refused'), { response });
  return (response.headers.get('set-cookie') ?? '').split(';')[0] as string;
}

function get(path: string, headers: Record<string, string> = {}, session = cookie) {
  return fetch(`${sap.serviceUrl}/${path}`, { headers: { cookie: session, ...headers } });
}

async function control(method: string, path: string, body?: unknown) {
  const response = await fetch(`${sap.controlUrl}${path}`, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

/** Every order a query returns, following odata.nextLink to the end. */
async function readAll(query: string, pageSize = 100): Promise<{ orders: SapOrder[]; pages: number }> {
  const orders: SapOrder[] = [];
  let next: string | undefined = `Orders?${query}`;
  let pages = 0;
  while (next) {
    const response = await get(next, { prefer: `odata.maxpagesize=${pageSize}` });
    expect(response.status).toBe(200);
    expect(response.headers.get('preference-applied')).toBe(`odata.maxpagesize=${pageSize}`);
    const body = (await response.json()) as { value: SapOrder[]; 'odata.nextLink'?: string };
    orders.push(...body.value);
    next = body['odata.nextLink'];
    pages++;
  }
  return { orders, pages };
}

const sapError = async (response: Response) =>
  ((await response.json()) as { error: { code: number; message: { value: string } } }).error;

describe('SAP Business One Service Layer emulator: sessions', () => {
  it('refuses wrong credentials and requests without a session, as SAP does', async () => {
    const refused = await fetch(`${sap.serviceUrl}/Login`, {
      method: 'POST',
      body: JSON.stringify({ CompanyDB: 'FERRY_DEV', UserName: 'manager', Password: 'wrong' }),
    });
    expect(refused.status).toBe(401);
    expect(await sapError(refused)).toMatchObject({ code: 100000027, message: { value: 'Login failed' } });
    const anonymous = await fetch(`${sap.serviceUrl}/Orders`);
    expect(anonymous.status).toBe(401);
    expect(await sapError(anonymous)).toMatchObject({ code: 301 });
  });

  it('expires an idle session, accepts a new login, and ends one on Logout', async () => {
    await control('PUT', '/session-timeout', { idleMs: 300 });
    try {
      const session = await login();
      expect((await get('Orders?$top=1', {}, session)).status).toBe(200);
      await sleep(400);
      const expired = await get('Orders?$top=1', {}, session);
      expect(expired.status).toBe(401);
      expect((await sapError(expired)).message.value).toBe('Invalid session or session already timeout.');
      const again = await login();
      expect((await get('Orders?$top=1', {}, again)).status).toBe(200);
      const logout = await fetch(`${sap.serviceUrl}/Logout`, { method: 'POST', headers: { cookie: again } });
      expect(logout.status).toBe(204);
      expect((await get('Orders?$top=1', {}, again)).status).toBe(401);
    } finally {
      await control('PUT', '/session-timeout', { idleMs: 30 * 60 * 1000 });
      cookie = await login();
    }
  });
});

describe('SAP Business One Service Layer emulator: orders', () => {
  it('pages by odata.nextLink: every order once, in DocEntry order, 20 a page by default', async () => {
    const first = (await (await get('Orders')).json()) as { value: SapOrder[]; 'odata.nextLink': string };
    expect(first.value).toHaveLength(20);
    expect(first['odata.nextLink']).toBe('Orders?%24skip=20');
    const { orders, pages } = await readAll('', 100);
    expect(pages).toBe(5);
    expect(orders.map((order) => order.DocEntry)).toEqual(Array.from({ length: 450 }, (_, i) => i + 1));
    const order = orders[0] as SapOrder;
    expect(order.UpdateDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(order.UpdateTime).toMatch(/^\d{2}:\d{2}:\d{2}$/);
    expect(order.DocTotal).toBe(
      Math.round(order.DocumentLines.reduce((sum, line) => sum + line.LineTotal, 0) * 100) / 100,
    );
    expect(orders.some((o) => o.DocumentStatus === 'bost_Open')).toBe(true);
    expect(orders.some((o) => o.DocumentStatus === 'bost_Close')).toBe(true);
  });

  it('filters on a watermark split into UpdateDate and UpdateTime, plus the open orders', async () => {
    const all = (await readAll('')).orders;
    const pivot = all[200] as SapOrder;
    const watermark = `UpdateDate gt '${pivot.UpdateDate}' or (UpdateDate eq '${pivot.UpdateDate}' and UpdateTime ge '${pivot.UpdateTime}')`;
    const filter = `(${watermark}) or DocumentStatus eq 'bost_Open'`;
    const { orders } = await readAll(`$filter=${encodeURIComponent(filter)}`, 50);
    const expected = all.filter(
      (o) =>
        o.UpdateDate > pivot.UpdateDate ||
        (o.UpdateDate === pivot.UpdateDate && o.UpdateTime >= pivot.UpdateTime) ||
        o.DocumentStatus === 'bost_Open',
    );
    expect(orders.map((o) => o.DocEntry)).toEqual(expected.map((o) => o.DocEntry));
    expect(orders.map((o) => o.DocEntry)).toContain(pivot.DocEntry);
  });

  it('honours $select, $orderby, $top and $skip', async () => {
    const query =
      '$select=DocEntry,UpdateDate,UpdateTime&$orderby=UpdateDate desc,UpdateTime desc,DocEntry asc&$skip=5&$top=30';
    const { orders, pages } = await readAll(query, 20);
    expect(pages).toBe(2);
    expect(orders).toHaveLength(30);
    expect(Object.keys(orders[0] as object)).toEqual(['DocEntry', 'UpdateDate', 'UpdateTime']);
    const all = (await readAll('')).orders
      .map((o) => ({ DocEntry: o.DocEntry, UpdateDate: o.UpdateDate, UpdateTime: o.UpdateTime }))
      .sort(
        (a, b) =>
          b.UpdateDate.localeCompare(a.UpdateDate) ||
          b.UpdateTime.localeCompare(a.UpdateTime) ||
          a.DocEntry - b.DocEntry,
      );
    expect(orders).toEqual(all.slice(5, 35));
  });

  it('refuses a bad $filter and unknown properties with SAP-style errors', async () => {
    const bad = await get(`Orders?$filter=${encodeURIComponent("UpdateDate gte '2024-01-01'")}`);
    expect(bad.status).toBe(400);
    expect((await sapError(bad)).message.value).toBe(
      "Invalid $filter: Expected eq, ne, gt, ge, lt or le after UpdateDate but found 'gte' at position 11",
    );
    const unknown = await get('Orders?$select=DocEntry,Colour');
    expect(unknown.status).toBe(400);
    expect((await sapError(unknown)).message.value).toBe("Property 'Colour' of 'Document' is invalid");
  });

  it('looks up an item and its manufacturer', async () => {
    const item = (await (await get("Items('A00001')")).json()) as { ItemCode: string; Manufacturer: number };
    expect(item.ItemCode).toBe('A00001');
    const withManufacturer = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const code = `A${String(i + 1).padStart(5, '0')}`;
        return (await (await get(`Items('${code}')`)).json()) as { Manufacturer: number };
      }),
    );
    const manufacturerCode = withManufacturer.find((i) => i.Manufacturer > 0)?.Manufacturer as number;
    const manufacturer = await (await get(`Manufacturers(${manufacturerCode})`)).json();
    expect(manufacturer).toMatchObject({ Code: manufacturerCode, ManufacturerName: expect.any(String) });
    expect((await get("Items('NOPE')")).status).toBe(404);
  });
});

describe('SAP Business One Service Layer emulator: changes over time', () => {
  it('stamps every change with UpdateDate and UpdateTime, at a given instant when asked', async () => {
    const at = '2026-07-01T08:15:30.000Z';
    const created = await control('POST', '/orders', { count: 2, at });
    expect(created.status).toBe(201);
    const [docEntry] = created.body.docEntries as number[];
    const fresh = (await (await get(`Orders(${docEntry})`)).json()) as SapOrder;
    expect(fresh).toMatchObject({
      DocumentStatus: 'bost_Open',
      UpdateDate: '2026-07-01',
      UpdateTime: '08:15:30',
    });

    const target = sap.store.all().find((o) => o.DocumentLines.length >= 3) as SapOrder;
    const linesBefore = target.DocumentLines.length;
    const quantityBefore = target.DocumentLines[0]?.Quantity as number;
    for (const [change, second] of [
      ['edit-header', '31'],
      ['edit-line', '32'],
      ['remove-line', '33'],
      ['close', '34'],
    ] as const) {
      const changed = await control('POST', `/orders/${target.DocEntry}/${change}`, {
        at: `2026-07-01T08:15:${second}Z`,
      });
      expect(changed.status, change).toBe(200);
      expect(changed.body.UpdateTime).toBe(`08:15:${second}`);
    }
    const after = (await (await get(`Orders(${target.DocEntry})`)).json()) as SapOrder;
    expect(after.Comments).toMatch(/^edited/);
    expect(after.DocumentLines).toHaveLength(linesBefore - 1);
    expect(after.DocumentLines[0]?.Quantity).toBe(quantityBefore + 1);
    expect(after.DocumentStatus).toBe('bost_Close');
    expect(after.DocumentLines.every((line) => line.LineStatus === 'bost_Close')).toBe(true);
    expect(after.DocTotal).toBe(
      Math.round(after.DocumentLines.reduce((sum, line) => sum + line.LineTotal, 0) * 100) / 100,
    );

    // An order stamped exactly at a watermark is inside `ge` and outside `gt`.
    const exact = `UpdateDate eq '2026-07-01' and UpdateTime ge '08:15:30'`;
    const { orders } = await readAll(`$filter=${encodeURIComponent(exact)}`);
    expect(orders.map((o) => o.DocEntry).sort((a, b) => a - b)).toEqual(
      [...(created.body.docEntries as number[]), target.DocEntry].sort((a, b) => a - b),
    );
  });

  it('answers 429 with Retry-After past its rate limit', async () => {
    await control('PUT', '/rate-limit', { requestsPerMinute: 3 });
    try {
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await get('Orders?$top=1')).status);
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      const limited = await get('Orders?$top=1');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await control('PUT', '/rate-limit', { requestsPerMinute: 0 });
    }
  });
});
