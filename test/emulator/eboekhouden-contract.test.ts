import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMutation, summaryOf } from '../../src/sandbox/emulators/eboekhouden/generator.js';
import {
  type EboekhoudenEmulator,
  startEboekhoudenEmulator,
} from '../../src/sandbox/emulators/eboekhouden/server.js';
import type { Mutation, MutationSummary } from '../../src/sandbox/emulators/eboekhouden/shapes.js';

let emulator: EboekhoudenEmulator;
let token: string;

const api = (path: string, init: RequestInit = {}, auth = `Bearer ${token}`) =>
  fetch(`${emulator.apiUrl}${path}`, { ...init, headers: { authorization: auth, ...(init.headers ?? {}) } });
const json = async <T>(response: Response) => (await response.json()) as T;
const login = (body: unknown) =>
  fetch(`${emulator.apiUrl}/session`, { method: 'POST', body: JSON.stringify(body) });
const control = (method: string, path: string, body?: unknown) =>
  fetch(`${emulator.controlUrl}${path}`, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
  });

beforeAll(async () => {
  emulator = await startEboekhoudenEmulator({ mutations: 3000, seed: 3 });
  token = (await json<{ token: string }>(await login({ accessToken: emulator.accessToken, source: 'ferry' })))
    .token;
});
afterAll(() => emulator.close());

describe('e-Boekhouden REST v1 emulator', () => {
  it('opens sessions as e-Boekhouden does, and answers with its error body', async () => {
    const missing = await login({ accessToken: emulator.accessToken });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({
      code: 'API_SESSION_001',
      message: 'Source is missing',
      title: 'Bad Request',
      status: 400,
    });
    expect((await login({ accessToken: 'wrong', source: 'ferry' })).status).toBe(401);
    const opened = await json<{ token: string; expiresIn: number }>(
      await login({ accessToken: emulator.accessToken, source: 'ferry' }),
    );
    expect(opened.expiresIn).toBe(3600);
    // The token is accepted bare and as a bearer token.
    expect((await api('/ledger', {}, opened.token)).status).toBe(200);
    expect((await api('/ledger', {}, `Bearer ${opened.token}`)).status).toBe(200);
    expect((await api('/session', { method: 'DELETE' }, opened.token)).status).toBe(204);
    const closed = await api('/ledger', {}, opened.token);
    expect(closed.status).toBe(401);
    expect(await closed.json()).toMatchObject({ code: 'API_SESSION_004' });
  });

  it('expires a session after its lifetime', async () => {
    await control('PUT', '/session-lifetime', { seconds: 0.2 });
    const short = await json<{ token: string }>(
      await login({ accessToken: emulator.accessToken, source: 'ferry' }),
    );
    expect((await api('/ledger', {}, short.token)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await api('/ledger', {}, short.token)).status).toBe(401);
    await control('PUT', '/session-lifetime', { seconds: 3600 });
  });

  it('lists mutations as summaries, `{ items, count }` by limit and offset, and the whole one by id', async () => {
    const first = await json<{ items: MutationSummary[]; count: number }>(await api('/mutation?limit=500'));
    expect(first.count).toBe(3000);
    expect(first.items.map((item) => item.id)).toEqual(Array.from({ length: 500 }, (_, n) => n + 1));
    const later = await json<{ items: MutationSummary[] }>(await api('/mutation?limit=10&offset=2990'));
    expect(later.items.map((item) => item.id)).toEqual(Array.from({ length: 10 }, (_, n) => 2991 + n));
    const whole = await json<Mutation>(await api('/mutation/1234'));
    expect(whole).toEqual(generateMutation(emulator.store.shape, 1233));
    expect(first.items[99]).toEqual(summaryOf(await json<Mutation>(await api('/mutation/100'))));
    expect((await api('/mutation?limit=2001')).status).toBe(400);
    expect((await api('/mutation/99999')).status).toBe(404);
  });

  it('filters by date in both spellings and by type, counting every match', async () => {
    const shapes = [
      '/mutation?limit=2000&date=[range]2022-01-01,2022-12-31',
      '/mutation?limit=2000&date[range]=2022-01-01,2022-12-31',
    ];
    const [a, b] = await Promise.all(
      shapes.map(async (path) => json<{ items: MutationSummary[]; count: number }>(await api(path))),
    );
    expect(a).toEqual(b);
    expect(a?.items.length).toBe(a?.count);
    expect(a?.items.every((item) => item.date >= '2022-01-01' && item.date <= '2022-12-31')).toBe(true);
    const all = Array.from({ length: 3000 }, (_, index) => generateMutation(emulator.store.shape, index));
    expect(a?.count).toBe(all.filter((m) => m.date >= '2022-01-01' && m.date <= '2022-12-31').length);
    const invoices = await json<{ items: MutationSummary[]; count: number }>(
      await api('/mutation?limit=5&type=2&date[gte]=2023-01-01'),
    );
    expect(invoices.count).toBe(all.filter((m) => m.type === 2 && m.date >= '2023-01-01').length);
    expect(invoices.items.every((item) => item.type === 2)).toBe(true);
  });

  it('serves ledgers, relations (one hidden on demand) and the outstanding invoices', async () => {
    const ledgers = await json<{ items: { id: number; category: string }[]; count: number }>(
      await api('/ledger?category=FIN'),
    );
    expect(ledgers.items.every((ledger) => ledger.category === 'FIN')).toBe(true);
    expect(ledgers.count).toBeGreaterThan(0);
    expect((await api(`/ledger/${ledgers.items[0]?.id}`)).status).toBe(200);
    const relation = await json<{ id: number; code: string }>(await api('/relation/7'));
    expect(relation).toMatchObject({ id: 7, code: 'REL00007' });
    await control('PUT', '/relations/7/missing', { missing: true });
    const hidden = await api('/relation/7');
    expect(hidden.status).toBe(404);
    expect(await hidden.json()).toMatchObject({ code: 'MUT_013' });
    await control('PUT', '/relations/7/missing', { missing: false });
    const open = await json<{ items: { openAmount: number }[]; count: number }>(
      await api('/mutation/invoice/outstanding?credDeb=D'),
    );
    expect(open.count).toBeGreaterThan(0);
    expect(open.items.every((invoice) => invoice.openAmount !== 0)).toBe(true);
  });

  it('books and edits mutations over time, and plays the `id: 0` quirk on demand', async () => {
    const booked = await json<{ ids: number[] }>(await control('POST', '/mutations', { count: 2 }));
    expect(booked.ids).toEqual([3001, 3002]);
    const today = new Date().toISOString().slice(0, 10);
    const recent = await json<{ items: MutationSummary[] }>(await api(`/mutation?date[gte]=${today}`));
    expect(recent.items.map((item) => item.id)).toEqual([3001, 3002]);
    const before = await json<Mutation>(await api('/mutation/10'));
    await control('POST', '/mutations/10/edit');
    const after = await json<Mutation>(await api('/mutation/10'));
    expect(after.description).toBe(`${before.description} (gewijzigd)`);
    await control('PUT', '/quirks', { idZero: true });
    const quirky = await json<{ items: MutationSummary[] }>(await api('/mutation?limit=3'));
    expect(quirky.items.map((item) => item.id)).toEqual([0, 0, 0]);
    await control('PUT', '/quirks', { idZero: false });
  });
});
