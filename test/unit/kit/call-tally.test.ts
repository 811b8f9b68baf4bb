import { expect, it } from 'vitest';
import { unpacedSource } from '../../../src/connectors/source.js';
import { CallTally } from '../../../src/kit/fields/call-tally.js';

it('counts every attempt and every 429 under the endpoint of the phase it happens in', async () => {
  const tally = new CallTally();
  let slowedDown = 0;
  const source = { ...unpacedSource('neon', { kind: 'neon' }), onRateLimited: () => slowedDown++ };
  const counted = tally.count(source);
  await tally.during('search', async () => {
    await counted.beforeRequest();
    await counted.beforeRequest();
  });
  await tally.during('write', async () => {
    await Promise.all([counted.beforeRequest(), counted.beforeRequest(), counted.beforeRequest()]);
    counted.onRateLimited();
    await counted.beforeRequest(); // the 429's retry is a call of its own
  });
  expect(Object.fromEntries(tally.byEndpoint)).toEqual({
    search: { calls: 2, rateLimited: 0 },
    write: { calls: 4, rateLimited: 1 },
  });
  // The source still learns of the 429 (its pace slows down).
  expect(slowedDown).toBe(1);
});

it('counts a request that had to wait for the source’s pace once its wait is over, under its phase', async () => {
  const tally = new CallTally();
  let release = () => undefined as void;
  const paced = {
    ...unpacedSource('neon', { kind: 'neon' }),
    beforeRequest: () =>
      new Promise<void>((resolve) => {
        release = resolve;
      }),
  };
  const counted = tally.count(paced);
  await tally.during('read', async () => {
    const waiting = counted.beforeRequest();
    expect(waiting).toBeInstanceOf(Promise);
    expect(tally.byEndpoint.get('read')).toBeUndefined();
    release();
    await waiting;
  });
  expect(Object.fromEntries(tally.byEndpoint)).toEqual({ read: { calls: 1, rateLimited: 0 } });
});
