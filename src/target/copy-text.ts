/** A value in COPY's text format: `\N` for null, backslash, tab and line breaks escaped. */
export function copyText(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  return String(value)
    .replace(/\\/g, '\\\\')
    .replace(/\t/g, '\\t')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r');
}

/** One row of COPY's text format. */
export const copyLine = (values: readonly unknown[]) => `${values.map(copyText).join('\t')}\n`;
