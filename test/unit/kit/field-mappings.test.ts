import { describe, expect, it } from 'vitest';
import { applyMappings } from '../../../src/kit/fields/apply.js';
import { FieldCatalogue, type FieldInfo, type FieldValue } from '../../../src/kit/fields/catalogue.js';
import { type MappingDeclaration, mappingSchema } from '../../../src/kit/fields/mapping.js';
import { PlanError, resolveMappings } from '../../../src/kit/fields/resolve.js';
import { namedTransform } from '../../../src/kit/fields/transforms.js';

const field = (key: string, name: string, kind: FieldInfo['kind'], options: string[] = []): FieldInfo => ({
  key,
  name,
  kind,
  options,
  writable: key !== 'Account ID',
});
const catalogue = new FieldCatalogue([
  field('Account ID', 'Account ID', 'text'),
  field('Email 1', 'Email 1', 'text'),
  field('71', 'V_Email', 'text'),
  field('73', 'V_Interests', 'multiselect', ['Arts', 'Music']),
  field('74', 'V_Member_Level', 'select', ['Bronze', 'Gold']),
  field('75', 'V_Donation_Total', 'text'),
  field('77', 'V_Volunteer', 'text'),
  field('78', 'V_Notes', 'text'),
  field('81', 'Interests', 'multiselect', ['Arts', 'Music', 'Volunteering']),
  field('82', 'Membership Level', 'select', ['Bronze', 'Gold', 'Platinum']),
  field('83', 'Lifetime Giving', 'number'),
  field('85', 'Notes', 'text'),
]);
const resolve = (mappings: MappingDeclaration[]) =>
  resolveMappings(
    mappings.map((mapping) => mappingSchema.parse(mapping)),
    catalogue,
  );

const PLAN: MappingDeclaration[] = [
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
  { from: 'V_Notes', to: 'Notes', strategy: 'MERGE' },
];

