import { z } from 'zod';
import { MATCH_CONCURRENCY_RANGE } from '../workflows/match-messages.js';
import { matchInputsSchema } from './inputs.js';
import { matchRulesSchema } from './rules.js';

/** At most this many partitions: the match workflow's history holds a few events per partition. */
export const MAX_MATCH_PARTITIONS = 256;

/**
 * A matching job as a user declares it (YAML, JSON or TypeScript): where the invoices, payments and customers
 * are, the rules with their thresholds, and how the work is split.
 */
export const matchDeclarationSchema = z.strictObject({
  inputs: matchInputsSchema,
  rules: matchRulesSchema.default(matchRulesSchema.parse({})),
  /** Ranges of customers matched apart, each in its own child workflow. */
  partitions: z.int().min(1).max(MAX_MATCH_PARTITIONS).default(16),
  /** Partitions matched at once: each keeps one PostgreSQL backend busy. */
  concurrency: z.int().min(MATCH_CONCURRENCY_RANGE.min).max(MATCH_CONCURRENCY_RANGE.max).default(2),
});
export type MatchDeclarationInput = z.input<typeof matchDeclarationSchema>;
export type MatchDeclaration = z.output<typeof matchDeclarationSchema>;
