import { describe, expect, it } from 'vitest';
import { fieldPlanSchema } from '../../../src/kit/fields/plan.js';
import { callsPerRecord, recommend } from '../../../src/kit/fields/recommend.js';
import { chooseStrategy } from '../../../src/kit/fields/strategy.js';

const mappings = [{ from: 'V_Email', to: 'Email 1', strategy: 'COPY_IF_EMPTY' }];
const searchPlan = fieldPlanSchema.parse({
  select: { search: [{ field: 'Account ID', operator: 'GREATER_THAN', value: 0 }] },
  mappings,
});
const idsPlan = fieldPlanSchema.parse({ select: { ids: [1, 2, 3] }, mappings });
const NEON = { search: 1, read: 5, write: 5 };
const outcomes = (written: number, unchanged: number) => ({
  unchanged,
  planned: 0,
  pending: 0,
  written,
  failed: 0,
});

describe('field migration strategies', () => {
  it('auto picks parallel for ids, hybrid for a search where writes may overlap, put_batch where they may not', () => {
    expect(chooseStrategy(idsPlan, NEON, 200).strategy).toBe('parallel');
    expect(chooseStrategy(searchPlan, NEON, 200)).toEqual({
      strategy: 'hybrid',
      why: "hybrid: a search reads up to 200 records per request (1 at a time, the API's search limit); changed records written 5 at a time (the API's write limit)",
    });
    expect(chooseStrategy(searchPlan, { ...NEON, write: 1 }, 200).strategy).toBe('put_batch');
    expect(chooseStrategy({ ...searchPlan, strategy: 'put_batch' }, NEON, 200).why).toBe(
      'put_batch: named in the plan',
    );
  });

  it('recommends from what a run measured: the strategy, calls per record, 429s and few changes', () => {
    const measured = {
      outcomes: outcomes(100, 1900),
      calls: { search: { calls: 11, rateLimited: 0 }, write: { calls: 112, rateLimited: 12 } },
    };
    expect(callsPerRecord(measured)).toBe(0.0615);
    const advice = recommend(searchPlan, 'put_batch', NEON, measured);
    expect(advice.strategy).toBe('hybrid');
    expect(advice.why).toBe(
      "hybrid: the search read 2000 records with 11 requests (0.005 per record); 100 records to write, 5 at a time (the API's limit): the writes bind. This run wrote one at a time",
    );
    expect(advice.notes).toEqual([
      "the API answered 429 (12 on write): something else used the organisation's limits at the same time; run when it is quiet, or ask the vendor for a higher limit",
      'only 100 of 2000 records changed: a search condition on the target fields (such as BLANK) would read fewer',
    ]);
    expect(
      recommend(idsPlan, 'parallel', NEON, {
        outcomes: outcomes(3, 0),
        calls: { read: { calls: 3, rateLimited: 0 } },
      }).strategy,
    ).toBe('parallel');
  });
});
