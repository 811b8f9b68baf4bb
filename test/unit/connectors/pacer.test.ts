import { describe, expect, it } from 'vitest';
import { RequestPacer } from '../../../src/connectors/pacer.js';

describe('RequestPacer', () => {
  it('gives requests that ask together a slot each, never one before its own', async () => {
    const pacer = new RequestPacer(1200); // a slot every 50 ms
    const started = Date.now();
    const startedAt: number[] = [];
    await Promise.all(
      Array.from({ length: 5 }, async (_, index) => {
        await pacer.take();
        startedAt[index] = Date.now() - started;
      }),
    );
    // The fifth slot starts 200 ms on: asked together, the requests used to wait for one slot and all go at once.
    startedAt.forEach((at, index) => {
      expect(at).toBeGreaterThanOrEqual(index * 50 - 1);
    });
    // settle() waits out the last request's slot, however late the fifth request's timer fired.
    await pacer.settle();
    expect(Date.now() - started).toBeGreaterThanOrEqual(249);
  });

  it('makes no promise without a pace', () => {
    expect(new RequestPacer(null).take()).toBeUndefined();
  });
});
