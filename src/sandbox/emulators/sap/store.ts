import type { SapOrder } from '../../../connectors/sap/order-shape.js';
import {
  type CompanyShape,
  customerOf,
  docTotal,
  generateOrder,
  makeLines,
  round2,
  sapDate,
  sapTime,
} from './order-generator.js';

export type OrderChange = 'edit-header' | 'edit-line' | 'remove-line' | 'close';

/**
 * A company's sales orders, held in memory (an incremental sync reads thousands, not millions), changed the
 * way users change them in SAP: each change stamps UpdateDate and UpdateTime, at the emulator's clock or at an
 * instant the caller gives (to put an order exactly on a watermark).
 */
export class SapOrderStore {
  private readonly orders: SapOrder[] = [];
  private edits = 0;

  constructor(readonly shape: CompanyShape) {
    for (let index = 0; index < shape.baseCount; index++) this.orders.push(generateOrder(shape, index));
  }

  get size(): number {
    return this.orders.length;
  }

  /** In DocEntry order. */
  all(): readonly SapOrder[] {
    return this.orders;
  }

  get(docEntry: number): SapOrder | undefined {
    return this.orders[docEntry - 1];
  }

  private stamp(order: SapOrder, atMs: number): void {
    order.UpdateDate = sapDate(atMs);
    order.UpdateTime = sapTime(atMs);
  }

  /** New open orders placed now; returns their DocEntries. */
  create(count: number, atMs = Date.now()): number[] {
    const created: number[] = [];
    for (let n = 0; n < count; n++) {
      const docEntry = this.orders.length + 1;
      const lines = makeLines(this.shape.seed + 1, docEntry, 1 + (docEntry % 4), 'bost_Open');
      const order: SapOrder = {
        DocEntry: docEntry,
        DocNum: 100_000 + docEntry,
        ...customerOf(this.shape.seed, docEntry % 400),
        DocDate: sapDate(atMs),
        DocDueDate: sapDate(atMs + 14 * 24 * 3600 * 1000),
        DocTotal: docTotal(lines),
        DocCurrency: 'EUR',
        DocumentStatus: 'bost_Open',
        Comments: null,
        UpdateDate: '',
        UpdateTime: '',
        DocumentLines: lines,
      };
      this.stamp(order, atMs);
      this.orders.push(order);
      created.push(docEntry);
    }
    return created;
  }

  /** Applies one change to an order; undefined when there is no such order or the change cannot apply. */
  change(docEntry: number, change: OrderChange, atMs = Date.now()): SapOrder | undefined {
    const order = this.get(docEntry);
    if (!order) return undefined;
    this.edits++;
    if (change === 'edit-header') {
      order.Comments = `edited ${this.edits}`;
    } else if (change === 'edit-line') {
      const line = order.DocumentLines[0];
      if (!line) return undefined;
      line.Quantity += 1;
      line.LineTotal = round2(line.Quantity * line.Price);
    } else if (change === 'remove-line') {
      if (order.DocumentLines.length < 2) return undefined; // SAP keeps at least one line
      order.DocumentLines.pop();
    } else {
      order.DocumentStatus = 'bost_Close';
      for (const line of order.DocumentLines) line.LineStatus = 'bost_Close';
    }
    order.DocTotal = docTotal(order.DocumentLines);
    this.stamp(order, atMs);
    return order;
  }
}
