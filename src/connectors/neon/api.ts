import {
  FieldCatalogue,
  type FieldInfo,
  type FieldKind,
  type FieldValue,
} from '../../kit/fields/catalogue.js';
import type { FieldRecord, FieldRecordApi } from '../../kit/fields/record-api.js';
import { auth } from '../../kit/source/auth.js';
import { fetchPage, type Listing } from '../../kit/source/listing.js';
import { bodyNumber, paginate } from '../../kit/source/paginate.js';
import { type RestClient, restApi } from '../../kit/source/rest-api.js';
import { neonConnection } from '../connection.js';
import { SourceHttpError } from '../errors.js';

/** Neon CRM's API v2: HTTP Basic with the organisation id and an API key, and the API version in a header. */
const api = restApi({
  system: 'Neon CRM',
  connection: neonConnection,
  auth: auth.basic('orgId', 'apiKey'),
  headers: { 'neon-api-version': '2.11' },
  // Neon limits requests at the same time per endpoint, not per minute.
  rateLimit: 'concurrent',
  // Neon answers a list of errors, each with a code and a message.
  errorMessage: (body) =>
    Array.isArray(body) ? body.map((error) => (error as { message?: string }).message).join('; ') : undefined,
  credentials: 'its organisation id and API key',
});

/**
 * Neon's limits are requests at the same time per endpoint and organisation, not per minute: one account search,
 * five account writes. Reads of one account are not documented; five is what ferry allows itself.
 */
const NEON_LIMITS = { search: 1, write: 5, read: 5 } as const;

/** Search results come at most 200 a page. */
const SEARCH_PAGE = 200;

/**
 * Accounts by search, in Account ID order, a keyset in the body: each page asks for the accounts after the last
 * id read, so accounts a migration changes (and that may stop matching the search) never shift a page.
 */
const accountSearch: Listing = {
  path: 'accounts/search',
  method: 'POST',
  records: 'searchResults',
  body: { pagination: { currentPage: 0, sortColumn: 'Account ID', sortDirection: 'ASC' } },
  paginate: paginate.keyset({
    key: 'Account ID',
    maxSize: SEARCH_PAGE,
    total: bodyNumber('pagination.totalResults'),
    body: (after, size) => ({
      pagination: { pageSize: size },
      searchFields: [{ field: 'Account ID', operator: 'GREATER_THAN', value: after ?? '0' }],
    }),
  }),
};

/** An account as `GET /accounts/{id}` answers it, whichever kind it is. */
interface AccountAnswer {
  individualAccount?: AccountBody;
  companyAccount?: AccountBody;
}
interface AccountBody {
  accountId?: unknown;
  name?: unknown;
  primaryContact?: Record<string, unknown>;
  accountCustomFields?: { id: unknown; value?: unknown; optionValues?: { name: string }[] }[];
}

/** The account's kind as a search shows it. */
const accountType = (answer: AccountAnswer) => (answer.companyAccount ? 'Company' : 'Individual');

/** A field of `primaryContact`: the standard fields a plan can write. */
const contactField = (property: string) => ({
  contact: property,
  read: (account: AccountBody) => account.primaryContact?.[property],
});

/**
 * The standard account fields a plan can name: how a `GET /accounts/{id}` answer holds each, and the
 * `primaryContact` property of those a PATCH can write.
 */
const STANDARD = new Map<
  string,
  { contact?: string; read: (account: AccountBody, answer: AccountAnswer) => unknown }
>([
  ['Account ID', { read: (account) => account.accountId }],
  ['Account Type', { read: (_, answer) => accountType(answer) }],
  ['Company Name', { read: (account) => account.name }],
  ['First Name', contactField('firstName')],
  ['Last Name', contactField('lastName')],
  ['Preferred Name', contactField('preferredName')],
  ['Email 1', contactField('email1')],
  ['Email 2', contactField('email2')],
  ['Email 3', contactField('email3')],
]);

interface NeonCustomField {
  id: string | number;
  name: string;
  displayName?: string;
  dataType?: string;
  displayType?: string;
  optionValues?: { id: string | number; name: string }[];
}

/** What a custom field holds, from Neon's `dataType` and `displayType`. */
function kindOf(field: NeonCustomField): FieldKind {
  if (field.displayType === 'Checkbox') return 'multiselect';
  if (field.displayType === 'DropDown' || field.displayType === 'Radio') return 'select';
  if (field.dataType === 'Integer' || field.dataType === 'Decimal') return 'number';
  if (field.dataType === 'Date') return 'date';
  return 'text';
}

/** The organisation's account fields: the standard ones and its custom fields, with their options' ids. */
export class NeonAccountFields {
  readonly catalogue: FieldCatalogue;
  private readonly optionIds = new Map<string, Map<string, string>>();

  constructor(custom: readonly NeonCustomField[]) {
    const fields: FieldInfo[] = [...STANDARD].map(([name, { contact }]) => ({
      key: name,
      name,
      kind: 'text',
      options: [],
      writable: contact !== undefined,
    }));
    for (const field of custom) {
      const key = String(field.id);
      const options = field.optionValues ?? [];
      this.optionIds.set(key, new Map(options.map((option) => [option.name, String(option.id)])));
      fields.push({
        key,
        name: field.name,
        kind: kindOf(field),
        options: options.map((option) => option.name),
        writable: true,
      });
    }
    this.catalogue = new FieldCatalogue(fields);
  }

