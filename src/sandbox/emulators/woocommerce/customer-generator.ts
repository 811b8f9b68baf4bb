import type { WooAddress } from '../../../connectors/woocommerce/order-shape.js';
import { unit } from '../prng.js';
import { billingFor, customerCount, type StoreShape } from './order-generator.js';
import { wordpressDate } from './wordpress.js';

/** A WooCommerce REST v3 customer, shaped as WooCommerce sends it (dates without a zone, as WordPress does). */
export interface WooCustomer {
  id: number;
  date_created: string;
  date_created_gmt: string;
  date_modified: string;
  date_modified_gmt: string;
  email: string;
  first_name: string;
  last_name: string;
  role: string;
  username: string;
  billing: WooAddress & { email: string; phone: string };
  shipping: WooAddress & { phone: string };
  is_paying_customer: boolean;
  avatar_url: string;
  meta_data: { id: number; key: string; value: unknown }[];
  _links: { self: { href: string }[]; collection: { href: string }[] };
}

enum Salt {
  Registered = 101,
  Modified,
  Paying,
}

const MAX_PROFILE_EDIT_DELAY_MS = 90 * 24 * 3600 * 1000;

/** Customers registered over the store's period in id order: customer i (id i + 1) is the i-th to register. */
export function registeredAtMs(shape: StoreShape, index: number): number {
  const step = (shape.endMs - shape.startMs) / customerCount(shape);
  const offset = (index + unit(shape.seed, index, Salt.Registered)) * step;
  return Math.floor((shape.startMs + offset) / 1000) * 1000;
}

/** `Anna de Vries` → `anna.devries.17`: ASCII, as WordPress sanitises user logins. */
function usernameOf(first: string, last: string, id: number): string {
  const ascii = (text: string) =>
    text
      .normalize('NFD')
      .replace(/[^A-Za-z]/g, '')
      .toLowerCase();
  return `${ascii(first)}.${ascii(last)}.${id}`;
}

/** The customer with this index: the same person (name, billing address) as the orders that name it. */
export function generateCustomer(shape: StoreShape, index: number, apiUrl: string): WooCustomer {
  const id = index + 1;
  // The billing an order of this customer carries: customer-{id}@example.com, the same name and address.
  const { email, phone, ...address } = billingFor(shape, index, index);
  const registered = registeredAtMs(shape, index);
  const edited = unit(shape.seed, index, Salt.Modified) < 0.5;
  const modified = edited
    ? registered +
      Math.floor((unit(shape.seed, index, Salt.Modified, 2) * MAX_PROFILE_EDIT_DELAY_MS) / 1000) * 1000
    : registered;
  return {
    id,
    date_created: wordpressDate(registered),
    date_created_gmt: wordpressDate(registered),
    date_modified: wordpressDate(modified),
    date_modified_gmt: wordpressDate(modified),
    email,
    first_name: address.first_name,
    last_name: address.last_name,
    role: 'customer',
    username: usernameOf(address.first_name, address.last_name, id),
    billing: { ...address, email, phone: phone ?? '' },
    shipping: { ...address, phone: '' },
    is_paying_customer: unit(shape.seed, index, Salt.Paying) < 0.8,
    avatar_url: `https://secure.gravatar.com/avatar/${id.toString(16).padStart(32, '0')}?s=96&d=mm&r=g`,
    meta_data: [],
    _links: {
      self: [{ href: `${apiUrl}/customers/${id}` }],
      collection: [{ href: `${apiUrl}/customers` }],
    },
  };
}
