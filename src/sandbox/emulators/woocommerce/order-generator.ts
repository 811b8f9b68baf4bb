import type { WooAddress, WooLineItem, WooOrder } from '../../../connectors/woocommerce/order-shape.js';
import { centsText } from '../formats.js';
import { hash32, intBetween, pick, unit } from '../prng.js';
import { wordpressDate } from './wordpress.js';

/** The fixed part of a store: every base order is a pure function of (shape, index). */
export interface StoreShape {
  seed: number;
  /** Number of orders the store starts with. */
  baseCount: number;
  startMs: number;
  endMs: number;
}

/** Base orders are modified at most this long after they were created. */
export const MAX_MODIFY_DELAY_MS = 30 * 24 * 3600 * 1000;
const LINE_SLOTS = 16;
const PRODUCT_COUNT = 500;
const BUNDLE_COUNT = 20;
const VAT = 0.21;

/** Salts keep the independent random choices about one order uncorrelated. */
enum Salt {
  CreatedJitter = 1,
  ModifyDelay,
  Status,
  Customer,
  Guest,
  LineCount,
  Product,
  Quantity,
  Bundle,
  BundleSize,
  Shipping,
  Edit,
  Payment,
  Malformed,
  MalformedKind,
}

const STATUSES = [
  ...Array(70).fill('completed'),
  ...Array(10).fill('processing'),
  ...Array(5).fill('pending'),
  ...Array(5).fill('cancelled'),
  ...Array(4).fill('refunded'),
  ...Array(3).fill('on-hold'),
  ...Array(3).fill('failed'),
] as const;
const FIRST_NAMES = [
  'Anna',
  'Bram',
  'Chloé',
  'Daan',
  'Emma',
  'Finn',
  'Greta',
  'Hugo',
  'Iris',
  'Jonas',
  'Karin',
  'Lars',
];
const LAST_NAMES = [
  'de Vries',
  'Jansen',
  'Bakker',
  'Visser',
  'Smit',
  'Meijer',
  'Mulder',
  "O'Brien",
  'Müller',
  'Dubois',
];
const CITIES = ['Amsterdam', 'Rotterdam', 'Utrecht', 'Gent', 'Antwerpen', 'Köln', 'Lille', 'Den Haag'];
const PAYMENT_METHODS = [
  ['ideal', 'iDEAL'],
  ['stripe', 'Credit card'],
  ['bacs', 'Direct bank transfer'],
  ['paypal', 'PayPal'],
] as const;

export function createdAtMs(shape: StoreShape, index: number): number {
  // Jitter inside each slot keeps the sequence non-decreasing, so date filters map to index ranges.
  const step = (shape.endMs - shape.startMs) / shape.baseCount;
  const offset = (index + unit(shape.seed, index, Salt.CreatedJitter)) * step;
  return Math.floor((shape.startMs + offset) / 1000) * 1000;
}

export function baseModifiedAtMs(shape: StoreShape, index: number, created: number): number {
  if (unit(shape.seed, index, Salt.ModifyDelay) < 0.4) return created;
  return (
    created + Math.floor((unit(shape.seed, index, Salt.ModifyDelay, 2) * MAX_MODIFY_DELAY_MS) / 1000) * 1000
  );
}

export function baseStatus(shape: StoreShape, index: number): string {
  return pick(STATUSES, shape.seed, index, Salt.Status);
}

export function customerCount(shape: StoreShape): number {
  return Math.max(50, Math.floor(shape.baseCount / 5));
}

const money = centsText;

function cents(value: number): number {
  return Math.round(value * 100) / 100;
}

function productPrice(seed: number, product: number): number {
  return intBetween(250, 25000, seed, product, 77) / 100;
}