  /** Reads `GET /customFields?category=Account`. */
  static async load(client: RestClient): Promise<NeonAccountFields> {
    return new NeonAccountFields(
      await client.getJson<NeonCustomField[]>('customFields', { category: 'Account' }),
    );
  }

  /** What a search asks for to read these fields: standard fields by name, custom fields by id. */
  outputFields(fields: readonly FieldInfo[]): (string | number)[] {
    const wanted = new Set(['Account ID', 'Account Type', ...fields.map((field) => field.key)]);
    return [...wanted].map((key) => (/^\d+$/.test(key) ? Number(key) : key));
  }

  /** A search result's values by field key (its keys are the fields' names; a multi-select's options join with `|`). */
  valuesOfResult(
    row: Readonly<Record<string, unknown>>,
    fields: readonly FieldInfo[],
  ): Record<string, FieldValue> {
    const values: Record<string, FieldValue> = {};
    for (const field of fields) {
      const raw = row[field.name];
      const text = raw === null || raw === undefined ? null : String(raw);
      values[field.key] =
        field.kind === 'multiselect' && text !== null ? text.split('|').filter(Boolean) : text;
    }
    return values;
  }

  /** An account as `GET /accounts/{id}` answers it, as values by field key. */
  valuesOfAccount(answer: AccountAnswer, fields: readonly FieldInfo[]): Record<string, FieldValue> {
    const account = answer.individualAccount ?? answer.companyAccount ?? {};
    const custom = new Map((account.accountCustomFields ?? []).map((entry) => [String(entry.id), entry]));
    const values: Record<string, FieldValue> = {};
    for (const field of fields) {
      const standard = STANDARD.get(field.key);
      const entry = custom.get(field.key);
      const options = entry?.optionValues?.map((option) => option.name) ?? [];
      const raw = standard ? standard.read(account, answer) : entry?.value;
      values[field.key] =
        field.kind === 'multiselect'
          ? options
          : field.kind === 'select'
            ? (options[0] ?? null)
            : raw === undefined || raw === null || raw === ''
              ? null
              : String(raw);
    }
    return values;
  }

  /** A PATCH body that sets these fields (by key) and nothing else: custom fields are merged by id. */
  patchBody(
    accountType: string | null,
    changes: Readonly<Record<string, FieldValue>>,
  ): Record<string, unknown> {
    const primaryContact: Record<string, string | null> = {};
    const accountCustomFields: Record<string, unknown>[] = [];
    for (const [key, value] of Object.entries(changes)) {
      const standard = STANDARD.get(key);
      if (standard?.contact) {
        primaryContact[standard.contact] = typeof value === 'string' ? value : null;
        continue;
      }
      const optionIds = this.optionIds.get(key);
      if (optionIds && optionIds.size > 0) {
        const names = value === null ? [] : typeof value === 'string' ? [value] : value;
        accountCustomFields.push({
          id: key,
          optionValues: names.map((name) => ({ id: optionIds.get(name) })),
        });
      } else {
        accountCustomFields.push({ id: key, value: typeof value === 'string' ? value : '' });
      }
    }
    const body = {
      ...(Object.keys(primaryContact).length > 0 ? { primaryContact } : {}),
      ...(accountCustomFields.length > 0 ? { accountCustomFields } : {}),
    };
    return { [accountType === 'Company' ? 'companyAccount' : 'individualAccount']: body };
  }
}

/**
 * Neon's accounts as records whose fields a migration rewrites: read by search (200 a request, the fields asked
 * for as output fields) or one by one, written with a PATCH of the changed fields only.
 */
const accounts: FieldRecordApi<NeonAccountFields> = {
  api,
  limits: NEON_LIMITS,
  maxPageSize: SEARCH_PAGE,
  describeFields: (client) => NeonAccountFields.load(client),

  async search(client, fields, request) {
    const page = await fetchPage(client, accountSearch, {
      cursor: request.cursor,
      size: request.size,
      body: { searchFields: request.conditions, outputFields: fields.outputFields(request.read) },
    });
    const records = (page.records as Record<string, unknown>[]).map(
      (row): FieldRecord => ({
        key: String(row['Account ID']),
        values: fields.valuesOfResult(row, request.read),
        kind: typeof row['Account Type'] === 'string' ? row['Account Type'] : null,
      }),
    );
    return { records, next: page.next, ...(page.total === undefined ? {} : { total: page.total }) };
  },

  async read(client, fields, key, read) {
    try {
      const answer = await client.getJson<AccountAnswer>(`accounts/${encodeURIComponent(key)}`);
      return {
        key,
        values: fields.valuesOfAccount(answer, read),
        kind: accountType(answer),
      };
    } catch (error) {
      if (error instanceof SourceHttpError && error.status === 404) return undefined;
      throw error;
    }
  },

  async write(client, fields, record, changes) {
    await client.request('PATCH', `accounts/${encodeURIComponent(record.key)}`, {
      body: fields.patchBody(record.kind ?? null, changes),
    });
  },
};

/** Neon CRM's parts, for a migration of its accounts' fields. */
export const neon = { api, accounts };
