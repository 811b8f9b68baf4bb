import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAccount } from '../../src/sandbox/emulators/neon/generator.js';
import { type NeonEmulator, startNeonEmulator } from '../../src/sandbox/emulators/neon/server.js';

let emulator: NeonEmulator;

const basic = (orgId: string, apiKey: string) =>
  `Basic ${Buffer.from(`${orgId}:${apiKey}`).toString('base64')}`;
const api = (path: string, init: RequestInit = {}, headers: Record<string, string> = {}) =>
  fetch(`${emulator.apiUrl}${path}`, {
    ...init,
    headers: {
      authorization: basic(emulator.orgId, emulator.apiKey),
      'neon-api-version': '2.11',
      'content-type': 'application/json',
      ...headers,
    },
  });
const searchPage = (body: unknown) => api('/accounts/search', { method: 'POST', body: JSON.stringify(body) });
const write = (method: 'PUT' | 'PATCH', id: number, body: unknown) =>
  api(`/accounts/${id}`, { method, body: JSON.stringify(body) });
const all = { field: 'Account ID', operator: 'GREATER_THAN', value: 0 };
const page = (currentPage: number, pageSize = 200) => ({ currentPage, pageSize });

interface SearchAnswer {
  pagination: { currentPage: number; pageSize: number; totalPages: number; totalResults: number };
  searchResults: Record<string, string | null>[];
}

beforeAll(async () => {
  emulator = await startNeonEmulator({ accounts: 450, seed: 5 });
});
afterAll(() => emulator.close());

