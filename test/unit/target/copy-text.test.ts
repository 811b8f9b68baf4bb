import { expect, it } from 'vitest';
import { copyLine, copyText, rowWrites } from '../../../src/target/copy-text.js';

it("writes values in COPY's text format: null, escapes, instants, JSON", () => {
  expect(copyText(null)).toBe('\\N');
  expect(copyText(undefined)).toBe('\\N');
  expect(copyText(12.5)).toBe('12.5');
  expect(copyText(true)).toBe('true');
  expect(copyText('plain')).toBe('plain');
  expect(copyText('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
  expect(copyText(new Date('2024-01-02T03:04:05.678Z'))).toBe('2024-01-02T03:04:05.678Z');
  expect(copyText({ note: 'line\nbreak', list: [1, 2] })).toBe('{"note":"line\\\\nbreak","list":[1,2]}');
  expect(copyLine(['x', null, 3])).toBe('x\t\\N\t3\n');
});

it('writes rows by column name as lines of COPY text, in writes of about 256 KB that cut no line', () => {
  const columns = ['id', 'note', 'at'];
  const rows = Array.from({ length: 20_000 }, (_, index) => ({
    id: index,
    note: index % 7 === 0 ? null : `line ${index}\twith a tab`,
    at: new Date(Date.UTC(2024, 0, 1, 0, 0, index)),
    ignored: 'not a column',
  }));
  const writes = [...rowWrites(rows, columns)];
  expect(writes.length).toBeGreaterThan(1);
  for (const write of writes) expect(write.endsWith('\n')).toBe(true);
  expect(writes.slice(0, -1).every((write) => write.length >= 256 * 1024)).toBe(true);
  expect(writes.join('')).toBe(rows.map((row) => copyLine([row.id, row.note, row.at])).join(''));
  expect([...rowWrites([], columns)]).toEqual([]);
});
