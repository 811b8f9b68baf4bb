/**
 * The parts ferry's HTML reports are made of: one self-contained page, inline CSS and SVG, no script, nothing
 * fetched, so a report can be mailed, archived or opened offline.
 */
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
export const count = (n: number) => n.toLocaleString('en-US');

export interface Bar {
  label: string;
  value: number;
  note: string;
}

/** A horizontal bar chart: one labelled bar per row, scaled to the largest. */
export function barChart(title: string, bars: Bar[], color: string): string {
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

export function table(headers: string[], rows: string[][]): string {
  return `<table><thead><tr>${headers.map((header) => `<th>${escapeHtml(header)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((cells) => `<tr>${cells.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

/** Headline figures in boxes: a label above each value. */
export function totals(boxes: { label: string; value: string; note?: string }[]): string {
  return `<section class="totals">${boxes
    .map(
      (box) =>
        `<div>${escapeHtml(box.label)}<b>${escapeHtml(box.value)}</b>${box.note ? escapeHtml(box.note) : ''}</div>`,
    )
    .join('')}</section>`;
}

/** The page around a report's sections. */
export function page(title: string, body: string): string {
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
li { margin: 6px 0; } .evidence { color: #556070; }
</style></head>
<body>
<h1>${escapeHtml(title)}</h1>
${body}
</body></html>
`;
}

/** A line over time: values in order, evenly spaced, the largest labelled. */
export function lineChart(title: string, values: number[], unit: string, color: string): string {
  const width = 760;
  const height = 160;
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? width / (values.length - 1) : width;
  const points = values
    .map(
      (value, index) =>
        `${Math.round(index * step)},${Math.round(height - 20 - ((height - 30) * value) / max)}`,
    )
    .join(' ');
  return `<figure><figcaption>${escapeHtml(title)}</figcaption><svg role="img" aria-label="${escapeHtml(title)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><line x1="0" y1="${height - 20}" x2="${width}" y2="${height - 20}" stroke="#d5dbe3"/><polyline points="${points}" fill="none" stroke="${color}" stroke-width="2"/><text x="4" y="12" class="note">${escapeHtml(`${count(Math.round(max))} ${unit} at most`)}</text><text x="4" y="${height - 4}" class="note">start</text><text x="${width - 30}" y="${height - 4}" class="note">end</text></svg></figure>`;
}

/** Spans on a shared time axis, one row each: when each partition ran. */
export function timelineChart(
  title: string,
  spans: { label: string; from: number; to: number; note: string }[],
  color: string,
): string {
  const width = 760;
  const labelWidth = 160;
  const row = 18;
  const start = Math.min(...spans.map((span) => span.from));
  const end = Math.max(...spans.map((span) => span.to), start + 1);
  const scale = (width - labelWidth) / (end - start);
  const body = spans
    .map((span, index) => {
      const x = labelWidth + Math.round((span.from - start) * scale);
      const length = Math.max(2, Math.round((span.to - span.from) * scale));
      return `<g transform="translate(0 ${index * row})"><text x="0" y="13">${escapeHtml(span.label)}</text><rect x="${x}" y="3" width="${length}" height="12" fill="${color}"><title>${escapeHtml(`${span.label}: ${span.note}`)}</title></rect></g>`;
    })
    .join('');
  const height = Math.max(row, spans.length * row);
  return `<figure><figcaption>${escapeHtml(title)}</figcaption><svg role="img" aria-label="${escapeHtml(title)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${body}</svg></figure>`;
}
