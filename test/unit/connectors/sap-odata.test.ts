import { describe, expect, it } from 'vitest';
import {
  changedAfter,
  changedSince,
  instantOfStamp,
  stampOfInstant,
} from '../../../src/connectors/sap/odata.js';
import { matchesFilter, parseFilter } from '../../../src/sandbox/emulators/sap/odata-filter.js';

const doc = (DocEntry: number, UpdateDate: string, UpdateTime: string) => ({
  DocEntry,
  UpdateDate,
  UpdateTime,
});
const watermark = '2024-05-01T14:03:22.000Z';

describe("SAP's change stamps (UpdateDate + UpdateTime) as filters", () => {
  it('turns a stamp into an instant and back, truncated to the second', () => {
    expect(instantOfStamp('2024-05-01', '14:03:22')).toBe(watermark);
    expect(stampOfInstant('2024-05-01T14:03:22.900Z')).toEqual({ date: '2024-05-01', time: '14:03:22' });
  });

  it('selects what changed at or after an instant: the stamp exactly on it is included', () => {
    const since = parseFilter(changedSince(watermark));
    expect(matchesFilter(since, doc(1, '2024-05-01', '14:03:22'))).toBe(true);
    expect(matchesFilter(since, doc(1, '2024-05-01', '14:03:21'))).toBe(false);
    expect(matchesFilter(since, doc(1, '2024-05-02', '00:00:00'))).toBe(true);
    expect(matchesFilter(since, doc(1, '2024-04-30', '23:59:59'))).toBe(false);
  });

  it('selects what comes after a keyset position in (date, time, DocEntry) order', () => {
    const after = parseFilter(changedAfter(watermark, 40));
    expect(matchesFilter(after, doc(41, '2024-05-01', '14:03:22'))).toBe(true);
    expect(matchesFilter(after, doc(40, '2024-05-01', '14:03:22'))).toBe(false);
    expect(matchesFilter(after, doc(7, '2024-05-01', '14:03:23'))).toBe(true);
    expect(matchesFilter(after, doc(99, '2024-05-01', '14:03:21'))).toBe(false);
  });
});
