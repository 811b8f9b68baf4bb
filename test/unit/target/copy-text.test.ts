import { expect, it } from 'vitest';
import { copyLine, copyText } from '../../../src/target/copy-text.js';

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
