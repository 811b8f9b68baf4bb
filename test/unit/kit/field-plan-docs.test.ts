import { readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';
import { parse } from 'yaml';
import { NeonAccountFields } from '../../../src/connectors/neon/api.js';
import { fieldPlanSchema } from '../../../src/kit/fields/plan.js';
import { resolveMappings } from '../../../src/kit/fields/resolve.js';
import { CUSTOM_FIELDS } from '../../../src/sandbox/emulators/neon/fields.js';

it("README's example plan (examples/neon-v-fields.yaml) is a plan, and every field it names is one of the emulated organisation's", async () => {
  const readme = await readFile(new URL('../../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## Field migration inside Neon CRM'));
  const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
  expect(yaml).toBeDefined();
  const plan = fieldPlanSchema.parse(parse(yaml as string));
  // The example file `ferry dev` users run is the same plan.
  const example = await readFile(new URL('../../../examples/neon-v-fields.yaml', import.meta.url), 'utf8');
  expect(fieldPlanSchema.parse(parse(example))).toEqual(plan);
  expect(plan.mappings).toHaveLength(8);
  const fields = new NeonAccountFields(CUSTOM_FIELDS);
  expect(resolveMappings(plan.mappings, fields.catalogue).map((mapping) => mapping.to.name)).toEqual([
    'Email 1',
    'Interests',
    'Interests',
    'Membership Level',
    'Lifetime Giving',
    'First Gift Date',
    'Notes',
    'Volunteer',
  ]);
});
