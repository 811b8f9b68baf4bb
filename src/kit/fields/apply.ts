import { type FieldInfo, type FieldValue, isBlank, optionsOf, sameValue } from './catalogue.js';
import type { ResolvedMapping } from './resolve.js';
import { TransformError } from './transforms.js';

/** What a record's mappings make of it: the target fields that change, with their values before and after. */
export interface MappedRecord {
  /** Target field key → its name, its value now and what the plan makes it; only fields that change. */
  changes: Record<string, { name: string; before: FieldValue; after: FieldValue }>;
  /** Why the record cannot be mapped (a transform's refusal); it then has no changes. */
  error?: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function holds(mapping: ResolvedMapping, values: Readonly<Record<string, FieldValue>>): boolean {
  const { when } = mapping;
  if (!when) return true;
  const value = values[when.field.key] ?? null;
  const texts = Array.isArray(value) ? value : [value ?? ''];
  const wanted = when.values ?? (when.value === undefined ? [] : [when.value]);
  const lower = (text: string) => text.toLowerCase();
  switch (when.operator) {
    case 'BLANK':
      return isBlank(value);
    case 'NOT_BLANK':
      return !isBlank(value);
    case 'EQUAL':
    case 'IN':
      return texts.some((text) => wanted.includes(text));
    case 'NOT_EQUAL':
    case 'NOT_IN':
      return !texts.some((text) => wanted.includes(text));
    case 'CONTAIN':
      return texts.some((text) => wanted.some((part) => lower(text).includes(lower(part))));
    case 'NOT_CONTAIN':
      return !texts.some((text) => wanted.some((part) => lower(text).includes(lower(part))));
  }
}

/** A value brought into `to`'s kind; anything that does not fit is the record's error. */
function fitted(to: FieldInfo, value: FieldValue, mapping: ResolvedMapping): FieldValue {
  if (isBlank(value)) return null;
  const options = optionsOf(value);
  switch (to.kind) {
    case 'text':
      return typeof value === 'string' ? value : options.join(', ');
    case 'multiselect':
    case 'select': {
      const missing = options.filter((option) => !to.options.includes(option));
      if (missing.length > 0) throw new TransformError(`"${missing[0]}" is not an option of ${to.name}`);
      if (to.kind === 'multiselect') return [...options];
      if (options.length > 1)
        throw new TransformError(`${to.name} takes one option, not ${options.join(', ')}`);
      return options[0] as string;
    }
    case 'number':
      if (typeof value !== 'string' || !Number.isFinite(Number(value)) || value.trim() === '') {
        throw new TransformError(`${mapping.from.name} "${String(value)}" is not a number for ${to.name}`);
      }
      return value;
    case 'date':
      if (typeof value !== 'string' || !DATE.test(value)) {
        throw new TransformError(
          `${mapping.from.name} "${String(value)}" is not a date (YYYY-MM-DD) for ${to.name}`,
        );
      }
      return value;
  }
}

/** The target's value after one mapping, given the current values (undefined: the mapping changes nothing). */
function mapped(
  mapping: ResolvedMapping,
  values: Readonly<Record<string, FieldValue>>,
): FieldValue | undefined {
  const { from, to, strategy } = mapping;
  const source = values[from.key] ?? null;
  const target = values[to.key] ?? null;
  if (isBlank(source) || !holds(mapping, values)) return undefined;
  switch (strategy) {
    case 'REPLACE':
      return fitted(to, source, mapping);
    case 'COPY_IF_EMPTY':
      return isBlank(target) ? fitted(to, source, mapping) : undefined;
    case 'TRANSFORM':
      return fitted(to, (mapping.transform as NonNullable<ResolvedMapping['transform']>)(source), mapping);
    case 'ADD_OPTION':
    case 'MERGE': {
      if (to.kind === 'multiselect') {
        const added = strategy === 'ADD_OPTION' && mapping.option ? [mapping.option] : optionsOf(source);
        return fitted(to, [...new Set([...optionsOf(target), ...added])], mapping);
      }
      const text = fitted(to, source, mapping) as string;
      if (isBlank(target)) return text;
      return (target as string).includes(text) ? undefined : `${target as string}${mapping.separator}${text}`;
    }
  }
}

/**
 * Applies the mappings in order to a record's values (each reads the values as the ones before it left them) and
 * returns the target fields that end up different. A value that does not fit its target, or a transform that
 * throws, maps nothing for the record: it is dead-lettered whole rather than written in part.
 */
export function applyMappings(
  mappings: readonly ResolvedMapping[],
  values: Readonly<Record<string, FieldValue>>,
): MappedRecord {
  const working: Record<string, FieldValue> = { ...values };
  for (const mapping of mappings) {
    try {
      const next = mapped(mapping, working);
      if (next !== undefined) working[mapping.to.key] = next;
    } catch (error) {
      // A value that does not fit, or a TypeScript transform that threw: the record's own problem, kept with it.
      return { changes: {}, error: `${mapping.label}: ${(error as Error).message}` };
    }
  }
  const changes: MappedRecord['changes'] = {};
  for (const mapping of mappings) {
    const key = mapping.to.key;
    const before = values[key] ?? null;
    const after = working[key] ?? null;
    if (!sameValue(mapping.to.kind, before, after)) changes[key] = { name: mapping.to.name, before, after };
  }
  return { changes };
}
