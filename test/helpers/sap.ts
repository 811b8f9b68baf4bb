import type { Knex } from 'knex';
import { instantOfStamp } from '../../src/connectors/sap/odata.js';
import type { SapOrder } from '../../src/connectors/sap/order-shape.js';
import { generateItem, generateManufacturer } from '../../src/sandbox/emulators/sap/order-generator.js';
import type { SapEmulator } from '../../src/sandbox/emulators/sap/server.js';

/** Every order and line as one comparable line of text: what the target must hold for a source. */
export interface SalesOrderLines {
  orders: string[];
  lines: string[];
}

const status = (value: string) => (value === 'bost_Open' ? 'open' : 'closed');
const amount = (value: unknown) => String(Number(value));

/** What sap-orders must write for the emulator's orders, each line's manufacturer derived independently. */
export function expectedSalesOrders(sap: SapEmulator, seed: number): SalesOrderLines {
  const manufacturerOf = (itemCode: string) => {
    const item = generateItem(seed, Number(itemCode.slice(1)) - 1);
    return item.Manufacturer < 1 ? null : generateManufacturer(seed, item.Manufacturer).ManufacturerName;
  };
  const orders = sap.store.all() as SapOrder[];
  return {
    orders: orders
      .map((o) =>
        [
          o.DocEntry,
          o.DocNum,
          o.CardCode,
          o.CardName,
          o.DocDate,
          o.DocDueDate,
          amount(o.DocTotal),
          o.DocCurrency,
          status(o.DocumentStatus),
          o.Comments,
          instantOfStamp(o.UpdateDate, o.UpdateTime),
        ].join('|'),
      )
      .sort(),
    lines: orders
      .flatMap((o) =>
        o.DocumentLines.map((l) =>
          [
            o.DocEntry,
            l.LineNum,
            l.ItemCode,
            l.ItemDescription,
            amount(l.Quantity),
            amount(l.Price),
            amount(l.LineTotal),
            status(l.LineStatus),
            manufacturerOf(l.ItemCode),
          ].join('|'),
        ),
      )
      .sort(),
  };
}

/** The target's sales orders and lines in the same form. */
export async function targetSalesOrders(db: Knex): Promise<SalesOrderLines> {
  const orders = await db('sales_orders').select(
    'doc_entry',
    'doc_num',
    'card_code',
    'card_name',
    db.raw("to_char(doc_date, 'YYYY-MM-DD') as doc_date"),
    db.raw("to_char(doc_due_date, 'YYYY-MM-DD') as doc_due_date"),
    'doc_total',
    'currency',
    'status',
    'comments',
    'source_updated_at',
  );
  const lines = await db('sales_order_lines').select('*');
  return {
    orders: orders
      .map((o) =>
        [
          o.doc_entry,
          o.doc_num,
          o.card_code,
          o.card_name,
          o.doc_date,
          o.doc_due_date,
          amount(o.doc_total),
          o.currency,
          o.status,
          o.comments,
          (o.source_updated_at as Date).toISOString(),
        ].join('|'),
      )
      .sort(),
    lines: lines
      .map((l) =>
        [
          l.doc_entry,
          l.line_num,
          l.item_code,
          l.item_description,
          amount(l.quantity),
          amount(l.price),
          amount(l.line_total),
          l.status,
          l.manufacturer,
        ].join('|'),
      )
      .sort(),
  };
}

/** Each target row's transaction id (xmin): a row that was not written keeps its own. */
export async function rowVersions(db: Knex): Promise<Map<string, string>> {
  const { rows } = await db.raw<{ rows: { key: string; xmin: string }[] }>(
    `select 'o' || doc_entry as key, xmin::text from sales_orders
     union all select 'l' || doc_entry || '/' || line_num, xmin::text from sales_order_lines`,
  );
  return new Map(rows.map((row) => [row.key, row.xmin]));
}

/** Calls the emulator's control API and returns its JSON answer. */
export async function sapControl<T = unknown>(
  sap: SapEmulator,
  method: string,
  path: string,
  body?: unknown,
) {
  const response = await fetch(`${sap.controlUrl}${path}`, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}
