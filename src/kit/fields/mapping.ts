import { z } from 'zod';
import { namedTransformSchema, type TransformFunction } from './transforms.js';

/**
 * How a mapping moves a value from its source field into its target field:
 * - REPLACE: the target takes the source's value (an empty source leaves the target as it is);
 * - COPY_IF_EMPTY: the same, only into an empty target;
 * - MERGE: text is appended (with `separator`) unless the target already holds it; options are joined;
 * - ADD_OPTION: `option` (or the source's options) is added to a multi-select when the source has a value;
 * - TRANSFORM: the target takes the transform of the source's value.
 * Each is idempotent: applied to its own result it changes nothing, so a retried write cannot apply it twice.
 */
export const MAPPING_STRATEGIES = ['REPLACE', 'COPY_IF_EMPTY', 'MERGE', 'ADD_OPTION', 'TRANSFORM'] as const;
export type MappingStrategy = (typeof MAPPING_STRATEGIES)[number];

export const CONDITION_OPERATORS = [
  'EQUAL',
  'NOT_EQUAL',
  'IN',
  'NOT_IN',
  'BLANK',
  'NOT_BLANK',
  'CONTAIN',
  'NOT_CONTAIN',
] as const;

const fieldRef = z.union([z.string().min(1), z.number().int()]);

/** When a mapping applies, from a field of the record as read (a multi-select is EQUAL to each of its options). */
export const conditionSchema = z
  .strictObject({
    field: fieldRef,
    operator: z.enum(CONDITION_OPERATORS),
    value: z.string().optional(),
    values: z.array(z.string()).min(1).optional(),
  })
  .superRefine((condition, context) => {
    const needs = ['IN', 'NOT_IN'].includes(condition.operator)
      ? 'values'
      : ['BLANK', 'NOT_BLANK'].includes(condition.operator)
        ? undefined
        : 'value';
    if (needs && condition[needs] === undefined) {
      context.addIssue({ code: 'custom', message: `${condition.operator} needs ${needs}` });
    }
  });
export type Condition = z.infer<typeof conditionSchema>;

const transformFunction = z.custom<TransformFunction>((value) => typeof value === 'function', {
  message:
    'a transform is a function or one of: trim, lowercase, uppercase, number, { date: { format } }, { map }',
});

/** A mapping as a plan declares it (TypeScript or a YAML/JSON file: fields by name or id). */
export const mappingSchema = z
  .strictObject({
    from: fieldRef,
    to: fieldRef,
    strategy: z.enum(MAPPING_STRATEGIES),
    /** ADD_OPTION: the option added; the source's own options when absent. */
    option: z.string().min(1).optional(),
    /** MERGE into text: what goes between the old text and the added one. */
    separator: z.string().default('; '),
    /** TRANSFORM: a named transform (plan files) or a function (TypeScript). */
    transform: z.union([namedTransformSchema, transformFunction]).optional(),
    when: conditionSchema.optional(),
  })
  .superRefine((mapping, context) => {
    if (mapping.strategy === 'TRANSFORM' && mapping.transform === undefined) {
      context.addIssue({ code: 'custom', message: 'TRANSFORM needs a transform', path: ['transform'] });
    }
    if (mapping.strategy !== 'TRANSFORM' && mapping.transform !== undefined) {
      context.addIssue({ code: 'custom', message: 'only TRANSFORM takes a transform', path: ['transform'] });
    }
    if (mapping.option !== undefined && mapping.strategy !== 'ADD_OPTION') {
      context.addIssue({ code: 'custom', message: 'only ADD_OPTION takes an option', path: ['option'] });
    }
  });
export type MappingDeclaration = z.input<typeof mappingSchema>;
export type Mapping = z.output<typeof mappingSchema>;
