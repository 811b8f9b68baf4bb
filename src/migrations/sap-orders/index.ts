import { changes, defineMigration, sap, windowFilter } from '../../kit/index.js';

const { and, anyOf, changedAfter, changedSince, dateRange, equals, keyAfter, or } = sap.odata;

import { target } from './target.js';

interface Item {
  ItemCode: string;
  /** A Manufacturers key; -1 when the item has none. */
  Manufacturer: number;
}

/**
 * SAP Business One sales orders into sales_orders and sales_order_lines, each line with its item's
 * manufacturer. Partitions cut by DocDate; changes are read by SAP's UpdateDate and UpdateTime.
 */
export const sapOrders = defineMigration({
  name: 'sap-orders',
  description: 'SAP Business One sales orders into sales_orders and sales_order_lines (+ item manufacturer)',
  connection: 'sap',
  api: sap.api,
  target,
  created: 'doc_date',
  modified: 'source_updated_at',
  list: {
    ...sap.collection('Orders'),
    // DocEntry order: orders created later land after the window's last page, so paging never repeats one.
    params: { $orderby: 'DocEntry asc' },
    window: windowFilter.custom('day', (bounds) => ({ $filter: dateRange('DocDate', bounds) })),
  },
  oldestFirst: { $orderby: 'DocDate asc' },
  count: (client, params) => sap.count(client, 'Orders', params),
  changes: changes.keyset((after, docEntry) => ({
    $filter: changedAfter(after, Number(docEntry ?? 0)),
    $orderby: 'UpdateDate asc,UpdateTime asc,DocEntry asc',
  })),
  byKeys: {
    batch: sap.keysPerRequest,
    keys: /^\d+$/,
    params: (keys) => ({ $filter: anyOf('DocEntry', keys.map(Number)) }),
  },
  lookups: {
    // Items name their manufacturer by code; a chunk's few hundred items share a few dozen manufacturers.
    manufacturer: {
      async load(itemCodes, client, cached) {
        const items = await sap.byKeys<Item>(client, 'Items', 'ItemCode', itemCodes, [
          'ItemCode',
          'Manufacturer',
        ]);
        const codeOf = new Map(items.map((item) => [item.ItemCode, String(item.Manufacturer)]));
        const codes = [...new Set(codeOf.values())].filter((code) => Number(code) > 0);
        const names = await cached('manufacturer-name', codes, async (missing) => {
          const found = await sap.byKeys<{ Code: number; ManufacturerName: string }>(
            client,
            'Manufacturers',
            'Code',
            missing.map(Number),
            ['Code', 'ManufacturerName'],
          );
          return new Map(
            found.map((manufacturer) => [String(manufacturer.Code), manufacturer.ManufacturerName]),
          );
        });
        return new Map(itemCodes.map((code) => [code, names.get(codeOf.get(code) ?? '') ?? null]));
      },
    },
  },
  incremental: {
    defaultLookbackSeconds: 600,
    // Open orders are read every time, as the people who run this sync by hand do: some changes to an open
    // order (a delivery against a line) reach its lines without stamping the header.
    params: (since, after) => ({
      $filter: and(
        or(equals('DocumentStatus', 'bost_Open'), changedSince(since)),
        keyAfter('DocEntry', Number(after ?? 0)),
      ),
      $orderby: 'DocEntry asc',
    }),
    latestFirst: { $orderby: 'UpdateDate desc,UpdateTime desc' },
  },
  // SAP never deletes a sales order (it is closed or cancelled, and stays a document): nothing to reconcile.
  // '001-sales-orders': the step that created these tables before they were declared.
  schemaStep: '001-sales-orders',
});
