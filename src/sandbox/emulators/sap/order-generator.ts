import type {
  SapItem,
  SapManufacturer,
  SapOrder,
  SapOrderLine,
} from '../../../connectors/sap/order-shape.js';
import { isoDate, isoTime } from '../formats.js';
import { intBetween, pick, unit } from '../prng.js';

/** The fixed part of a company database: every base order is a pure function of (shape, index). */
export interface CompanyShape {
  seed: number;
  baseCount: number;
  startMs: number;
  endMs: number;
}

const ITEM_COUNT = 300;
const MANUFACTURER_COUNT = 25;
const CUSTOMER_COUNT = 400;
const DAY_MS = 24 * 3600 * 1000;
/** Orders placed within this long of the end are still open, like a live order book. */
const OPEN_WINDOW_MS = 21 * DAY_MS;

enum Salt {
  Date = 1,
  Customer,
  LineCount,
  Item,
  Quantity,
  UpdateDelay,
  Closed,
  Manufacturer,
  Price,
}

const NAMES = [
  'Atlas',
  'Borealis',
  'Cobalt',
  'Delta',
  'Ember',
  'Fjord',
  'Granite',
  'Harbor',
  'Iris',
  'Juniper',
];
const KINDS = ['Trading', 'Industries', 'Supplies', 'Logistics', 'Retail', 'Engineering'];

export const sapDate = isoDate;
export const sapTime = isoTime;
export const round2 = (value: number) => Math.round(value * 100) / 100;

export function itemCode(index: number): string {
  return `A${String(index + 1).padStart(5, '0')}`;
}

export function generateItem(seed: number, index: number): SapItem {
  const hasManufacturer = unit(seed, index, Salt.Manufacturer, 0) < 0.9;
  return {
    ItemCode: itemCode(index),
    ItemName: `${pick(NAMES, seed, index, Salt.Item)} part ${index + 1}`,
    Manufacturer: hasManufacturer ? intBetween(1, MANUFACTURER_COUNT, seed, index, Salt.Manufacturer) : -1,
  };
}

export function generateManufacturer(seed: number, code: number): SapManufacturer {
  return { Code: code, ManufacturerName: `${pick(NAMES, seed, code, Salt.Manufacturer)} Works ${code}` };
}

export const ITEMS = ITEM_COUNT;
export const MANUFACTURERS = MANUFACTURER_COUNT;

export function itemPrice(seed: number, itemIndex: number): number {
  return round2(5 + unit(seed, itemIndex, Salt.Price) * 495);
}

export function customerOf(seed: number, n: number): { CardCode: string; CardName: string } {
  return {
    CardCode: `C${String(n + 1).padStart(5, '0')}`,
    CardName: `${pick(NAMES, seed, n, Salt.Customer)} ${pick(KINDS, seed, n, Salt.Customer, 1)} ${n + 1}`,
  };
}

export function makeLines(seed: number, docEntry: number, count: number, status: SapOrderLine['LineStatus']) {
  const lines: SapOrderLine[] = [];
  for (let line = 0; line < count; line++) {
    const itemIndex = intBetween(0, ITEM_COUNT - 1, seed, docEntry, Salt.Item, line);
    const quantity = intBetween(1, 20, seed, docEntry, Salt.Quantity, line);
    const price = itemPrice(seed, itemIndex);
    lines.push({
      LineNum: line,
      ItemCode: itemCode(itemIndex),
      ItemDescription: generateItem(seed, itemIndex).ItemName,
      Quantity: quantity,
      Price: price,
      LineTotal: round2(quantity * price),
      LineStatus: status,
    });
  }
  return lines;
}

export function docTotal(lines: readonly SapOrderLine[]): number {
  return round2(lines.reduce((sum, line) => sum + line.LineTotal, 0));
}

/** Base order `index` (DocEntry index + 1): placed between start and end, last changed a little later. */
export function generateOrder(shape: CompanyShape, index: number): SapOrder {
  const { seed } = shape;
  const docEntry = index + 1;
  const span = shape.endMs - shape.startMs;
  // Evenly spread with jitter, so DocEntry order follows DocDate order as in a real company.
  const placedMs =
    shape.startMs +
    Math.floor(((index + unit(seed, index, Salt.Date)) / Math.max(1, shape.baseCount)) * span);
  const updatedMs = Math.min(
    shape.endMs,
    placedMs + Math.floor(unit(seed, index, Salt.UpdateDelay) * 3 * DAY_MS),
  );
  const open = placedMs > shape.endMs - OPEN_WINDOW_MS || unit(seed, index, Salt.Closed) < 0.02;
  const status = open ? 'bost_Open' : 'bost_Close';
  const lines = makeLines(seed, docEntry, intBetween(1, 6, seed, index, Salt.LineCount), status);
  return {
    DocEntry: docEntry,
    DocNum: 100_000 + docEntry,
    ...customerOf(seed, intBetween(0, CUSTOMER_COUNT - 1, seed, index, Salt.Customer)),
    DocDate: sapDate(placedMs),
    DocDueDate: sapDate(placedMs + 14 * DAY_MS),
    DocTotal: docTotal(lines),
    DocCurrency: 'EUR',
    DocumentStatus: status,
    Comments: null,
    UpdateDate: sapDate(updatedMs),
    UpdateTime: sapTime(updatedMs),
    DocumentLines: lines,
  };
}
