import knex from 'knex';
import { afterAll, describe, expect, expectTypeOf, it } from 'vitest';
import { columns as c, createTable, defineTarget, type RowOf, table } from '../../../src/kit/index.js';
import * as sap from '../../../src/migrations/sap-orders/target.js';
import * as woo from '../../../src/migrations/woocommerce-orders/target.js';

// No connection: knex renders the statements it would send.
const db = knex({ client: 'pg' });
afterAll(() => db.destroy());

/**
 * The statements the hand-written knex schemas of both migrations sent (captured from them before they were
 * replaced by declarations): databases created by them must be what a declaration creates.
 */
const DEPLOYED: Record<string, string> = {
  customers:
    'create table "customers" ("id" bigserial primary key, "email" text not null, "first_name" text not null, "last_name" text not null, "company" text not null, "phone" text, "city" text not null, "postcode" text not null, "country" text not null, "woo_customer_id" bigint);\ncomment on column "customers"."woo_customer_id" is \'null for guest checkouts\';\nalter table "customers" add constraint "customers_email_unique" unique ("email")',
  orders:
    'create table "orders" ("id" bigint, "number" text not null, "status" text not null, "currency" text not null, "date_created" timestamptz not null, "date_modified" timestamptz not null, "date_paid" timestamptz, "date_completed" timestamptz, "total" decimal(14, 2) not null, "total_tax" decimal(14, 2) not null, "shipping_total" decimal(14, 2) not null, "customer_id" bigint not null, "woo_customer_id" bigint, "payment_method" text not null, constraint "orders_pkey" primary key ("id"));\ncomment on column "orders"."id" is \'WooCommerce order id\';\nalter table "orders" add constraint "orders_customer_id_foreign" foreign key ("customer_id") references "customers" ("id");\ncreate index "orders_date_created_index" on "orders" ("date_created");\ncreate index "orders_customer_id_index" on "orders" ("customer_id")',
  order_items:
    'create table "order_items" ("id" bigint, "order_id" bigint not null, "product_id" bigint not null, "sku" text not null, "name" text not null, "quantity" integer not null, "price" decimal(14, 4) not null, "total" decimal(14, 2) not null, "total_tax" decimal(14, 2) not null, "bundled_by" bigint, constraint "order_items_pkey" primary key ("id"));\ncomment on column "order_items"."id" is \'WooCommerce line item id\';\ncomment on column "order_items"."bundled_by" is \'parent line of a bundle\';\nalter table "order_items" add constraint "order_items_order_id_foreign" foreign key ("order_id") references "orders" ("id") on delete CASCADE;\nalter table "order_items" add constraint "order_items_bundled_by_foreign" foreign key ("bundled_by") references "order_items" ("id") on delete CASCADE;\ncreate index "order_items_order_id_index" on "order_items" ("order_id")',
  sales_orders:
    'create table "sales_orders" ("doc_entry" bigint, "doc_num" bigint not null, "card_code" text not null, "card_name" text not null, "doc_date" date not null, "doc_due_date" date not null, "doc_total" decimal(19, 2) not null, "currency" text not null, "status" text not null, "comments" text, "source_updated_at" timestamptz not null, constraint "sales_orders_pkey" primary key ("doc_entry"));\ncomment on column "sales_orders"."doc_entry" is \'SAP DocEntry\';\ncomment on column "sales_orders"."status" is \'open | closed\';\ncomment on column "sales_orders"."source_updated_at" is \'SAP\'\'s UpdateDate and UpdateTime, in the SAP server\'\'s clock\';\ncreate index "sales_orders_doc_date_index" on "sales_orders" ("doc_date");\ncreate index "sales_orders_source_updated_at_index" on "sales_orders" ("source_updated_at")',
  sales_order_lines:
    'create table "sales_order_lines" ("doc_entry" bigint not null, "line_num" integer not null, "item_code" text not null, "item_description" text not null, "quantity" decimal(19, 6) not null, "price" decimal(19, 6) not null, "line_total" decimal(19, 2) not null, "status" text not null, "manufacturer" text, constraint "sales_order_lines_pkey" primary key ("doc_entry", "line_num"));\ncomment on column "sales_order_lines"."status" is \'open | closed\';\ncomment on column "sales_order_lines"."manufacturer" is \'the item\'\'s manufacturer; null when the item has none\';\nalter table "sales_order_lines" add constraint "sales_order_lines_doc_entry_foreign" foreign key ("doc_entry") references "sales_orders" ("doc_entry") on delete CASCADE',
};

describe('tables declared once', () => {
  it.each([...woo.target.tables, ...sap.target.tables])(
    '$name is created as the deployed schema created it',
    (declared) => {
      expect(createTable(db, declared).toString()).toBe(DEPLOYED[declared.name]);
    },
  );

  it('creates dimensions before the record table and children after it', () => {
    expect(woo.target.tables.map((declared) => declared.name)).toEqual([
      'customers',
      'orders',
      'order_items',
    ]);
  });

  it('types rows from the columns: a generated id is not part of a row, a nullable column may be null', () => {
    const people = table('people', {
      columns: { id: c.generatedId(), phone: c.text().nullable(), total: c.decimal(14, 2) },
      key: ['phone'],
    });
    expectTypeOf<RowOf<typeof people>>().not.toHaveProperty('id');
    expectTypeOf<RowOf<typeof people>>().toHaveProperty('phone').toEqualTypeOf<string | null>();
    expectTypeOf<RowOf<typeof people>>().toHaveProperty('total').toEqualTypeOf<string | number>();
  });

  it('names a declaration that cannot work', () => {
    expect(() => table('t', { columns: { a: c.text() }, key: ['b' as 'a'] })).toThrow(
      'table t: key column b is not declared',
    );
    const parent = table('p', { columns: { id: c.bigint() }, key: ['id'] });
    const child = table('ch', { columns: { id: c.bigint() }, key: ['id'] });
    expect(() =>
      defineTarget({ record: parent, children: [{ table: child, parentColumn: 'p_id' }] }),
    ).toThrow('child table ch has no column p_id');
    const composite = table('c', { columns: { a: c.text(), b: c.text() }, key: ['a', 'b'] });
    expect(() => defineTarget({ record: composite })).toThrow(
      'record table c needs a one-column key; it has a, b',
    );
    const noId = table('d', { columns: { email: c.text() }, key: ['email'] });
    expect(() => defineTarget({ record: parent, dimensions: [{ table: noId, referencedBy: 'id' }] })).toThrow(
      'dimension table d needs a generated id column',
    );
  });
});
