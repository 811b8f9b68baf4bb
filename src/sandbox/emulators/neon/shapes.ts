import { customFieldById, type FieldKind, kindOf, standardFieldByName } from './fields.js';
import type { Account } from './generator.js';

/** A request the API refuses, with Neon's message for it (answered 400). */
export class AccountRequestError extends Error {}

const accountKey = (account: Pick<Account, 'type'>) =>
  account.type === 'COMPANY' ? 'companyAccount' : 'individualAccount';

/** The account as `GET /accounts/{id}` answers it. */
export function renderAccount(account: Account): Record<string, unknown> {
  const accountCustomFields = Object.entries(account.custom).map(([id, value]) => {
    const field = customFieldById.get(id);
    const name = field?.name ?? id;
    if (typeof value === 'string' && field?.optionValues.length === 0) return { id, name, value };
    const chosen = typeof value === 'string' ? [value] : value;
    const optionValues = (field?.optionValues ?? []).filter((option) => chosen.includes(option.id));
    return { id, name, optionValues };
  });
  return {
    [accountKey(account)]: {
      accountId: String(account.id),
      ...(account.companyName === undefined ? {} : { name: account.companyName }),
      primaryContact: { contactId: String(account.id), ...account.contact, addresses: [] },
      accountCustomFields,
      timestamps: {
        createdDateTime: account.createdDateTime,
        lastModifiedDateTime: account.lastModifiedDateTime,
      },
    },
  };
}

/**
 * A field's value in a search result: standard fields by display name, custom fields by id (their name is the
 * result's key). Options are given by name; a multi-select's are joined with `|`. Empty is null.
 */
export function displayValue(account: Account, field: string): string | null {
  const custom = customFieldById.get(field);
  if (custom) {
    const value = account.custom[field];
    if (value === undefined) return null;
    if (custom.optionValues.length === 0) return value as string;
    const ids = typeof value === 'string' ? [value] : value;
    return custom.optionValues
      .filter((option) => ids.includes(option.id))
      .map((option) => option.name)
      .join('|');
  }
  switch (field) {
    case 'Account ID':
      return String(account.id);
    case 'Account Type':
      return account.type === 'COMPANY' ? 'Company' : 'Individual';
    case 'Company Name':
      return account.companyName ?? null;
    case 'Date Created':
      return account.createdDateTime.slice(0, 10);
    case 'Last Modified Date':
      return account.lastModifiedDateTime.slice(0, 10);
  }
  const contact = standardFieldByName.get(field)?.contact;
  return contact ? (account.contact[contact] ?? null) : null;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A value checked against its field's kind; empty clears the field (undefined). */
function checkedValue(
  id: string,
  kind: FieldKind,
  entry: { value?: unknown; optionValues?: unknown },
): string | string[] | undefined {
  const field = customFieldById.get(id);
  if (!field) throw new AccountRequestError(`Custom field ${id} does not exist`);
  if (kind === 'select' || kind === 'multiselect') {
    const given = Array.isArray(entry.optionValues)
      ? (entry.optionValues as { id?: unknown; name?: unknown }[])
      : [];
    const ids = given.map((option) => {
      const found = field.optionValues.find(
        (candidate) => candidate.id === String(option.id) || candidate.name === option.name,
      );
      if (!found) {
        throw new AccountRequestError(
          `Option ${JSON.stringify(option.id ?? option.name)} does not exist for custom field ${field.name} (${id})`,
        );
      }
      return found.id;
    });
    if (ids.length === 0) return undefined;
    if (kind === 'select') {
      if (ids.length > 1)
        throw new AccountRequestError(`Custom field ${field.name} (${id}) takes one option`);
      return ids[0];
    }
    return [...new Set(ids)];
  }
  if (entry.value === null || entry.value === undefined || entry.value === '') return undefined;
  const value = String(entry.value);
  if (kind === 'number' && !Number.isFinite(Number(value))) {
    throw new AccountRequestError(
      `Custom field ${field.name} (${id}) takes a number, not ${JSON.stringify(value)}`,
    );
  }
  if (kind === 'date' && !(DATE.test(value) && !Number.isNaN(Date.parse(value)))) {
    throw new AccountRequestError(
      `Custom field ${field.name} (${id}) takes a date (YYYY-MM-DD), not ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/**
 * The account after a write: PUT replaces it (what the body leaves out is cleared), PATCH changes what the body
 * carries, custom fields merged by id. A body for the other kind of account, an unknown field or option, or a
 * value of the wrong type is refused whole.
 */
export function applyWrite(account: Account, body: unknown, mode: 'PUT' | 'PATCH'): Account {
  const key = accountKey(account);
  const given = (body as Record<string, unknown> | null)?.[key];
  if (typeof given !== 'object' || given === null) {
    throw new AccountRequestError(
      `Account ${account.id} is ${account.type === 'COMPANY' ? 'a company' : 'an individual'}: the body must carry ${key}`,
    );
  }
  const part = given as { name?: unknown; primaryContact?: unknown; accountCustomFields?: unknown };
  const next: Account =
    mode === 'PUT'
      ? { ...account, contact: {}, custom: {}, ...(account.type === 'COMPANY' ? { companyName: '' } : {}) }
      : { ...account, contact: { ...account.contact }, custom: { ...account.custom } };
  if (account.type === 'COMPANY' && part.name !== undefined) next.companyName = String(part.name ?? '');
  if (typeof part.primaryContact === 'object' && part.primaryContact !== null) {
    for (const [name, value] of Object.entries(part.primaryContact)) {
      if (!['firstName', 'lastName', 'preferredName', 'email1', 'email2', 'email3'].includes(name)) continue;
      const contactKey = name as keyof Account['contact'];
      if (value === null || value === '') delete next.contact[contactKey];
      else next.contact[contactKey] = String(value);
    }
  }
  if (part.accountCustomFields !== undefined) {
    if (!Array.isArray(part.accountCustomFields)) {
      throw new AccountRequestError('accountCustomFields must be a list');
    }
    for (const entry of part.accountCustomFields as {
      id?: unknown;
      value?: unknown;
      optionValues?: unknown;
    }[]) {
      const id = String(entry?.id);
      const field = customFieldById.get(id);
      if (!field) throw new AccountRequestError(`Custom field ${id} does not exist`);
      const value = checkedValue(id, kindOf(field), entry);
      if (value === undefined) delete next.custom[id];
      else next.custom[id] = value;
    }
  }
  return next;
}
