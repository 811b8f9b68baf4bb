import { changes, defineMigration, windowFilter, woocommerce } from '../../kit/index.js';
import { target } from './target.js';

/** Every core order status, trash included: WooCommerce's "any" leaves trashed orders out. */
const ALL_STATUSES = 'pending,processing,on-hold,completed,cancelled,refunded,failed,trash';

/** The store's orders, oldest first: orders created later land after a window's last page, so paging never repeats one. */
export const ordersByCreation = {
  ...woocommerce.collection('orders'),
  params: { orderby: 'date', order: 'asc' },
};

/** WooCommerce orders into customers, orders and order_items. */
export const woocommerceOrders = defineMigration({
  name: 'woocommerce-orders',
  description: 'WooCommerce orders into customers, orders and order_items (bundles expanded)',
  connection: 'woocommerce',
  api: woocommerce.api,
  target,
  created: 'date_created',
  modified: 'date_modified',
  list: {
    ...ordersByCreation,
    // `after` and `before` are exclusive, and dates have whole seconds.
    window: windowFilter.params({
      from: { param: 'after', exclusive: true },
      to: { param: 'before', exclusive: true },
      granularity: 'second',
    }),
  },
  // Trashed orders are not in this listing (status any); the partition reconciles them after its last chunk.
  changes: changes.modifiedAfter((after) => ({ modified_after: after, orderby: 'modified' })),
  byKeys: {
    batch: 100,
    keys: /^\d+$/,
    params: (keys) => ({ include: keys.join(','), status: ALL_STATUSES }),
  },
  removed: { params: { status: 'trash' } },
  countTarget: (query) => query.whereNot('status', 'trash'),
  // '001-orders': the step that created these tables before they were declared, so existing databases keep them.
  schemaStep: '001-orders',
});
