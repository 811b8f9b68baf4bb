import { barChart, count, page, table, totals } from '../report/html-parts.js';
import { formatAmount, LARGEST_OPEN_HEADERS, largestOpenRows, type MatchReport } from './report.js';

/** A match report as one self-contained HTML page (see report/html-parts.ts). */
const euros = (cents: number) => `€ ${formatAmount(cents)}`;

export function matchReportHtml(report: MatchReport): string {
  const rules = barChart(
    'Matches per rule',
    report.byRule.map((row) => ({
      label: row.rule,
      value: row.matches,
      note: `${count(row.matches)} · ${euros(row.amountCents)}`,
    })),
    '#2f6fb0',
  );
  const confidence = barChart(
    'Matches per confidence band',
    report.byConfidence.map((row) => ({ label: row.band, value: row.matches, note: count(row.matches) })),
    '#3b8f5a',
  );
  const unmatched = barChart(
    `Still open, by age (as of ${report.asOf ?? '-'})`,
    report.unmatched.map((row) => ({
      label: `${row.kind}, ${row.age}`,
      value: row.openCents,
      note: `${count(row.count)} · ${euros(row.openCents)}`,
    })),
    '#c0673a',
  );
  const largest = table(LARGEST_OPEN_HEADERS, largestOpenRows(report));
  const title = `Match report: ${report.runId}`;
  return page(
    title,
    `${totals([
      { label: 'matches', value: count(report.matches.count) },
      { label: 'allocated', value: euros(report.matches.amountCents) },
      { label: 'invoices staged', value: count(report.staged.invoices) },
      { label: 'payments staged', value: count(report.staged.payments) },
      {
        label: 'review',
        value: `${count(report.review.open)} open`,
        note: `${count(report.review.confirmed)} confirmed, ${count(report.review.rejected)} rejected`,
      },
    ])}
<h2>What matched</h2>
${rules}
${confidence}
<h2>What is still open</h2>
${unmatched}
<h2>The largest open invoices</h2>
${largest}`,
  );
}
