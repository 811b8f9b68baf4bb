import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unpacedSource } from '../../src/connectors/source.js';
import { allPages, eboekhouden, fetchDetails, fetchPage } from '../../src/kit/index.js';
import { generateMutation } from '../../src/sandbox/emulators/eboekhouden/generator.js';
import {
  type EboekhoudenEmulator,
  startEboekhoudenEmulator,
} from '../../src/sandbox/emulators/eboekhouden/server.js';
import type { MutationSummary } from '../../src/sandbox/emulators/eboekhouden/shapes.js';

let emulator: EboekhoudenEmulator;
const sourceOf = (accessToken = emulator.accessToken) =>
  unpacedSource('boeken', { kind: 'eboekhouden', baseUrl: emulator.apiUrl, accessToken, source: 'ferry' });
const mutations = () => eboekhouden.collection('mutation');
const window = { from: '2023-03-01T00:00:00.000Z', to: '2023-04-01T00:00:00.000Z' };

beforeAll(async () => {
  emulator = await startEboekhoudenEmulator({ mutations: 4000, seed: 5 });
});
afterAll(() => emulator.close());

describe("e-Boekhouden through the kit's parts", () => {
  it('lists a 30-day window (both days included, limit up to 2000) and fetches each mutation whole', async () => {
    const client = eboekhouden.api.open(sourceOf());
    const params = eboekhouden.dateWindow.params(eboekhouden.dateWindow.bounds(window));
    expect(params).toEqual({ 'date[range]': '2023-03-01,2023-03-31' });
    const listed: MutationSummary[] = [];
    for await (const page of allPages(client, mutations(), { size: 25, params })) {
      listed.push(...(page as MutationSummary[]));
    }
    const expected = Array.from({ length: 4000 }, (_, index) =>
      generateMutation(emulator.store.shape, index),
    ).filter((mutation) => mutation.date >= '2023-03-01' && mutation.date < '2023-04-01');
    expect(listed.map((item) => item.id)).toEqual(expected.map((mutation) => mutation.id));
    const { total } = await fetchPage(client, mutations(), { cursor: { page: 1 }, size: 1, params });
    expect(total).toBe(expected.length);
    const detail = { path: (item: unknown) => `mutation/${(item as MutationSummary).id}`, concurrency: 4 };
    expect(await fetchDetails(client, detail, listed)).toEqual({ records: expected, gone: [] });
  });

  it('opens one session, opens another once it expires mid-run, and names a refused token', async () => {
    const source = sourceOf();
    const client = eboekhouden.api.open(source);
    const logins = emulator.stats.logins;
    await fetchPage(client, mutations(), { cursor: { page: 1 }, size: 10 });
    await fetch(`${emulator.controlUrl}/sessions/expire`, { method: 'POST' });
    const after = await fetchPage(client, mutations(), { cursor: { page: 2 }, size: 10 });
    expect(after.records).toHaveLength(10);
    expect(emulator.stats.logins - logins).toBe(2);
    await client.logout();
    expect(source.session.token).toBeUndefined();
    await expect(eboekhouden.api.open(sourceOf('wrong')).get('ledger')).rejects.toThrow(
      'e-Boekhouden connection "boeken" was refused (401: Invalid access token); check its API token',
    );
  });
});
