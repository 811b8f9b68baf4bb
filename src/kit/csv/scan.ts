/**
 * An RFC 4180 reader over bytes that knows where each record starts and ends in the file, so that a load can stop
 * after any record and resume at its byte offset. Quoted fields may hold commas, doubled quotes and line breaks;
 * records end with LF or CRLF. A record cut off by the end of the bytes read is left for the next read, unless
 * the file ends there.
 */
export interface ScannedRecord {
  fields: string[];
  /** The record's first line in the file (1 is the header). */
  line: number;
  /** Byte offsets in the file: where the record starts, and where the next one starts. */
  start: number;
  end: number;
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

export function scanRecords(
  bytes: Buffer,
  at: { offset: number; line: number },
  options: { atEndOfFile: boolean; maxRecords: number },
): ScannedRecord[] {
  const records: ScannedRecord[] = [];
  let position = 0;
  let line = at.line;
  while (position < bytes.length && records.length < options.maxRecords) {
    const start = position;
    const startLine = line;
    const fields: string[] = [];
    let field: number[] | null = null;
    let fieldStart = position;
    let quoted = false;
    let complete = false;
    let i = position;
    const endField = (end: number) => {
      fields.push(field ? Buffer.from(field).toString('utf8') : bytes.toString('utf8', fieldStart, end));
      field = null;
    };
    while (i < bytes.length) {
      const byte = bytes[i] as number;
      if (quoted) {
        if (byte === QUOTE) {
          if (bytes[i + 1] === QUOTE) {
            (field as number[]).push(QUOTE);
            i += 2;
            continue;
          }
          if (i + 1 >= bytes.length && !options.atEndOfFile) break; // a doubled quote may be cut in two
          quoted = false;
          i++;
          continue;
        }
        if (byte === LF) line++;
        (field as number[]).push(byte);
        i++;
        continue;
      }
      if (byte === QUOTE && i === fieldStart && field === null) {
        quoted = true;
        field = [];
        i++;
        continue;
      }
      if (byte === COMMA) {
        endField(i);
        i++;
        fieldStart = i;
        continue;
      }
      if (byte === LF || (byte === CR && bytes[i + 1] === LF)) {
        endField(i);
        i += byte === CR ? 2 : 1;
        line++;
        complete = true;
        break;
      }
      if (byte === CR && i + 1 >= bytes.length && !options.atEndOfFile) break; // CRLF cut in two
      if (field !== null) (field as number[]).push(byte);
      i++;
    }
    if (!complete) {
      // The bytes ended inside this record: it is whole only if the file ends there too.
      if (!options.atEndOfFile || quoted) break;
      endField(i);
      line++;
    }
    records.push({ fields, line: startLine, start: at.offset + start, end: at.offset + i });
    position = i;
  }
  return records;
}
