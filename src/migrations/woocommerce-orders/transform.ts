import { z } from 'zod';
import type { WooOrder } from '../../connectors/woocommerce/order-shape.js';
import type { RejectedRecord } from '../types.js';
import type { CustomerRow, OrderItemRow, OrderRow } from './target.js';

/** A chunk's rows by table: what the target's writer takes. */
export type OrderRows = {
  customers: CustomerRow[];
  orders: OrderRow[];
  order_items: OrderItemRow[];
};

const gmtDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/)
  .refine((value) => !Number.isNaN(Date.parse(`${value}Z`)), 'is not a valid date');
const money = z.string().regex(/^-?\d+(\.\d+)?$/, 'is not an amount');

/** What ferry relies on in a WooCommerce order; anything else in the payload is ignored. */
const orderSchema = z.object({
  id: z.number().int().positive(),
  number: z.string(),
  status: z.string().min(1),
  currency: z.string().length(3),
  date_created_gmt: gmtDate,
  date_modified_gmt: gmtDate,
  date_paid_gmt: gmtDate.nullable(),
  date_completed_gmt: gmtDate.nullable(),
  total: money,
  total_tax: money,
  shipping_total: money,
  customer_id: z.number().int().min(0),
  payment_method: z.string(),
  billing: z.object({
    email: z.email(),
    first_name: z.string(),
    last_name: z.string(),
    company: z.string(),
    phone: z.string().optional(),
    city: z.string(),
    postcode: z.string(),
    country: z.string(),
  }),
  line_items: z.array(
    z.object({
      id: z.number().int().positive(),
      product_id: z.number().int().min(0),
      sku: z.string(),
      name: z.string(),
      quantity: z.number().int().positive(),
      price: z.number().min(0),
      total: money,
      total_tax: money,
      bundled_by: z.union([z.number().int().positive(), z.literal('')]).optional(),
    }),
  ),
});

/** The order fields the transform reads: all that ferry asks the store for. */
export const ORDER_FIELDS: readonly string[] = Object.keys(orderSchema.shape);

const utc = (value: string | null) => (value === null ? null : `${value}Z`);

/**
 * WooCommerce orders become customers, orders and their lines (bundle children point at their parent). Pages are
 * added as they arrive, so a chunk holds its rows rather than every parsed record until it is written.
 */
export class OrderRowsBuilder {
  private readonly customers = new Map<string, CustomerRow>();
  // By order id: paging over a live store can list an order twice in one chunk (once before and once after
  // it moved), and one upsert cannot touch a row twice. The later listing is the newer one and wins.
  private readonly orders = new Map<number, OrderRow>();
  private readonly items = new Map<number, OrderItemRow[]>();
  private readonly rejectedById = new Map<string, RejectedRecord>();

  /** Orders that became rows. */
  get orderCount(): number {
    return this.orders.size;
  }

  /** Records the schema refused, each with its reason: the chunk dead-letters them and writes the rest. */
  get rejected(): RejectedRecord[] {
    return [...this.rejectedById.values()];
  }

  /** Every distinct record added: those that became rows plus those refused. */
  get recordCount(): number {
    return this.orders.size + this.rejectedById.size;
  }

  get orderKeys(): string[] {
    return [...this.orders.keys()].map(String);
  }

  add(records: readonly WooOrder[]): this {
    for (const record of records) this.addOne(record);
    return this;
  }

  private addOne(record: WooOrder): void {
    const parsed = orderSchema.safeParse(record);
    const key = String(record.id);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      // The later listing wins, as for good records: an order broken since it was listed is not written.
      this.orders.delete(record.id);
      this.items.delete(record.id);
      this.rejectedById.set(key, {
        sourceKey: key,
        payload: record,
        reason: `${issue?.path.join('.')} ${issue?.message}`,
      });
      return;
    }
    this.rejectedById.delete(key);
    const order = parsed.data;
    const email = order.billing.email.toLowerCase();
    const wooCustomerId = order.customer_id === 0 ? null : order.customer_id;
    this.customers.set(email, {
      email,
      first_name: order.billing.first_name,
      last_name: order.billing.last_name,
      company: order.billing.company,
      phone: order.billing.phone ?? null,
      city: order.billing.city,
      postcode: order.billing.postcode,
      country: order.billing.country,
      woo_customer_id: wooCustomerId ?? this.customers.get(email)?.woo_customer_id ?? null,
    });
    this.orders.delete(order.id); // re-inserted below, so the rows keep the order of their latest listing
    this.orders.set(order.id, {
      id: order.id,
      number: order.number,
      status: order.status,
      currency: order.currency,
      date_created: `${order.date_created_gmt}Z`,
      date_modified: `${order.date_modified_gmt}Z`,
      date_paid: utc(order.date_paid_gmt),
      date_completed: utc(order.date_completed_gmt),
      total: order.total,
      total_tax: order.total_tax,
      shipping_total: order.shipping_total,
      // The customer's email: the writer stores the customer's id in its place.
      customer_id: email,
      woo_customer_id: wooCustomerId,
      payment_method: order.payment_method,
    });
    const lines: OrderItemRow[] = [];
    this.items.set(order.id, lines);
    for (const line of order.line_items) {
      lines.push({
        id: line.id,
        order_id: order.id,
        product_id: line.product_id,
        sku: line.sku,
        name: line.name,
        quantity: line.quantity,
        price: line.price,
        total: line.total,
        total_tax: line.total_tax,
        bundled_by: typeof line.bundled_by === 'number' ? line.bundled_by : null,
      });
    }
  }

  build(): OrderRows {
    return {
      customers: [...this.customers.values()],
      orders: [...this.orders.values()],
      order_items: [...this.items.values()].flat(),
    };
  }
}

export function transformOrders(records: readonly WooOrder[]): OrderRows {
  return new OrderRowsBuilder().add(records).build();
}
