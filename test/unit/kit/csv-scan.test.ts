import { describe, expect, it } from 'vitest';
import { scanRecords } from '../../../src/kit/csv/scan.js';

const scan = (text: string, atEndOfFile = true, maxRecords = 100, at = { offset: 0, line: 1 }) =>
  scanRecords(Buffer.from(text), at, { atEndOfFile, maxRecords });

describe('scanRecords', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, LF and CRLF, with each record’s bytes and line', () => {
    const text = 'id,name\r\n1,"Jansen, B.V."\n2,"say ""hi""\nthere"\r\n3,plain';
    const records = scan(text);
    expect(records.map((record) => record.fields)).toEqual([
      ['id', 'name'],
      ['1', 'Jansen, B.V.'],
      ['2', 'say "hi"\nthere'],
      ['3', 'plain'],
    ]);
    expect(records.map((record) => record.line)).toEqual([1, 2, 3, 5]);
    // Each record ends where the next starts; the last at the end of the file.
    const ends: number[] = [];
    for (const part of ['id,name\r\n', '1,"Jansen, B.V."\n', '2,"say ""hi""\nthere"\r\n', '3,plain'])
      ends.push((ends.at(-1) ?? 0) + Buffer.byteLength(part));
    expect(records.map((record) => [record.start, record.end])).toEqual([
      [0, ends[0]],
      [ends[0], ends[1]],
      [ends[1], ends[2]],
      [ends[2], ends[3]],
    ]);
    expect(ends[3]).toBe(Buffer.byteLength(text));
  });

  it('leaves a record cut off by the end of the bytes read for the next read, and resumes from its offset', () => {
    const text = 'a,b\n1,"two\nlines"\n3,4\n';
    const cut = 12; // inside the quoted field
    const first = scan(text.slice(0, cut), false);
    expect(first.map((record) => record.fields)).toEqual([['a', 'b']]);
    const rest = scan(text.slice(first[0]?.end), true, 100, { offset: first[0]?.end as number, line: 2 });
    expect(rest.map((record) => [record.fields, record.line, record.start])).toEqual([
      [['1', 'two\nlines'], 2, 4],
      [['3', '4'], 4, 18],
    ]);
  });

  it('stops after maxRecords, and does not take an unclosed quote at the end of the file for a record', () => {
    expect(scan('1\n2\n3\n', true, 2).map((record) => record.fields)).toEqual([['1'], ['2']]);
    expect(scan('1\n"open\n', true).map((record) => record.fields)).toEqual([['1']]);
  });

  it('counts bytes, not characters', () => {
    const records = scan('naam\nCafé Ünal\nx\n');
    expect(records[1]?.fields).toEqual(['Café Ünal']);
    expect(records[2]?.start).toBe(Buffer.byteLength('naam\nCafé Ünal\n'));
  });
});
