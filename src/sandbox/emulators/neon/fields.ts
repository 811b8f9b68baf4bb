/**
 * The fields of the emulated Neon CRM organisation: the standard account fields a search can filter on, output
 * and (some of them) write, and the account custom fields `GET /customFields?category=Account` lists. The custom
 * fields are a typical "V-field" migration: legacy fields (V_…) whose values belong in standard or new fields.
 */

/** A custom field's kind as ferry reads it; Neon says it with `dataType` and `displayType`. */
export type FieldKind = 'text' | 'number' | 'date' | 'select' | 'multiselect';

export interface FieldOption {
  id: string;
  name: string;
  status: 'ACTIVE' | 'INACTIVE';
}

/** A custom field as `GET /customFields` lists it. */
export interface CustomField {
  id: string;
  name: string;
  displayName: string;
  dataType: 'Text' | 'Integer' | 'Decimal' | 'Date';
  displayType: 'OneLineText' | 'MultiLineText' | 'DropDown' | 'Radio' | 'Checkbox';
  component: 'Account';
  optionValues: FieldOption[];
}

export interface StandardField {
  /** The display name searches and results use ("Email 1"). */
  name: string;
  /** The `primaryContact` property it is stored in; absent for fields no request writes. */
  contact?: 'firstName' | 'lastName' | 'preferredName' | 'email1' | 'email2' | 'email3';
}

export const STANDARD_FIELDS: readonly StandardField[] = [
  { name: 'Account ID' },
  { name: 'Account Type' },
  { name: 'Company Name' },
  { name: 'Date Created' },
  { name: 'Last Modified Date' },
  { name: 'First Name', contact: 'firstName' },
  { name: 'Last Name', contact: 'lastName' },
  { name: 'Preferred Name', contact: 'preferredName' },
  { name: 'Email 1', contact: 'email1' },
  { name: 'Email 2', contact: 'email2' },
  { name: 'Email 3', contact: 'email3' },
];

const options = (first: number, names: readonly string[]): FieldOption[] =>
  names.map((name, index) => ({ id: String(first + index), name, status: 'ACTIVE' }));

function field(
  id: number,
  name: string,
  dataType: CustomField['dataType'],
  displayType: CustomField['displayType'],
  optionValues: FieldOption[] = [],
): CustomField {
  return {
    id: String(id),
    name,
    displayName: name,
    dataType,
    displayType,
    component: 'Account',
    optionValues,
  };
}

export const CUSTOM_FIELDS: readonly CustomField[] = [
  field(71, 'V_Email', 'Text', 'OneLineText'),
  field(72, 'V_Nickname', 'Text', 'OneLineText'),
  field(
    73,
    'V_Interests',
    'Text',
    'Checkbox',
    options(101, ['Arts', 'Sports', 'Music', 'Science', 'Travel']),
  ),
  field(74, 'V_Member_Level', 'Text', 'DropDown', options(111, ['Bronze', 'Silver', 'Gold'])),
  field(75, 'V_Donation_Total', 'Text', 'OneLineText'),
  field(76, 'V_First_Gift', 'Text', 'OneLineText'),
  field(77, 'V_Volunteer', 'Text', 'OneLineText'),
  field(78, 'V_Notes', 'Text', 'MultiLineText'),
  field(
    81,
    'Interests',
    'Text',
    'Checkbox',
    options(201, ['Arts', 'Sports', 'Music', 'Science', 'Travel', 'Volunteering', 'Gardening']),
  ),
  field(82, 'Membership Level', 'Text', 'DropDown', options(211, ['Bronze', 'Silver', 'Gold', 'Platinum'])),
  field(83, 'Lifetime Giving', 'Decimal', 'OneLineText'),
  field(84, 'First Gift Date', 'Date', 'OneLineText'),
  field(85, 'Notes', 'Text', 'MultiLineText'),
  field(86, 'Volunteer', 'Text', 'Radio', options(221, ['Yes', 'No'])),
  field(87, 'Household Size', 'Integer', 'OneLineText'),
];

/** What a custom field holds, from Neon's description of it. */
export function kindOf(field: Pick<CustomField, 'dataType' | 'displayType'>): FieldKind {
  if (field.displayType === 'Checkbox') return 'multiselect';
  if (field.displayType === 'DropDown' || field.displayType === 'Radio') return 'select';
  if (field.dataType === 'Integer' || field.dataType === 'Decimal') return 'number';
  if (field.dataType === 'Date') return 'date';
  return 'text';
}

export const customFieldById = new Map(CUSTOM_FIELDS.map((field) => [field.id, field]));
export const customFieldByName = new Map(CUSTOM_FIELDS.map((field) => [field.name, field]));
export const standardFieldByName = new Map(STANDARD_FIELDS.map((field) => [field.name, field]));
