import type { MappingDeclaration } from '../kit/fields/mapping.js';
import type { FieldPlanDeclaration } from '../kit/fields/plan.js';
import { generateAccount } from './emulators/neon/generator.js';
import { displayValue } from './emulators/neon/shapes.js';

/**
 * The V-field migration of the emulated Neon organisation, as tests and benchmarks run it: eight mappings of
 * every kind, from the legacy V_ fields into standard and new fields, and what they make of an account written
 * out by hand (not through ferry's mapping code), so that a run can be checked against it.
 */
export const V_FIELD_MAPPINGS: readonly MappingDeclaration[] = [
  { from: 'V_Email', to: 'Email 1', strategy: 'COPY_IF_EMPTY' },
  { from: 'V_Interests', to: 'Interests', strategy: 'MERGE' },
  {
    from: 'V_Volunteer',
    to: 'Interests',
    strategy: 'ADD_OPTION',
    option: 'Volunteering',
    when: { field: 'V_Volunteer', operator: 'IN', values: ['Y', 'yes'] },
  },
  { from: 'V_Member_Level', to: 'Membership Level', strategy: 'REPLACE' },
  { from: 'V_Donation_Total', to: 'Lifetime Giving', strategy: 'TRANSFORM', transform: 'number' },
  {
    from: 'V_First_Gift',
    to: 'First Gift Date',
    strategy: 'TRANSFORM',
    transform: { date: { format: 'M/D/YYYY' } },
  },
  { from: 'V_Notes', to: 'Notes', strategy: 'MERGE' },
  {
    from: 'V_Volunteer',
    to: 'Volunteer',
    strategy: 'TRANSFORM',
    transform: { map: { Y: 'Yes', yes: 'Yes', N: 'No', no: 'No' } },
  },
];

/** The plan with the first `mappings` of the eight, over every account. */
export function vFieldPlan(mappings = V_FIELD_MAPPINGS.length): FieldPlanDeclaration {
  return {
    select: { search: [{ field: 'Account ID', operator: 'GREATER_THAN', value: '0' }] },
    mappings: V_FIELD_MAPPINGS.slice(0, mappings).map((mapping) => ({ ...mapping })),
  };
}

/** The target fields of the plan, in the form a search shows them: options sorted, amounts as numbers. */
export type AccountView = Record<'Email 1' | '81' | '82' | '83' | '84' | '85' | '86', string | null>;

const amount = (value: string | null) => (value === null ? null : String(Number(value)));
const options = (value: string | null) => (value ?? '').split('|').filter(Boolean);

/** An account's target fields as `value` (a search's display of a field) shows them. */
export function accountView(value: (field: string) => string | null): AccountView {
  const interests = options(value('81'));
  return {
    'Email 1': value('Email 1'),
    '81': interests.length > 0 ? interests.sort().join('|') : null,
    '82': value('82'),
    '83': amount(value('83')),
    '84': value('84'),
    '85': value('85'),
    '86': value('86'),
  };
}

/** Account `index` of organisation `seed` as generated, before any migration. */
export function generatedView(seed: number, index: number): AccountView {
  const account = generateAccount(seed, index);
  return accountView((field) => displayValue(account, field));
}

/** What the first `mappings` of the eight make of account `index` of organisation `seed`. */
export function expectedView(seed: number, index: number, mappings = V_FIELD_MAPPINGS.length): AccountView {
  const account = generateAccount(seed, index);
  const shown = (field: string) => displayValue(account, field);
  const view = accountView(shown);
  const applies = (mapping: number) => mapping <= mappings;
  const volunteer = shown('77');
  const volunteers = volunteer === 'Y' || volunteer === 'yes';
  if (applies(1) && view['Email 1'] === null) view['Email 1'] = shown('71');
  const interests = new Set(options(view['81']));
  if (applies(2)) for (const option of options(shown('73'))) interests.add(option);
  if (applies(3) && volunteers) interests.add('Volunteering');
  view['81'] = interests.size > 0 ? [...interests].sort().join('|') : null;
  if (applies(4) && shown('74')) view['82'] = shown('74');
  const donation = shown('75');
  if (applies(5) && donation) view['83'] = amount(donation.replace(/[$,]/g, ''));
  const gift = shown('76');
  if (applies(6) && gift) {
    const [month, day, year] = gift.split('/').map(Number) as [number, number, number];
    view['84'] = new Date(Date.UTC(year, month - 1, day)).toISOString().slice(0, 10);
  }
  const [notes, legacyNotes] = [view['85'], shown('78')];
  if (applies(7) && legacyNotes) {
    view['85'] = notes ? (notes.includes(legacyNotes) ? notes : `${notes}; ${legacyNotes}`) : legacyNotes;
  }
  if (applies(8) && volunteer) view['86'] = volunteers ? 'Yes' : 'No';
  return view;
}
