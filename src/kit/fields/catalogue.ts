/**
 * The fields of a record an API lets a plan read and write, as the API describes them (Neon's `/customFields`
 * and its standard fields): each field's kind and, for selects, its options. Plans name fields by name or id;
 * values are compared and written by kind.
 */
export type FieldKind = 'text' | 'number' | 'date' | 'select' | 'multiselect';

/** A field's value as a plan works with it: text (numbers and dates as text), an option's name, or a list of them. */
export type FieldValue = string | readonly string[] | null;

export interface FieldInfo {
  /** How the API names the field in requests (a custom field's id, a standard field's name). */
  key: string;
  /** How people name it. */
  name: string;
  kind: FieldKind;
  /** The options of a select or multi-select, by name. */
  options: readonly string[];
  /** False for fields the API only reads (an account's id). */
  writable: boolean;
}

const KIND_NAMES: Record<FieldKind, string> = {
  text: 'text',
  number: 'number',
  date: 'date',
  select: 'single select',
  multiselect: 'multi-select',
};

export const kindName = (kind: FieldKind): string => KIND_NAMES[kind];

export class FieldCatalogue {
  private readonly byRef = new Map<string, FieldInfo>();

  constructor(readonly fields: readonly FieldInfo[]) {
    // Names first, keys last: a key (an id) always means its own field.
    for (const field of fields) this.byRef.set(field.name.toLowerCase(), field);
    for (const field of fields) this.byRef.set(field.key.toLowerCase(), field);
  }

  /** The field a plan names, by key or name (case does not matter), or undefined. */
  resolve(ref: string | number): FieldInfo | undefined {
    return this.byRef.get(String(ref).toLowerCase());
  }
}

/** Empty: null, '' or no options. */
export function isBlank(value: FieldValue | undefined): boolean {
  return value === null || value === undefined || value.length === 0;
}

/** Two values of a field are the same: numbers by value, options as sets, empties alike. */
export function sameValue(kind: FieldKind, a: FieldValue | undefined, b: FieldValue | undefined): boolean {
  if (isBlank(a) || isBlank(b)) return isBlank(a) && isBlank(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    const left = new Set(optionsOf(a as FieldValue));
    const right = optionsOf(b as FieldValue);
    return left.size === new Set(right).size && right.every((option) => left.has(option));
  }
  if (kind === 'number') return Number(a) === Number(b);
  return a === b;
}

/** A value's options (a single option is a list of one). */
export function optionsOf(value: FieldValue): readonly string[] {
  if (value === null || value === '') return [];
  return typeof value === 'string' ? [value] : value;
}
