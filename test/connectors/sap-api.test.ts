import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SapConnection } from '../../src/connectors/connection.js';
import { SourceAuthError } from '../../src/connectors/errors.js';
import { sap as sapParts } from '../../src/connectors/sap/api.js';
import { changedSince } from '../../src/connectors/sap/odata.js';
import type { SapItem, SapManufacturer, SapOrder } from '../../src/connectors/sap/order-shape.js';
import { type Source, unpacedSource } from '../../src/connectors/source.js';
import { allPages, type RestClient } from '../../src/kit/index.js';
import {
  generateItem,
  generateManufacturer,
  itemCode,
} from '../../src/sandbox/emulators/sap/order-generator.js';
import { type SapEmulator, startSapEmulator } from '../../src/sandbox/emulators/sap/server.js';

let sap: SapEmulator;
let connection: SapConnection;

beforeAll(async () => {
  sap = await startSapEmulator({ orders: 700, seed: 5, endDate: '2026-06-30T00:00:00Z' });
  connection = sap.connection;
});
afterAll(() => sap.close());

const orders = sapParts.collection('Orders');
const open = (source: Source = unpacedSource('sap', connection)) => sapParts.api.open(source);

/** Every order matching the filter, read page by page. */
async function readOrders(client: RestClient, filter?: string, pageSize = 100): Promise<SapOrder[]> {
  const found: SapOrder[] = [];
  const params: Record<string, string> = { $orderby: 'DocEntry asc', ...(filter ? { $filter: filter } : {}) };
  for await (const page of allPages(client, orders, { size: pageSize, params }))
    found.push(...(page as SapOrder[]));
  return found;
}

const control = (method: string, path: string, body?: unknown) =>
  fetch(`${sap.controlUrl}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });

describe("SAP Service Layer, through the kit's SAP parts", () => {
  it('logs in on first use and reads every order, page after page while a next link comes', async () => {
    const client = open();
    const logins = sap.stats.logins;
    const all = await readOrders(client);
    expect(all.map((order) => order.DocEntry)).toEqual(sap.store.all().map((order) => order.DocEntry));
    expect(all).toEqual(sap.store.all());
    expect(sap.stats.logins - logins).toBe(1);
    await client.logout();
  });

  it('reads what changed since a watermark, the order exactly on it included, plus the open orders', async () => {
    const client = open();
    const created = (await (
      await control('POST', '/orders', { count: 1, at: '2026-07-02T10:00:00Z' })
    ).json()) as { docEntries: number[] };
    const onWatermark = created.docEntries[0];
    const filter = `(${changedSince('2026-07-02T10:00:00Z')}) or DocumentStatus eq 'bost_Open'`;
    const changed = await readOrders(client, filter, 50);
    const expected = sap.store
      .all()
      .filter(
        (o: SapOrder) =>
          o.UpdateDate > '2026-07-02' ||
          (o.UpdateDate === '2026-07-02' && o.UpdateTime >= '10:00:00') ||
          o.DocumentStatus === 'bost_Open',
      );
    expect(changed.map((o) => o.DocEntry)).toEqual(expected.map((o) => o.DocEntry));
    expect(changed.map((o) => o.DocEntry)).toContain(onWatermark);
  });

  it('logs in again when its session expires in the middle of paging, and misses nothing', async () => {
    const client = open();
    const logins = sap.stats.logins;
    const docEntries: number[] = [];
    let pages = 0;
    const params = { $orderby: 'DocEntry asc' };
    for await (const page of allPages(client, orders, { size: 100, params, fields: ['DocEntry'] })) {
      docEntries.push(...(page as SapOrder[]).map((order) => order.DocEntry));
      if (++pages === 3) await control('POST', '/sessions/expire');
    }
    expect(docEntries).toEqual(sap.store.all().map((order) => order.DocEntry));
    expect(sap.stats.logins - logins).toBe(2);
  });

  it("shares one session among the clients of a source, as a worker's activities do", async () => {
    const source = unpacedSource('sap', connection);
    const logins = sap.stats.logins;
    await readOrders(open(source), "DocumentStatus eq 'bost_Open'");
    await sapParts.count(open(source), 'Orders', {});
    expect(sap.stats.logins - logins).toBe(1);
    await open(source).logout();
    expect(source.session.token).toBeUndefined();
  });

  it('fails at once on refused credentials, naming the connection', async () => {
    const client = open(unpacedSource('sap-prod', { ...connection, password: 'wrong' }));
    const logins = sap.stats.byStatus['401'] ?? 0;
    const error = await readOrders(client).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SourceAuthError);
    expect((error as Error).message).toBe(
      'SAP connection "sap-prod" was refused (401: Login failed); check its company database, user and password',
    );
    expect((sap.stats.byStatus['401'] ?? 0) - logins).toBe(1);
  });

  it('refuses a connection of another kind, naming it', () => {
    const shop = {
      kind: 'woocommerce' as const,
      baseUrl: 'http://127.0.0.1:9',
      consumerKey: 'k',
      consumerSecret: 's',
    };
    expect(() => open(unpacedSource('shop', shop))).toThrow(
      'Connection "shop" is a woocommerce connection; SAP needs a sap one',
    );
  });

  it('looks up many items and manufacturers, 40 keys a request; unknown keys are absent', async () => {
    const client = open();
    await sapParts.count(client, 'Orders', {}); // logged in before the requests are counted
    const codes = [...Array.from({ length: 100 }, (_, n) => itemCode(n)), 'ZZZ', "O'NEIL"];
    const requests = sap.stats.requests;
    const fields = ['ItemCode', 'ItemName', 'Manufacturer'];
    const items = await sapParts.byKeys<SapItem>(client, 'Items', 'ItemCode', codes, fields);
    expect(sap.stats.requests - requests).toBe(3);
    expect(items).toEqual(Array.from({ length: 100 }, (_, n) => generateItem(5, n)));
    const manufacturerCodes = [...new Set(items.map((item) => item.Manufacturer))].filter((code) => code > 0);
    const manufacturers = await sapParts.byKeys<SapManufacturer>(
      client,
      'Manufacturers',
      'Code',
      manufacturerCodes,
      ['Code', 'ManufacturerName'],
    );
    expect(manufacturers.map((m) => m.Code).sort((a, b) => a - b)).toEqual(
      [...manufacturerCodes].sort((a, b) => a - b),
    );
    expect(manufacturers[0]).toEqual(generateManufacturer(5, manufacturers[0]?.Code as number));
  });
});