export function billingFor(
  shape: StoreShape,
  index: number,
  customerIndex: number | undefined,
): WooAddress & { email: string } {
  const who = customerIndex ?? shape.baseCount * 7 + index;
  const first = pick(FIRST_NAMES, shape.seed, who, 11);
  const last = pick(LAST_NAMES, shape.seed, who, 12);
  return {
    first_name: first,
    last_name: last,
    company: unit(shape.seed, who, 13) < 0.2 ? `${last} B.V.` : '',
    address_1: `${pick(['Kerkstraat', 'Dorpsweg', 'Stationsplein', 'Marktstraat'], shape.seed, who, 14)} ${intBetween(1, 200, shape.seed, who, 15)}`,
    address_2: '',
    city: pick(CITIES, shape.seed, who, 16),
    state: '',
    postcode: `${intBetween(1000, 9999, shape.seed, who, 17)} AB`,
    country: pick(['NL', 'BE', 'DE', 'FR'], shape.seed, who, 18),
    email:
      customerIndex === undefined
        ? `guest-${index + 1}@example.net`
        : `customer-${customerIndex + 1}@example.com`,
    phone: `+31 6 ${intBetween(10000000, 99999999, shape.seed, who, 19)}`,
  };
}

function lineItem(
  orderIndex: number,
  slot: number,
  product: number,
  quantity: number,
  price: number,
  name: string,
): WooLineItem {
  const total = cents(price * quantity);
  const tax = cents(total * VAT);
  return {
    id: orderIndex * LINE_SLOTS + slot + 1,
    name,
    product_id: product,
    variation_id: 0,
    quantity,
    tax_class: '',
    subtotal: money(total),
    subtotal_tax: money(tax),
    total: money(total),
    total_tax: money(tax),
    taxes: [{ id: 1, total: `${money(tax)}00`, subtotal: `${money(tax)}00` }],
    meta_data: [],
    sku: `SKU-${product}`,
    price,
    parent_name: null,
    bundled_by: '',
    bundled_items: [],
  };
}

/** Lines of revision 0, then one deterministic edit per later revision (quantity change, removal or addition). */
function lineItems(shape: StoreShape, index: number, revision: number): WooLineItem[] {
  const { seed } = shape;
  const lines: WooLineItem[] = [];
  const standalone = intBetween(1, 4, seed, index, Salt.LineCount);
  for (let slot = 0; slot < standalone; slot++) {
    const product = 1000 + intBetween(0, PRODUCT_COUNT - 1, seed, index, Salt.Product, slot);
    const quantity = intBetween(1, 4, seed, index, Salt.Quantity, slot);
    lines.push(lineItem(index, slot, product, quantity, productPrice(seed, product), `Product ${product}`));
  }
  if (unit(seed, index, Salt.Bundle) < 0.12) {
    const bundleProduct = 5000 + intBetween(0, BUNDLE_COUNT - 1, seed, index, Salt.Bundle, 1);
    const parentSlot = standalone;
    const parent = lineItem(
      index,
      parentSlot,
      bundleProduct,
      1,
      productPrice(seed, bundleProduct),
      `Bundle ${bundleProduct}`,
    );
    const childCount = intBetween(2, 3, seed, index, Salt.BundleSize);
    lines.push(parent);
    for (let child = 0; child < childCount; child++) {
      const product = 1000 + intBetween(0, PRODUCT_COUNT - 1, seed, bundleProduct, child, 3);
      // Bundled children are priced into the bundle, as Product Bundles does by default.
      const line = lineItem(index, parentSlot + 1 + child, product, 1, 0, `Product ${product}`);
      line.bundled_by = parent.id;
      parent.bundled_items.push(line.id);
      lines.push(line);
    }
  }
  if (revision > 0) applyEdit(shape, index, revision, lines);
  return lines;
}

function applyEdit(shape: StoreShape, index: number, revision: number, lines: WooLineItem[]): void {
  const { seed } = shape;
  const standalone = lines.filter((line) => line.bundled_by === '' && line.bundled_items.length === 0);
  const edit = hash32(seed, index, Salt.Edit, revision) % 3;
  if (edit === 1 && standalone.length > 1) {
    const removed = standalone[standalone.length - 1] as WooLineItem;
    lines.splice(lines.indexOf(removed), 1);
    return;
  }
  if (edit === 2) {
    const product = 1000 + intBetween(0, PRODUCT_COUNT - 1, seed, index, Salt.Edit, revision, 1);
    const slot = 10 + (revision % 6);
    lines.push(lineItem(index, slot, product, 1, productPrice(seed, product), `Product ${product}`));
    return;
  }
  const target = standalone[revision % standalone.length] as WooLineItem;
  const replaced = lineItem(
    index,
    (target.id - 1) % LINE_SLOTS,
    target.product_id,
    target.quantity + 1,
    target.price,
    target.name,
  );
  lines[lines.indexOf(target)] = replaced;
}

