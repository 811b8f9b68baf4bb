import { formatAmount, LARGEST_OPEN_HEADERS, largestOpenRows, type MatchReport } from './report.js';

/**
 * A match report as one self-contained HTML page: inline CSS and SVG charts, no script, nothing fetched, so it
 * can be mailed, archived or opened offline.
 */
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
const euros = (cents: number) => `€ ${formatAmount(cents)}`;
const count = (n: number) => n.toLocaleString('en-US');

interface Bar {
  label: string;
  value: number;
  note: string;
}

/** A horizontal bar chart: one labelled bar per row, scaled to the largest. */
function barChart(title: string, bars: Bar[], color: string): string {
  const width = 760;
  const labelWidth = 160;
  const noteWidth = 260;
  const row = 28;
  const max = Math.max(1, ...bars.map((bar) => bar.value));
  const body = bars
    .map((bar, index) => {
      const y = index * row;
      const length = Math.round(((width - labelWidth - noteWidth) * bar.value) / max);
      return `<g transform="translate(0 ${y})"><text x="0" y="18">${escapeHtml(bar.label)}</text><rect class="bar" x="${labelWidth}" y="4" width="${Math.max(length, 1)}" height="18" fill="${color}"><title>${escapeHtml(`${bar.label}: ${bar.note}`)}</title></rect><text x="${labelWidth + length + 6}" y="18" class="note">${escapeHtml(bar.note)}</text></g>`;
    })
    .join('');
  return `<figure><figcaption>${escapeHtml(title)}</figcaption><svg role="img" aria-label="${escapeHtml(title)}" width="${width}" height="${Math.max(row, bars.length * row)}" viewBox="0 0 ${width} ${Math.max(row, bars.length * row)}">${body}</svg></figure>`;
}

function table(headers: string[], rows: string[][]): string {
  return `<table><thead><tr>${headers.map((header) => `<th>${escapeHtml(header)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((cells) => `<tr>${cells.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

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
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px auto; max-width: 980px; color: #1d2430; }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 28px; }
.totals { display: flex; gap: 16px; flex-wrap: wrap; }
.totals div { border: 1px solid #d5dbe3; border-radius: 6px; padding: 10px 14px; min-width: 150px; }
.totals b { display: block; font-size: 18px; }
figure { margin: 16px 0; } figcaption { font-weight: 600; margin-bottom: 6px; }
svg text { font-size: 12px; fill: #1d2430; } svg .note { fill: #556070; }
table { border-collapse: collapse; } th, td { border-bottom: 1px solid #e3e7ec; padding: 4px 12px; text-align: left; }
td:last-child, th:last-child { text-align: right; }
</style></head>
<body>
<h1>${escapeHtml(title)}</h1>
<section class="totals">
<div>matches<b>${count(report.matches.count)}</b></div>
<div>allocated<b>${euros(report.matches.amountCents)}</b></div>
<div>invoices staged<b>${count(report.staged.invoices)}</b></div>
<div>payments staged<b>${count(report.staged.payments)}</b></div>
<div>review<b>${count(report.review.open)} open</b>${count(report.review.confirmed)} confirmed, ${count(report.review.rejected)} rejected</div>
</section>
<h2>What matched</h2>
${rules}
${confidence}
<h2>What is still open</h2>
${unmatched}
<h2>The largest open invoices</h2>
${largest}
</body></html>
`;
}