describe('Neon CRM API v2 emulator', () => {
  it('asks for HTTP Basic with the organisation id and API key, and an API version', async () => {
    const wrongKey = await api(
      '/customFields?category=Account',
      {},
      { authorization: basic(emulator.orgId, 'no') },
    );
    expect(wrongKey.status).toBe(401);
    expect(await wrongKey.json()).toEqual([{ code: '401', message: 'Invalid organisation id or API key' }]);
    const noVersion = await fetch(`${emulator.apiUrl}/customFields?category=Account`, {
      headers: { authorization: basic(emulator.orgId, emulator.apiKey) },
    });
    expect(noVersion.status).toBe(400);
  });

  it('lists account custom fields of each type with their options', async () => {
    const fields = (await (await api('/customFields?category=Account')).json()) as {
      id: string;
      name: string;
      dataType: string;
      displayType: string;
      optionValues: { id: string; name: string }[];
    }[];
    const byName = new Map(fields.map((field) => [field.name, field]));
    expect(byName.get('V_Email')).toMatchObject({ dataType: 'Text', displayType: 'OneLineText' });
    expect(byName.get('Lifetime Giving')).toMatchObject({ dataType: 'Decimal' });
    expect(byName.get('First Gift Date')).toMatchObject({ dataType: 'Date' });
    expect(byName.get('Membership Level')?.displayType).toBe('DropDown');
    expect(byName.get('Interests')?.displayType).toBe('Checkbox');
    expect(byName.get('Interests')?.optionValues.map((option) => option.name)).toContain('Volunteering');
    expect(await (await api('/customFields?category=Donation')).json()).toEqual([]);
  });

  it('pages a search from 0, up to 200 results a page, with output fields by name and custom field id', async () => {
    const first = (await (
      await searchPage({
        searchFields: [all],
        outputFields: ['Account ID', 'First Name', 73],
        pagination: page(0),
      })
    ).json()) as SearchAnswer;
    expect(first.pagination).toMatchObject({
      currentPage: 0,
      pageSize: 200,
      totalPages: 3,
      totalResults: 450,
    });
    expect(first.searchResults).toHaveLength(200);
    const account = generateAccount(5, 0);
    expect(first.searchResults[0]).toEqual({
      'Account ID': '1',
      'First Name': account.contact.firstName,
      V_Interests: emulator.valueOf(1, '73'),
    });
    const last = (await (
      await searchPage({ searchFields: [all], outputFields: ['Account ID'], pagination: page(2) })
    ).json()) as SearchAnswer;
    expect(last.searchResults.map((row) => row['Account ID'])).toEqual(
      Array.from({ length: 50 }, (_, n) => String(401 + n)),
    );
    const tooLarge = await searchPage({
      searchFields: [all],
      outputFields: ['Account ID'],
      pagination: page(0, 201),
    });
    expect(tooLarge.status).toBe(400);
    const unknown = await searchPage({
      searchFields: [all],
      outputFields: ['Shoe Size'],
      pagination: page(0),
    });
    expect(await unknown.json()).toEqual([{ code: '400', message: 'Unknown field: Shoe Size' }]);
  });

  it("filters with Neon's operators; a multi-select is EQUAL to each of its options", async () => {
    const ids = async (searchFields: unknown[]) =>
      (
        (await (
          await searchPage({ searchFields, outputFields: ['Account ID'], pagination: page(0) })
        ).json()) as SearchAnswer
      ).searchResults.map((row) => Number(row['Account ID']));
    const accounts = Array.from({ length: 450 }, (_, index) => generateAccount(5, index));
    expect(await ids([{ field: 'Account ID', operator: 'IN_RANGE', valueList: [10, 14] }])).toEqual([
      10, 11, 12, 13, 14,
    ]);
    const music = accounts.filter((account) =>
      (account.custom['73'] as string[] | undefined)?.includes('103'),
    );
    expect(await ids([{ field: '73', operator: 'EQUAL', value: 'Music' }, all])).toEqual(
      music.slice(0, 200).map((account) => account.id),
    );
    const noEmail = accounts.filter((account) => account.contact.email1 === undefined);
    expect(await ids([{ field: 'Email 1', operator: 'BLANK' }])).toEqual(
      noEmail.slice(0, 200).map((a) => a.id),
    );
    expect(noEmail.length).toBeGreaterThan(0);
  });

  it('reads an account, changes what a PATCH carries (custom fields merged by id), and a PUT replaces it', async () => {
    const before = (await (await api('/accounts/7')).json()) as Record<
      string,
      { accountCustomFields: unknown[] }
    >;
    const key = Object.keys(before)[0] as string;
    expect(['individualAccount', 'companyAccount']).toContain(key);
    const patched = await write('PATCH', 7, {
      [key]: {
        primaryContact: { email2: 'second@example.org' },
        accountCustomFields: [
          { id: '81', optionValues: [{ id: '201' }, { id: '206' }] },
          { id: '83', value: '12.50' },
        ],
      },
    });
    expect(patched.status).toBe(200);
    expect(emulator.valueOf(7, '81')).toBe('Arts|Volunteering');
    expect(emulator.valueOf(7, '83')).toBe('12.50');
    expect(emulator.valueOf(7, 'Email 2')).toBe('second@example.org');
    // Merged by id: the fields the PATCH left out are as they were.
    expect(emulator.valueOf(7, 'First Name')).toBe(generateAccount(5, 6).contact.firstName);
    expect(emulator.valueOf(7, '71')).toBe(
      (generateAccount(5, 6).custom['71'] as string | undefined) ?? null,
    );
    const put = await write('PUT', 7, { [key]: { primaryContact: { firstName: 'Only' } } });
    expect(put.status).toBe(200);
    expect(emulator.valueOf(7, 'First Name')).toBe('Only');
    expect(emulator.valueOf(7, '81')).toBeNull();
    expect(emulator.valueOf(7, 'Email 2')).toBeNull();
  });

  it('refuses a write with an unknown option or a value of the wrong type, changing nothing', async () => {
    const key = generateAccount(5, 8).type === 'COMPANY' ? 'companyAccount' : 'individualAccount';
    const before = emulator.valueOf(9, '83');
    const badOption = await write('PATCH', 9, {
      [key]: { accountCustomFields: [{ id: '82', optionValues: [{ name: 'Diamond' }] }] },
    });
    expect(badOption.status).toBe(400);
    expect(await badOption.json()).toEqual([
      { code: '400', message: 'Option "Diamond" does not exist for custom field Membership Level (82)' },
    ]);
    const badNumber = await write('PATCH', 9, {
      [key]: { accountCustomFields: [{ id: '83', value: '$1,234.50' }] },
    });
    expect(await badNumber.json()).toEqual([
      { code: '400', message: 'Custom field Lifetime Giving (83) takes a number, not "$1,234.50"' },
    ]);
    expect(emulator.valueOf(9, '83')).toBe(before);
    const wrongKind = await write('PATCH', 9, {
      [key === 'companyAccount' ? 'individualAccount' : 'companyAccount']: {},
    });
    expect(wrongKind.status).toBe(400);
    expect((await api('/accounts/99999')).status).toBe(404);
  });

  it('answers 429 past the concurrent requests an endpoint allows, and its log shows how many came at once', async () => {
    await fetch(`${emulator.controlUrl}/faults`, { method: 'PUT', body: JSON.stringify({ latencyMs: 100 }) });
    const searchesBefore = { ...emulator.endpoints.search };
    const searches = await Promise.all(
      Array.from({ length: 3 }, () =>
        searchPage({ searchFields: [all], outputFields: ['Account ID'], pagination: page(0, 1) }),
      ),
    );
    expect(searches.map((response) => response.status).sort()).toEqual([200, 429, 429]);
    const key = (id: number) =>
      generateAccount(5, id - 1).type === 'COMPANY' ? 'companyAccount' : 'individualAccount';
    const writes = await Promise.all(
      Array.from({ length: 6 }, (_, n) =>
        write('PATCH', 20 + n, { [key(20 + n)]: { primaryContact: { email3: 'x@example.org' } } }),
      ),
    );
    expect(writes.filter((response) => response.status === 429)).toHaveLength(1);
    await fetch(`${emulator.controlUrl}/faults`, { method: 'PUT', body: JSON.stringify({ latencyMs: 0 }) });
    const log = (await (await fetch(`${emulator.controlUrl}/endpoints`)).json()) as typeof emulator.endpoints;
    // One in flight, and each of the other two arriving while it was: two at once, twice over the limit.
    expect(log.search.peakConcurrent).toBe(2);
    expect(log.search.overLimit - searchesBefore.overLimit).toBe(2);
    expect(log.write.peakConcurrent).toBe(6);
    expect(log.write.limit).toBe(5);
  });

  it('lets a user change an account while a migration runs', async () => {
    const key = generateAccount(5, 29).type === 'COMPANY' ? 'companyAccount' : 'individualAccount';
    const edited = await fetch(`${emulator.controlUrl}/accounts/30`, {
      method: 'PATCH',
      body: JSON.stringify({ [key]: { accountCustomFields: [{ id: '71', value: 'typed@by.user' }] } }),
    });
    expect(edited.status).toBe(200);
    expect(emulator.valueOf(30, '71')).toBe('typed@by.user');
  });
});
