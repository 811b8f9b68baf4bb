import { describe, expect, it } from 'vitest';
import type { MatchReport } from '../../../src/matching/report.js';
import { matchReportHtml } from '../../../src/matching/report-html.js';

const report: MatchReport = {
  runId: 'ferry/match/<script>alert(1)</script>',
  asOf: '2025-12-31',
  remnantCents: 5,
  staged: { invoices: 1000, payments: 951 },
  matches: { count: 933, amountCents: 123_456_78 },
  byRule: [
    { rule: 'reference', matches: 728, amountCents: 100_000_00 },
    { rule: 'split', matches: 45, amountCents: 23_456_78 },
  ],
  byConfidence: [{ band: '1.00', matches: 728 }],
  review: { open: 16, confirmed: 1, rejected: 2 },
  unmatched: [{ kind: 'invoices', age: '0-30 days', count: 3, openCents: 12_00 }],
  largestOpenInvoices: [
    { invoiceId: '7', customerId: 'Jansen & Zn', issuedOn: '2025-12-01', openCents: 99_00 },
  ],
};

describe('the HTML match report', () => {
  const html = matchReportHtml(report);

  it('is one page that needs nothing else: no script, stylesheet link or image to fetch', () => {
    expect(html).not.toMatch(/<script|<link|<img|src=|@import|url\(/i);
    expect(html.startsWith('<!doctype html>')).toBe(true);
  });

  it('escapes what comes from the data', () => {
    expect(html).toContain('ferry/match/&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(html).toContain('Jansen &#38; Zn');
  });

  it('draws a bar per rule, confidence band and age band, longest for the largest', () => {
    const bars = [...html.matchAll(/<rect class="bar" x="160" y="4" width="(\d+)"/g)].map((m) =>
      Number(m[1]),
    );
    expect(bars).toHaveLength(4);
    expect(bars[0]).toBeGreaterThan(bars[1] as number);
    expect(html).toContain('728 · € 100,000.00');
  });
});
