import { z } from 'zod';

/**
 * How payments are matched to invoices: the customer of each payment is found first, then the rules run in
 * order within each customer partition, and the first rule that applies to a payment wins. Every threshold is a
 * declaration a user may change (YAML, JSON or TypeScript); the defaults are what the tests and the bench use.
 */
const confidence = z.number().gt(0).max(1);
const similarity = z.number().gt(0).max(1);
const cents = z.int().min(0).max(1_000_000);

/** Days an invoice may be issued before a payment (`before`) and after it (a prepayment: `after`). */
const dateWindowSchema = z.strictObject({
  before: z.int().min(0).max(3650).default(90),
  after: z.int().min(0).max(365).default(14),
});

/** How far apart a payment and an invoice may be: a fixed amount or a share of the payment, whichever is more. */
const toleranceSchema = z.strictObject({
  cents: cents.default(5),
  percent: z.number().min(0).max(10).default(0),
});

const referenceRule = z.strictObject({
  rule: z.literal('reference'),
  confidence: confidence.default(1),
});
const amountRule = z.strictObject({
  rule: z.literal('amount'),
  confidence: confidence.default(0.95),
});
const fuzzyRule = z.strictObject({
  rule: z.literal('fuzzy'),
  /** The least pg_trgm similarity of reference to invoice number, or of payer to customer name. */
  threshold: similarity.default(0.45),
  /** How much better the best candidate must be than the next: closer than this is a tie, for review. */
  margin: z.number().gt(0).max(1).default(0.1),
  tolerance: toleranceSchema.default({ cents: 5, percent: 0 }),
  confidence: confidence.default(0.9),
});
const splitRule = z.strictObject({
  rule: z.literal('split'),
  /** The most invoices one payment settles, or payments one invoice is settled by (2 or 3). */
  maxParts: z.int().min(2).max(3).default(3),
  tolerance: toleranceSchema.default({ cents: 5, percent: 0 }),
  confidence: confidence.default(0.85),
});

export const matchRuleSchema = z.discriminatedUnion('rule', [
  referenceRule,
  amountRule,
  fuzzyRule,
  splitRule,
]);
export type MatchRule = z.output<typeof matchRuleSchema>;
export type MatchRuleName = MatchRule['rule'];

export const matchRulesSchema = z.strictObject({
  dateWindow: dateWindowSchema.default({ before: 90, after: 14 }),
  /**
   * What a match may leave open as a rounding difference: an amount partly matched with this much or less left
   * is not matched again (a payment a few cents over its invoice must not pay a few cents of another).
   */
  remnantCents: cents.default(5),
  /** Finding a payment's customer by its name, when neither its reference nor its account names one. */
  customer: z
    .strictObject({
      nameThreshold: similarity.default(0.4),
      margin: z.number().gt(0).max(1).default(0.1),
      tolerance: toleranceSchema.default({ cents: 5, percent: 0 }),
    })
    .default({ nameThreshold: 0.4, margin: 0.1, tolerance: { cents: 5, percent: 0 } }),
  rules: z
    .array(matchRuleSchema)
    .min(1)
    .refine((rules) => new Set(rules.map((rule) => rule.rule)).size === rules.length, {
      message: 'each rule at most once',
    })
    .default([
      { rule: 'reference', confidence: 1 },
      { rule: 'amount', confidence: 0.95 },
      {
        rule: 'fuzzy',
        threshold: 0.45,
        margin: 0.1,
        tolerance: { cents: 5, percent: 0 },
        confidence: 0.9,
      },
      { rule: 'split', maxParts: 3, tolerance: { cents: 5, percent: 0 }, confidence: 0.85 },
    ]),
});
export type MatchRulesDeclaration = z.input<typeof matchRulesSchema>;
export type MatchRules = z.output<typeof matchRulesSchema>;

export const defaultMatchRules = (): MatchRules => matchRulesSchema.parse({});