export interface OrderState {
  createdMs: number;
  modifiedMs: number;
  status: string;
  revision: number;
}

/** Builds the full order for an index in a given state. */
export function generateOrder(shape: StoreShape, index: number, state: OrderState): WooOrder {
  const { seed } = shape;
  const isGuest = unit(seed, index, Salt.Guest) < 0.08;
  const customerIndex = isGuest
    ? undefined
    : intBetween(0, customerCount(shape) - 1, seed, index, Salt.Customer);
  const billing = billingFor(shape, index, customerIndex);
  const { email: _email, phone: _phone, ...shipping } = billing;
  const lines = lineItems(shape, index, state.revision);
  const linesTotal = cents(lines.reduce((sum, line) => sum + Number(line.total), 0));
  const linesTax = cents(lines.reduce((sum, line) => sum + Number(line.total_tax), 0));
  const shippingTotal = pick([0, 4.95, 6.95], seed, index, Salt.Shipping);
  const shippingTax = cents(shippingTotal * VAT);
  const totalTax = cents(linesTax + shippingTax);
  const [paymentMethod, paymentTitle] = pick(PAYMENT_METHODS, seed, index, Salt.Payment);
  const paid = ['completed', 'processing', 'refunded'].includes(state.status)
    ? wordpressDate(state.createdMs + 60_000)
    : null;
  const completed = state.status === 'completed' ? wordpressDate(state.modifiedMs) : null;
  const id = index + 1;
  return {
    id,
    parent_id: 0,
    number: String(id),
    order_key: `wc_order_${hash32(seed, index, 99).toString(36)}`,
    created_via: 'checkout',
    version: '8.9.1',
    status: state.status,
    currency: 'EUR',
    date_created: wordpressDate(state.createdMs),
    date_created_gmt: wordpressDate(state.createdMs),
    date_modified: wordpressDate(state.modifiedMs),
    date_modified_gmt: wordpressDate(state.modifiedMs),
    discount_total: '0.00',
    discount_tax: '0.00',
    shipping_total: money(shippingTotal),
    shipping_tax: money(shippingTax),
    cart_tax: money(linesTax),
    total: money(cents(linesTotal + shippingTotal + totalTax)),
    total_tax: money(totalTax),
    prices_include_tax: false,
    customer_id: customerIndex === undefined ? 0 : customerIndex + 1,
    customer_note: '',
    billing,
    shipping,
    payment_method: paymentMethod,
    payment_method_title: paymentTitle,
    transaction_id: paid ? `tx_${hash32(seed, index, 98).toString(36)}` : '',
    date_paid: paid,
    date_paid_gmt: paid,
    date_completed: completed,
    date_completed_gmt: completed,
    meta_data: [],
    line_items: lines,
  };
}

export type MalformedKind = 'missing-email' | 'negative-quantity' | 'bad-date';

/** Which base records are broken at a given rate: fixed per record, as bad data in a real store is. */
export function malformedKind(shape: StoreShape, index: number, rate: number): MalformedKind | undefined {
  if (rate <= 0 || unit(shape.seed, index, Salt.Malformed) >= rate) return undefined;
  return pick(
    ['missing-email', 'negative-quantity', 'bad-date'] as const,
    shape.seed,
    index,
    Salt.MalformedKind,
  );
}

export function corruptOrder(order: WooOrder, kind: MalformedKind): WooOrder {
  if (kind === 'missing-email') {
    const { email: _dropped, ...billing } = order.billing;
    return { ...order, billing };
  }
  if (kind === 'negative-quantity') {
    const [first, ...rest] = order.line_items;
    return first ? { ...order, line_items: [{ ...first, quantity: -first.quantity }, ...rest] } : order;
  }
  return { ...order, date_created_gmt: '2019-13-45T25:61:00', date_created: '2019-13-45T25:61:00' };
}
