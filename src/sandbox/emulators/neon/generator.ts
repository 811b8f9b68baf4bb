import { centsText, isoDate } from '../formats.js';
import { intBetween, pick, unit } from '../prng.js';
import { CUSTOM_FIELDS, type CustomField } from './fields.js';

/**
 * An account as the emulator keeps it: the standard fields by display name, custom field values by field id
 * (a select holds an option id, a multi-select a list of them). Empty values are absent.
 */
export interface Account {
  id: number;
  type: 'INDIVIDUAL' | 'COMPANY';
  createdDateTime: string;
  lastModifiedDateTime: string;
  companyName?: string;
  contact: Partial<
    Record<'firstName' | 'lastName' | 'preferredName' | 'email1' | 'email2' | 'email3', string>
  >;
  custom: Record<string, string | string[]>;
}

const FIRST = [
  'Anna',
  'Bram',
  'Carlos',
  'Dana',
  'Emre',
  'Fatima',
  'Gus',
  'Hana',
  'Ivo',
  'Julia',
  'Kofi',
  'Lena',
];
const LAST = [
  'de Vries',
  'Jansen',
  'Okafor',
  'Smith',
  'Nguyen',
  'Müller',
  'Rossi',
  'Kowalski',
  'Bakker',
  'Silva',
];
const COMPANY = ['Foundation', 'Trust', 'Partners', 'Works', 'Society', 'Collective'];
const NOTES = ['Met at gala', 'Prefers email', 'Board contact', 'Major donor prospect', 'Call in spring'];
const START_MS = Date.parse('2015-01-01T00:00:00Z');
const SPAN_MS = Date.parse('2025-01-01T00:00:00Z') - START_MS;

/** How often a field holds a value: the legacy V-fields mostly do, the new ones seldom yet. */
const FILL: Record<string, number> = {
  V_Email: 0.6,
  V_Nickname: 0.5,
  V_Interests: 0.7,
  V_Member_Level: 0.6,
  V_Donation_Total: 0.7,
  V_First_Gift: 0.6,
  V_Volunteer: 0.8,
  V_Notes: 0.5,
  Interests: 0.25,
  'Membership Level': 0.1,
  'Lifetime Giving': 0.1,
  'First Gift Date': 0.05,
  Notes: 0.2,
  Volunteer: 0.1,
  'Household Size': 0.3,
};

const dollars = (cents: number) =>
  `$${Math.floor(cents / 100).toLocaleString('en-US')}.${String(cents % 100).padStart(2, '0')}`;

/** A legacy field's value as people typed it; the new fields hold clean values. */
function customValue(seed: number, index: number, field: CustomField, n: number): string | string[] {
  const options = field.optionValues;
  switch (field.name) {
    case 'V_Email':
      return `${pick(FIRST, seed, index, n).toLowerCase()}.${index}@legacy.example.org`;
    case 'V_Nickname':
      return pick(FIRST, seed, index, n, 1).slice(0, 3);
    case 'V_Donation_Total':
      return dollars(intBetween(500, 2_500_000, seed, index, n));
    case 'V_First_Gift': {
      const day = new Date(START_MS + Math.floor(unit(seed, index, n) * SPAN_MS));
      return `${day.getUTCMonth() + 1}/${day.getUTCDate()}/${day.getUTCFullYear()}`;
    }
    case 'V_Volunteer':
      return pick(['Y', 'N', 'yes', 'no', 'Y'], seed, index, n);
    case 'V_Notes':
    case 'Notes':
      return pick(NOTES, seed, index, n);
    case 'Lifetime Giving':
      return centsText(intBetween(500, 500_000, seed, index, n) / 100);
    case 'First Gift Date':
      return isoDate(START_MS + Math.floor(unit(seed, index, n) * SPAN_MS));
    case 'Household Size':
      return String(intBetween(1, 6, seed, index, n));
  }
  if (field.displayType === 'Checkbox') {
    const chosen = options
      .filter((_, option) => unit(seed, index, n, option) < 0.35)
      .map((option) => option.id);
    return chosen.length > 0 ? chosen : [(options[0] as { id: string }).id];
  }
  return pick(options, seed, index, n).id;
}

/** Account `index` (id index + 1) of the organisation `seed`, the same every time. */
export function generateAccount(seed: number, index: number): Account {
  const id = index + 1;
  const created = START_MS + Math.floor(unit(seed, index, 1) * SPAN_MS);
  const company = unit(seed, index, 2) < 0.1;
  const firstName = pick(FIRST, seed, index, 3);
  const lastName = pick(LAST, seed, index, 4);
  const custom: Record<string, string | string[]> = {};
  CUSTOM_FIELDS.forEach((field, n) => {
    if (unit(seed, index, 100 + n) < (FILL[field.name] ?? 0))
      custom[field.id] = customValue(seed, index, field, n);
  });
  return {
    id,
    type: company ? 'COMPANY' : 'INDIVIDUAL',
    createdDateTime: new Date(created).toISOString(),
    lastModifiedDateTime: new Date(created + intBetween(0, 86_400_000, seed, index, 5)).toISOString(),
    ...(company ? { companyName: `${lastName} ${pick(COMPANY, seed, index, 6)}` } : {}),
    contact: {
      firstName,
      lastName,
      ...(unit(seed, index, 7) < 0.7 ? { email1: `${firstName.toLowerCase()}.${id}@example.org` } : {}),
      ...(unit(seed, index, 8) < 0.2 ? { email2: `${firstName.toLowerCase()}${id}@mail.example.com` } : {}),
    },
    custom,
  };
}
