import { FerryError } from '../../errors.js';
import { type FieldCatalogue, type FieldInfo, type FieldKind, kindName } from './catalogue.js';
import type { Condition, Mapping } from './mapping.js';
import { type NamedTransform, namedTransform, type TransformFunction, transformKinds } from './transforms.js';

/** A mapping with its fields found in the API's catalogue and its transform as a function. */
export interface ResolvedMapping {
  /** "mapping 2 (V_Interests → Interests)", for messages. */
  label: string;
  from: FieldInfo;
  to: FieldInfo;
  strategy: Mapping['strategy'];
  option?: string;
  separator: string;
  transform?: TransformFunction;
  when?: Omit<Condition, 'field'> & { field: FieldInfo };
}

/** A plan that cannot run: every mistake in it, each naming its mapping and field. Nothing is retried or written. */
export class PlanError extends FerryError {
  constructor(readonly problems: readonly string[]) {
    super(
      `The plan has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n- ${problems.join('\n- ')}`,
    );
  }
}

const OPTION_KINDS: readonly FieldKind[] = ['select', 'multiselect'];

/** The kinds of target a strategy can write a source of this kind into (a transform's are its own). */
function targetKinds(strategy: Mapping['strategy'], from: FieldKind): readonly FieldKind[] {
  switch (strategy) {
    case 'MERGE':
      return from === 'select' || from === 'multiselect' ? ['multiselect', 'text'] : ['text'];
    case 'ADD_OPTION':
      return ['multiselect'];
    default:
      // Anything can be written as text; otherwise like to like, and one option into a multi-select.
      return from === 'select' ? ['select', 'multiselect', 'text'] : [from, 'text'];
  }
}

/** The options a value of `from` may bring into `to` that `to` does not have. */
function missingOptions(from: FieldInfo, to: FieldInfo, mapping: Mapping): string[] {
  if (!OPTION_KINDS.includes(to.kind)) return [];
  const brought =
    mapping.option !== undefined
      ? [mapping.option]
      : typeof mapping.transform === 'object' && 'map' in mapping.transform
        ? Object.values(mapping.transform.map)
        : OPTION_KINDS.includes(from.kind) && mapping.strategy !== 'TRANSFORM'
          ? from.options
          : [];
  return [...new Set(brought)].filter((option) => !to.options.includes(option));
}

/**
 * The plan's mappings checked against the API's fields before anything is read or written: every field named
 * must exist, each target must be writable and of a kind its strategy can write, and every option a mapping
 * can bring must exist in its target. All problems are reported at once (a PlanError).
 */
export function resolveMappings(mappings: readonly Mapping[], catalogue: FieldCatalogue): ResolvedMapping[] {
  const problems: string[] = [];
  const resolved: ResolvedMapping[] = [];
  mappings.forEach((mapping, index) => {
    const label = `mapping ${index + 1} (${mapping.from} → ${mapping.to})`;
    const field = (ref: string | number) => {
      const found = catalogue.resolve(ref);
      if (!found) problems.push(`${label}: there is no field "${ref}"`);
      return found;
    };
    const from = field(mapping.from);
    const to = field(mapping.to);
    const whenField = mapping.when ? field(mapping.when.field) : undefined;
    if (!from || !to || (mapping.when && !whenField)) return;
    if (!to.writable) problems.push(`${label}: ${to.name} cannot be written`);
    const named =
      mapping.transform === undefined || typeof mapping.transform === 'function'
        ? undefined
        : (mapping.transform as NamedTransform);
    const kinds =
      mapping.strategy === 'TRANSFORM'
        ? named
          ? transformKinds(named)
          : [to.kind]
        : targetKinds(mapping.strategy, from.kind);
    if (!kinds.includes(to.kind)) {
      problems.push(
        `${label}: ${mapping.strategy} cannot write ${from.name} (${kindName(from.kind)}) into ${to.name} (${kindName(to.kind)})`,
      );
      return;
    }
    for (const option of missingOptions(from, to, mapping)) {
      problems.push(
        `${label}: option "${option}" does not exist in ${to.name} (it has ${to.options.join(', ')})`,
      );
    }
    if (whenField && OPTION_KINDS.includes(whenField.kind) && mapping.when) {
      for (const value of mapping.when.values ??
        (mapping.when.value === undefined ? [] : [mapping.when.value])) {
        if (!whenField.options.includes(value)) {
          problems.push(
            `${label}: its condition names option "${value}", which ${whenField.name} does not have`,
          );
        }
      }
    }
    resolved.push({
      label,
      from,
      to,
      strategy: mapping.strategy,
      ...(mapping.option === undefined ? {} : { option: mapping.option }),
      separator: mapping.separator,
      ...(mapping.transform === undefined
        ? {}
        : { transform: named ? namedTransform(named) : (mapping.transform as TransformFunction) }),
      ...(mapping.when && whenField ? { when: { ...mapping.when, field: whenField } } : {}),
    });
  });
  if (problems.length > 0) throw new PlanError(problems);
  return resolved;
}
