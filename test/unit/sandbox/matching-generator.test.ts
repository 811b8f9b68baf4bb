import { describe, expect, it } from 'vitest';
import {
  CASE_KINDS,
  CASE_SHARES,
  type CaseKind,
  generateMatchingCases,
  type MatchingCase,
} from '../../../src/sandbox/matching/generator.js';

const casesOf = (invoices: number, seed = 3) => [...generateMatchingCases({ seed, invoices })];
const normalised = (reference: string) => reference.toUpperCase().replace(/[^A-Z0-9]/g, '');

/** Edits (insert, delete, substitute, swap neighbours) between two strings. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]) as number[][];
  for (let j = 0; j <= b.length; j++) (d[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(
        ((d[i - 1] as number[])[j] as number) + 1,
        (row[j - 1] as number) + 1,
        ((d[i - 1] as number[])[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        row[j] = Math.min(row[j] as number, ((d[i - 2] as number[])[j - 2] as number) + 1);
      }
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}

describe('the matching generator', () => {
  it('makes the same ledger from the same seed, another from another', () => {
    expect(casesOf(2000)).toEqual(casesOf(2000));
    expect(casesOf(2000, 4)).not.toEqual(casesOf(2000));
  });

  it('numbers invoices and payments from 1, in order, and makes every kind of case about as often as said', () => {
    const cases = casesOf(20_000);
    const invoices = cases.flatMap((c) => c.invoices);
    const payments = cases.flatMap((c) => c.payments);
    expect(invoices.map((invoice) => invoice.id)).toEqual(invoices.map((_, index) => index + 1));
    expect(payments.map((payment) => payment.id)).toEqual(payments.map((_, index) => index + 1));
    expect(invoices.length).toBeGreaterThanOrEqual(20_000);
    expect(invoices.length).toBeLessThan(20_003);
    const counts = new Map<CaseKind, number>();
    for (const c of cases) counts.set(c.kind, (counts.get(c.kind) ?? 0) + 1);
    for (const kind of CASE_KINDS) {
      const share = (counts.get(kind) ?? 0) / cases.length;
      expect(share, kind).toBeGreaterThan(CASE_SHARES[kind] * 0.8);
      expect(share, kind).toBeLessThan(CASE_SHARES[kind] * 1.2);
    }
  });

  it('never allocates more than a payment or an invoice holds, and only ties are for review', () => {
    const cases = casesOf(20_000);
    const invoiceCents = new Map(cases.flatMap((c) => c.invoices.map((i) => [i.id, i.amountCents] as const)));
    const paymentCents = new Map(cases.flatMap((c) => c.payments.map((p) => [p.id, p.amountCents] as const)));
    const toInvoice = new Map<number, number>();
    const fromPayment = new Map<number, number>();
    for (const { invoiceId, paymentId, amountCents } of cases.flatMap((c) => c.truth)) {
      expect(amountCents).toBeGreaterThan(0);
      toInvoice.set(invoiceId, (toInvoice.get(invoiceId) ?? 0) + amountCents);
      fromPayment.set(paymentId, (fromPayment.get(paymentId) ?? 0) + amountCents);
    }
    for (const [id, cents] of toInvoice) expect(cents).toBeLessThanOrEqual(invoiceCents.get(id) as number);
    for (const [id, cents] of fromPayment) expect(cents).toBeLessThanOrEqual(paymentCents.get(id) as number);
    expect(cases.filter((c) => c.review).every((c) => c.kind === 'tie')).toBe(true);
  });

  it('plays the noise of bank data: references mistyped or missing, other names, early and doubled payments', () => {
    const cases = casesOf(20_000);
    const ofKind = (kind: CaseKind) => cases.filter((c) => c.kind === kind);
    const first = (c: MatchingCase) => ({ invoice: c.invoices[0], payment: c.payments[0] });
    for (const c of ofKind('reference-mistyped')) {
      const { invoice, payment } = first(c);
      expect(payment?.reference).not.toBe(invoice?.number);
      expect(
        distance(normalised(payment?.reference ?? ''), normalised(invoice?.number ?? '')),
      ).toBeLessThanOrEqual(2);
    }
    expect(ofKind('reference-missing').every((c) => c.payments[0]?.reference === null)).toBe(true);
    expect(
      ofKind('prepayment').every(
        (c) => (first(c).payment?.paidOn ?? '') < (first(c).invoice?.issuedOn ?? ''),
      ),
    ).toBe(true);
    for (const c of ofKind('duplicate')) {
      const [a, b] = c.payments;
      expect({ ...a, id: 0 }).toEqual({ ...b, id: 0 });
      expect(c.truth.map((t) => t.paymentId)).toEqual([a?.id]);
    }
    for (const c of ofKind('rounding')) {
      const off = Math.abs((first(c).payment?.amountCents ?? 0) - (first(c).invoice?.amountCents ?? 0));
      expect(off).toBeGreaterThanOrEqual(1);
      expect(off).toBeLessThanOrEqual(5);
    }
    const payers = cases.flatMap((c) =>
      c.payments.map((p) => ({ payer: p.payerName, customer: c.invoices[0]?.customerName })),
    );
    const renamed = payers.filter((p) => p.customer && p.payer !== p.customer).length / payers.length;
    expect(renamed).toBeGreaterThan(0.3);
    expect(payers.some((p) => /^[A-Z]\. /.test(p.payer))).toBe(true);
    expect(payers.some((p) => / BV$/.test(p.payer))).toBe(true);
    for (const c of ofKind('combined')) {
      expect(c.payments[0]?.amountCents).toBe(c.invoices.reduce((sum, i) => sum + i.amountCents, 0));
    }
  });
});
