import { z } from 'zod';
import { mappingSchema } from './mapping.js';

/** A condition of the API's own search (Neon: `{ field, operator, value }` or `valueList`), sent as it is. */
export const searchConditionSchema = z.strictObject({
  field: z.union([z.string().min(1), z.number().int()]),
  operator: z.string().min(1),
  value: z.union([z.string(), z.number()]).optional(),
  valueList: z.array(z.union([z.string(), z.number()])).optional(),
});
export type SearchCondition = z.infer<typeof searchConditionSchema>;

export const FIELD_STRATEGIES = ['auto', 'put_batch', 'parallel', 'hybrid'] as const;
export type FieldStrategy = (typeof FIELD_STRATEGIES)[number];

/** Ids named in a plan travel with the run through Temporal: a longer list is a search's job. */
export const MAX_PLAN_IDS = 1000;

/**
 * A field migration's plan: which records (the API's search, or ids), the mappings applied to each, and how the
 * records are read and written. The same in TypeScript and in a YAML or JSON file (there, transforms by name).
 */
export const fieldPlanSchema = z.strictObject({
  select: z.union([
    z.strictObject({ search: z.array(searchConditionSchema).min(1).max(20) }),
    z.strictObject({
      ids: z
        .array(z.union([z.string().regex(/^\d+$/), z.number().int().positive()]).transform(String))
        .min(1)
        .max(MAX_PLAN_IDS, `at most ${MAX_PLAN_IDS} ids; select more records with a search`)
        .transform((ids) => [...new Set(ids)]),
    }),
  ]),
  mappings: z.array(mappingSchema).min(1).max(100),
  strategy: z.enum(FIELD_STRATEGIES).default('auto'),
});
export type FieldPlanDeclaration = z.input<typeof fieldPlanSchema>;
export type FieldPlan = z.output<typeof fieldPlanSchema>;
