import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseMatchDeclaration } from '../../../src/client/match.js';
import { PASSES } from '../../../src/matching/passes.js';
import { defaultMatchRules } from '../../../src/matching/rules.js';
import { BUCKETS, bucketRanges } from '../../../src/matching/sql.js';
import { GENERATED_INPUTS } from '../../../src/sandbox/matching/tables.js';

describe('match declarations', () => {
  it('the example file is the generated ledger with the default rules', async () => {
    const example = parse(await readFile('examples/match-generated.yaml', 'utf8'));
    const declaration = parseMatchDeclaration(example);
    expect(declaration.inputs).toEqual({ ...GENERATED_INPUTS, amountsIn: 'units' });
    expect(declaration.rules).toEqual(defaultMatchRules());
  });

  it('names every problem at once, by its path', () => {
    expect(() =>
      parseMatchDeclaration({
        inputs: {
          ...GENERATED_INPUTS,
          invoices: { ...GENERATED_INPUTS.invoices, amount: 'amount; drop table x' },
        },
        rules: { rules: [{ rule: 'fuzzy', threshold: 2 }, { rule: 'fuzzy' }] },
        partitions: 0,
        // More than the worker's connections can serve at once.
        concurrency: 9,
      }),
    ).toThrow(
      [
        'The match declaration has 5 problems:',
        '- inputs.invoices.amount: a table or column name (letters, digits, _)',
        '- rules.rules.0.threshold: Too big: expected number to be <=1',
        '- rules.rules: each rule at most once',
        '- partitions: Too small: expected number to be >=1',
        '- concurrency: Too big: expected number to be <=8',
      ].join('\n'),
    );
  });

  it('refuses a rule it does not know', () => {
    expect(() =>
      parseMatchDeclaration({ inputs: GENERATED_INPUTS, rules: { rules: [{ rule: 'guess' }] } }),
    ).toThrow(/rules\.rules\.0\.rule/);
  });
});

describe('partitions', () => {
  it('cover every bucket once, in ranges of nearly equal size', () => {
    for (const count of [1, 3, 16, 1000, 5000]) {
      const ranges = bucketRanges(count);
      expect(ranges[0]?.from).toBe(0);
      expect(ranges.at(-1)?.to).toBe(BUCKETS);
      for (let n = 1; n < ranges.length; n++) expect(ranges[n]?.from).toBe(ranges[n - 1]?.to);
      const sizes = ranges.map((range) => range.to - range.from);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
  });
});

describe('rule SQL', () => {
  it('puts thresholds into the statements as numbers, and only numbers', () => {
    const rules = defaultMatchRules();
    const fuzzy = rules.rules.find((rule) => rule.rule === 'fuzzy');
    if (!fuzzy) throw new Error('no fuzzy rule');
    expect(PASSES.fuzzy({ ...fuzzy, threshold: 0.61 }, rules).join()).toContain('>= 0.61');
    expect(() => PASSES.fuzzy({ ...fuzzy, threshold: Number.NaN }, rules)).toThrow(/not a finite number/);
    expect(
      PASSES.split(
        { rule: 'split', maxParts: 2, tolerance: { cents: 0, percent: 0 }, confidence: 0.8 },
        rules,
      ),
    ).toHaveLength(2);
  });
});