describe('field mappings', () => {
  it('applies each strategy in order and reports only the fields that change, with before and after', () => {
    const mapped = applyMappings(resolve(PLAN), {
      'Email 1': 'kept@example.org',
      '71': 'legacy@example.org',
      '73': ['Music'],
      '74': 'Gold',
      '75': '$1,234.50',
      '77': 'yes',
      '78': 'Prefers email',
      '81': ['Arts'],
      '83': '1234.50',
      '85': 'Met at gala',
    });
    expect(mapped).toEqual({
      changes: {
        '81': { name: 'Interests', before: ['Arts'], after: ['Arts', 'Music', 'Volunteering'] },
        '82': { name: 'Membership Level', before: null, after: 'Gold' },
        '85': { name: 'Notes', before: 'Met at gala', after: 'Met at gala; Prefers email' },
      },
    });
  });

  it('changes nothing when applied to its own result (a retried write cannot apply a mapping twice)', () => {
    const mappings = resolve(PLAN);
    const volunteers = ['Y', 'N', 'yes', ''];
    for (let n = 0; n < 64; n++) {
      const values: Record<string, FieldValue> = {
        'Email 1': n % 3 === 0 ? null : `e${n}@example.org`,
        '71': n % 2 === 0 ? `v${n}@example.org` : null,
        '73': [['Arts'], ['Music'], ['Arts', 'Music'], []][n % 4] as string[],
        '74': n % 5 === 0 ? null : n % 2 === 0 ? 'Gold' : 'Bronze',
        '75': n % 7 === 0 ? null : `$${n},${String(n).padStart(3, '0')}.5`,
        '77': volunteers[n % 4] as string,
        '78': n % 3 === 1 ? 'Call in spring' : null,
        '81': n % 6 === 0 ? ['Volunteering'] : null,
        '85': n % 4 === 0 ? 'Board contact' : null,
      };
      const first = applyMappings(mappings, values);
      expect(first.error).toBeUndefined();
      const after = { ...values };
      for (const [key, change] of Object.entries(first.changes)) after[key] = change.after;
      expect(applyMappings(mappings, after)).toEqual({ changes: {} });
    }
  });

  it('names every mistake of a plan at once: an unknown field, a type mismatch, a missing option', () => {
    const attempt = () =>
      resolve([
        { from: 'V_Shoe_Size', to: 'Notes', strategy: 'REPLACE' },
        { from: 'V_Interests', to: 'Lifetime Giving', strategy: 'REPLACE' },
        { from: 'V_Volunteer', to: 'Interests', strategy: 'ADD_OPTION', option: 'Gardening' },
        { from: 'V_Email', to: 'Account ID', strategy: 'REPLACE' },
      ]);
    expect(attempt).toThrow(PlanError);
    try {
      attempt();
    } catch (error) {
      expect((error as PlanError).problems).toEqual([
        'mapping 1 (V_Shoe_Size → Notes): there is no field "V_Shoe_Size"',
        'mapping 2 (V_Interests → Lifetime Giving): REPLACE cannot write V_Interests (multi-select) into Lifetime Giving (number)',
        'mapping 3 (V_Volunteer → Interests): option "Gardening" does not exist in Interests (it has Arts, Music, Volunteering)',
        'mapping 4 (V_Email → Account ID): Account ID cannot be written',
      ]);
    }
  });

  it("checks a select's options and a transform's map against the target's options", () => {
    const narrow = new FieldCatalogue([
      field('74', 'V_Member_Level', 'select', ['Bronze', 'Gold', 'Diamond']),
      field('77', 'V_Volunteer', 'text'),
      field('82', 'Membership Level', 'select', ['Bronze', 'Gold']),
    ]);
    const problems = (mappings: MappingDeclaration[]) => {
      try {
        resolveMappings(
          mappings.map((mapping) => mappingSchema.parse(mapping)),
          narrow,
        );
        return [];
      } catch (error) {
        return (error as PlanError).problems;
      }
    };
    expect(problems([{ from: 'V_Member_Level', to: 'Membership Level', strategy: 'REPLACE' }])).toEqual([
      'mapping 1 (V_Member_Level → Membership Level): option "Diamond" does not exist in Membership Level (it has Bronze, Gold)',
    ]);
    expect(
      problems([
        {
          from: 'V_Volunteer',
          to: 'Membership Level',
          strategy: 'TRANSFORM',
          transform: { map: { Y: 'Gold', N: 'Silver' } },
        },
      ]),
    ).toEqual([
      'mapping 1 (V_Volunteer → Membership Level): option "Silver" does not exist in Membership Level (it has Bronze, Gold)',
    ]);
  });

  it('dead-letters a record whose value its transform refuses, mapping none of its fields', () => {
    const mapped = applyMappings(resolve(PLAN), { '71': 'a@example.org', '75': 'about a thousand' });
    expect(mapped).toEqual({
      changes: {},
      error: 'mapping 5 (V_Donation_Total → Lifetime Giving): "about a thousand" is not a number',
    });
  });

  it('refuses a mapping declared wrong before resolving it', () => {
    expect(
      mappingSchema.safeParse({ from: 'a', to: 'b', strategy: 'TRANSFORM' }).error?.issues[0]?.message,
    ).toBe('TRANSFORM needs a transform');
    expect(
      mappingSchema.safeParse({
        from: 'a',
        to: 'b',
        strategy: 'REPLACE',
        when: { field: 'a', operator: 'IN' },
      }).error?.issues[0]?.message,
    ).toBe('IN needs values');
  });
});

describe('named transforms', () => {
  it('reads numbers, dates in a given order and mapped values, and refuses what does not parse', () => {
    expect(namedTransform('number')('$1,234.50')).toBe('1234.5');
    expect(namedTransform('number')('-12')).toBe('-12');
    expect(namedTransform({ date: { format: 'M/D/YYYY' } })('3/15/2019')).toBe('2019-03-15');
    expect(namedTransform({ date: { format: 'DD-MM-YYYY' } })('05-11-2020')).toBe('2020-11-05');
    expect(() => namedTransform({ date: { format: 'M/D/YYYY' } })('2/30/2019')).toThrow(
      '"2/30/2019" is not a date written M/D/YYYY',
    );
    expect(namedTransform({ map: { Y: 'Yes' } })('Y')).toBe('Yes');
    expect(() => namedTransform({ map: { Y: 'Yes' } })('maybe')).toThrow('"maybe" has no entry');
    expect(namedTransform('trim')(null)).toBeNull();
  });
});
