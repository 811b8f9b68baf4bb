import { describe, expect, it } from 'vitest';
import {
  filterFields,
  matchesFilter,
  ODataFilterError,
  parseFilter,
} from '../../../src/sandbox/emulators/sap/odata-filter.js';

const order = {
  DocEntry: 17,
  CardName: "O'Brien Ltd",
  DocumentStatus: 'bost_Open',
  UpdateDate: '2024-05-01',
  UpdateTime: '14:03:22',
  DocTotal: 99.5,
  Comments: null,
};

const matches = (filter: string) => matchesFilter(parseFilter(filter), order);

describe('OData $filter as SAP Service Layer clients write it', () => {
  it('compares strings, numbers and null with every operator', () => {
    expect(matches("DocumentStatus eq 'bost_Open'")).toBe(true);
    expect(matches("DocumentStatus ne 'bost_Open'")).toBe(false);
    expect(matches("UpdateDate ge '2024-05-01'")).toBe(true);
    expect(matches("UpdateDate gt '2024-05-01'")).toBe(false);
    expect(matches("UpdateDate lt '2024-05-02'")).toBe(true);
    expect(matches("UpdateDate le '2024-04-30'")).toBe(false);
    expect(matches('DocTotal gt 99')).toBe(true);
    expect(matches('DocEntry eq 17')).toBe(true);
    expect(matches('Comments eq null')).toBe(true);
    expect(matches("CardName eq 'O''Brien Ltd'")).toBe(true);
  });

  it('joins with and/or/not and parentheses, and binds and tighter than or', () => {
    const watermark =
      "UpdateDate gt '2024-05-01' or (UpdateDate eq '2024-05-01' and UpdateTime ge '14:03:22')";
    expect(matches(watermark)).toBe(true);
    expect(matches(watermark.replace("'14:03:22'", "'14:03:23'"))).toBe(false);
    expect(matches(`(${watermark}) or DocumentStatus eq 'bost_Open'`)).toBe(true);
    expect(matches("DocumentStatus eq 'bost_Close' and DocEntry eq 1 or DocEntry eq 17")).toBe(true);
    expect(matches("not (DocumentStatus eq 'bost_Open')")).toBe(false);
    expect(matches("UPDATEDATE eq '2024-05-01'")).toBe(false); // field names are case-sensitive, as in SAP
    expect(filterFields(parseFilter(watermark))).toEqual(['UpdateDate', 'UpdateDate', 'UpdateTime']);
  });

  it('names what is wrong and where', () => {
    const error = (filter: string) => {
      try {
        parseFilter(filter);
      } catch (caught) {
        expect(caught).toBeInstanceOf(ODataFilterError);
        return (caught as Error).message;
      }
      throw new Error(`no error for ${filter}`);
    };
    expect(error("UpdateDate gte '2024-05-01'")).toBe(
      "Expected eq, ne, gt, ge, lt or le after UpdateDate but found 'gte' at position 11",
    );
    expect(error("UpdateDate ge '2024-05-01")).toBe('Unterminated string at position 14');
    expect(error('(DocEntry eq 1 or DocEntry eq 2')).toBe("Expected ')' but found the end");
    expect(error('DocEntry eq')).toBe('Expected a value after DocEntry eq but found the end');
    expect(error('DocEntry eq 1 DocEntry')).toBe("Unexpected 'DocEntry' at position 14");
  });
});
