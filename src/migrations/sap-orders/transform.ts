import { z } from 'zod';
import type { LookupCache } from '../../connectors/lookup-cache.js';
import type { SapServiceLayerClient } from '../../connectors/sap/client.js';
import type { SapOrder } from '../../connectors/sap/order-shape.js';
import { instantOfStamp } from '../../connectors/sap/stamps.js';
import type { RejectedRecord } from '../types.js';
import type { SalesOrderLineRow, SalesOrderRow } from './target.js';

export interface SalesOrderRows {
  /** The chunk's rows by table: what the target's writer takes. */
  rows: { sales_orders: SalesOrderRow[]; sales_order_lines: SalesOrderLineRow[] };
  /** Records the schema refused, with their reasons: dead-lettered while the rest is written. */
  rejected: RejectedRecord[];
}

/** The fields ferry asks SAP for ($select): what the target holds and nothing more. */
export const SAP_ORDER_FIELDS = [
  'DocEntry',
  'DocNum',
  'CardCode',
  'CardName',
  'DocDate',
  'DocDueDate',
  'DocTotal',
  'DocCurrency',
  'DocumentStatus',
  'Comments',
  'UpdateDate',
  'UpdateTime',
  'DocumentLines',
].join(',');

const sapDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'is not a YYYY-MM-DD date');
const status = z
  .enum(['bost_Open', 'bost_Close'])
  .transform((value) => (value === 'bost_Open' ? 'open' : 'closed'));

const lineSchema = z.object({
  LineNum: z.number().int().min(0),
  ItemCode: z.string().min(1),
  ItemDescription: z.string(),
  Quantity: z.number(),
  Price: z.number(),
  LineTotal: z.number(),
  LineStatus: status,
});

/** What ferry relies on in a sales order; anything else in the payload is ignored. */
const orderSchema = z.object({
  DocEntry: z.number().int().positive(),
  DocNum: z.number().int(),
  CardCode: z.string().min(1),
  CardName: z.string(),
  DocDate: sapDate,
  DocDueDate: sapDate,
  DocTotal: z.number(),
  DocCurrency: z.string().min(1),
  DocumentStatus: status,
  Comments: z.string().nullable(),
  UpdateDate: sapDate,
  UpdateTime: z.string().regex(/^\d{2}:\d{2}:\d{2}$/, 'is not an HH:MM:SS time'),
  DocumentLines: z.array(lineSchema),
});

type ParsedOrder = z.infer<typeof orderSchema>;

/**
 * Each item's manufacturer name, through the item and manufacturer lookups, each key asked once per run and
 * many keys per request: a chunk's few hundred items share a few dozen manufacturers.
 */
async function manufacturersOf(
  client: SapServiceLayerClient,
  lookups: LookupCache,
  itemCodes: string[],
): Promise<Map<string, string | null>> {
  const itemManufacturer = await lookups.getMany('item-manufacturer', itemCodes, async (missing) => {
    const items = await client.items(missing);
    return new Map(items.map((item) => [item.ItemCode, item.Manufacturer]));
  });
  const codes = [...new Set(itemManufacturer.values())].filter(
    (code): code is number => code !== null && code > 0,
  );
  const names = await lookups.getMany('manufacturer', codes.map(String), async (missing) => {
    const found = await client.manufacturers(missing.map(Number));
    return new Map(found.map((manufacturer) => [String(manufacturer.Code), manufacturer.ManufacturerName]));
  });
  return new Map(
    itemCodes.map((itemCode) => {
      const code = itemManufacturer.get(itemCode);
      return [itemCode, code && code > 0 ? (names.get(String(code)) ?? null) : null];
    }),
  );
}

/**
 * Sales orders as target rows, each line with its item's manufacturer. An order that appears twice in a chunk
 * (read again after a change) is written once, as last read.
 */
export async function salesOrderRows(
  client: SapServiceLayerClient,
  lookups: LookupCache,
  records: readonly SapOrder[],
): Promise<SalesOrderRows> {
  const byEntry = new Map<number, ParsedOrder>();
  const rejected = new Map<string, RejectedRecord>();
  for (const record of records) {
    const parsed = orderSchema.safeParse(record);
    const key = String(record.DocEntry);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      byEntry.delete(record.DocEntry); // as read last
      rejected.set(key, {
        sourceKey: key,
        payload: record,
        reason: `${issue?.path.join('.')} ${issue?.message}`,
      });
      continue;
    }
    rejected.delete(key);
    byEntry.set(parsed.data.DocEntry, parsed.data);
  }
  const orders = [...byEntry.values()];
  const itemCodes = [...new Set(orders.flatMap((order) => order.DocumentLines.map((line) => line.ItemCode)))];
  const manufacturers = await manufacturersOf(client, lookups, itemCodes);
  return {
    rejected: [...rejected.values()],
    rows: {
      sales_orders: orders.map((order) => ({
        doc_entry: order.DocEntry,
        doc_num: order.DocNum,
        card_code: order.CardCode,
        card_name: order.CardName,
        doc_date: order.DocDate,
        doc_due_date: order.DocDueDate,
        doc_total: order.DocTotal,
        currency: order.DocCurrency,
        status: order.DocumentStatus,
        comments: order.Comments,
        source_updated_at: instantOfStamp(order.UpdateDate, order.UpdateTime),
      })),
      sales_order_lines: orders.flatMap((order) =>
        order.DocumentLines.map((line) => ({
          doc_entry: order.DocEntry,
          line_num: line.LineNum,
          item_code: line.ItemCode,
          item_description: line.ItemDescription,
          quantity: line.Quantity,
          price: line.Price,
          line_total: line.LineTotal,
          status: line.LineStatus,
          manufacturer: manufacturers.get(line.ItemCode) ?? null,
        })),
      ),
    },
  };
}
