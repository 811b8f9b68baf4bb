import { describe, expect, it } from 'vitest';
import {
  type BookShape,
  firstIndexOnOrAfter,
  generateMutation,
  generateRelation,
  LEDGERS,
  mutationDate,
  relationCount,
  summaryOf,
  VAT_RATES,
} from '../../../src/sandbox/emulators/eboekhouden/generator.js';
import type { Mutation, MutationRow } from '../../../src/sandbox/emulators/eboekhouden/shapes.js';
import { MutationStore } from '../../../src/sandbox/emulators/eboekhouden/store.js';

const shape: BookShape = {
  seed: 7,
  mutations: 8_000,
  startMs: Date.parse('2020-01-01T00:00:00Z'),
  endMs: Date.parse('2026-01-01T00:00:00Z'),
};
const all = Array.from({ length: shape.mutations }, (_, index) => generateMutation(shape, index));
const round2 = (value: number) => Math.round(value * 100) / 100;

describe("the e-Boekhouden emulator's administration, from (seed, index) alone", () => {
  it('is the same every time, mutation i with id i + 1 and dates that never go back', () => {
    expect(generateMutation(shape, 6_789)).toEqual(all[6_789]);
    expect(all.map((mutation) => mutation.id)).toEqual(all.map((_, index) => index + 1));
    expect(
      all.every((mutation, index) => index === 0 || mutation.date >= (all[index - 1]?.date as string)),
    ).toBe(true);
  });

  it('holds every mutation type, invoices of 1 to 20 rows over several VAT codes, and credit notes', () => {
    const types = new Set(all.map((mutation) => mutation.type));
    expect([...types].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const invoices = all.filter((mutation) => mutation.type === 1 || mutation.type === 2);
    const rowCounts = invoices.map((invoice) => invoice.rows.length);
    expect(Math.min(...rowCounts)).toBe(1);
    expect(Math.max(...rowCounts)).toBe(20);
    expect(invoices.some((invoice) => new Set(invoice.rows.map((row) => row.vatCode)).size >= 3)).toBe(true);
    expect(invoices.some((invoice) => invoice.rows.every((row) => row.amount < 0))).toBe(true);
    // The VAT of an invoice is its rows' amounts at their codes' rates, per code.
    for (const invoice of invoices.slice(0, 500)) {
      const expected = new Map<string, number>();
      for (const row of invoice.rows) {
        expected.set(
          row.vatCode,
          round2((expected.get(row.vatCode) ?? 0) + row.amount * (VAT_RATES[row.vatCode] ?? 0)),
        );
      }
      expect(invoice.vat).toEqual([...expected].map(([vatCode, amount]) => ({ vatCode, amount })));
    }
  });

  it('pays earlier invoices of the right kind, one row per invoice for exactly what it came to', () => {
    const byNumber = new Map(
      all.filter((m) => m.invoiceNumber && (m.type === 1 || m.type === 2)).map((m) => [m.invoiceNumber, m]),
    );
    const payments = all.filter((mutation) => mutation.type === 3 || mutation.type === 4);
    expect(payments.length).toBeGreaterThan(1_000);
    expect(payments.some((payment) => payment.rows.length > 1)).toBe(true);
    for (const payment of payments) {
      expect(payment.invoiceNumber?.split(',')).toEqual(payment.rows.map((row) => row.invoiceNumber));
      for (const row of payment.rows) {
        const invoice = byNumber.get(row.invoiceNumber);
        expect(invoice?.type).toBe(payment.type === 3 ? 2 : 1);
        expect(invoice?.id).toBeLessThan(payment.id);
        expect(row.amount).toBe(summaryOf(invoice as (typeof all)[number]).amount);
      }
    }
  });

  it('names relations and ledgers that exist, and finds the first mutation of a date', () => {
    const relations = relationCount(shape);
    expect(relations).toBe(200);
    const ledgers = new Set(LEDGERS.map((ledger) => ledger.id));
    for (const mutation of all) {
      if (mutation.relationId !== undefined) expect(mutation.relationId).toBeLessThanOrEqual(relations);
      expect(ledgers.has(mutation.ledgerId)).toBe(true);
      for (const row of mutation.rows) expect(ledgers.has(row.ledgerId)).toBe(true);
    }
    expect(generateRelation(shape, 41)).toEqual(generateRelation(shape, 41));
    for (const date of ['2020-01-01', '2022-06-15', '2025-12-31', '2026-01-01']) {
      const first = firstIndexOnOrAfter(shape, date);
      if (first < shape.mutations) expect(mutationDate(shape, first) >= date).toBe(true);
      if (first > 0) expect(mutationDate(shape, first - 1) < date).toBe(true);
    }
  });
});

describe("the emulator's store", () => {
  it('answers every mutation as generated, kept for a while or generated anew, and edits over them', () => {
    const store = new MutationStore(shape);
    // Each id read, then one read 100 before it again (kept), and the whole book twice (the first ones evicted).
    for (let round = 0; round < 2; round++) {
      for (let id = 1; id <= shape.mutations; id++) {
        expect(store.get(id)).toEqual(all[id - 1]);
        if (id > 100) expect(store.get(id - 100)).toEqual(all[id - 101]);
      }
    }
    const recent = store.get(shape.mutations);
    expect(store.get(shape.mutations)).toBe(recent);
    const old = store.get(1);
    for (let id = 2; id <= 4_097; id++) store.get(id);
    expect(store.get(1)).not.toBe(old);
    expect(store.get(1)).toEqual(all[0]);
    const edited = store.edit(42);
    expect(store.get(42)).toEqual(edited);
    expect(store.get(42)?.description).toBe(`${all[41]?.description} (gewijzigd)`);
    expect(store.get(43)).toEqual(all[42]);
  });

  it('shares a kept mutation frozen, so that no request can change it for the next; a scan keeps none', () => {
    const store = new MutationStore(shape);
    const mutation = store.get(10) as Mutation;
    expect(store.get(10)).toBe(mutation);
    const row = mutation.rows[0] as MutationRow;
    expect(() => {
      row.amount = 0;
    }).toThrow(TypeError);
    expect(() => mutation.rows.push(row)).toThrow(TypeError);
    expect(() => mutation.vat.push({ vatCode: 'GEEN', amount: 0 })).toThrow(TypeError);
    expect(store.get(10)).toEqual(all[9]);
    const scanned = store.get(20, { keep: false });
    expect(scanned).toEqual(all[19]);
    expect(store.get(20)).not.toBe(scanned);
  });
});
