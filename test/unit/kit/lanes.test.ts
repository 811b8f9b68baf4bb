import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { inLanes } from '../../../src/kit/lanes.js';

it('stops taking items at the first failure and throws it only once the work in flight has ended', async () => {
  const started: number[] = [];
  const ended: number[] = [];
  const run = inLanes([0, 1, 2, 3, 4, 5, 6, 7], 3, async (item) => {
    started.push(item);
    if (item === 0) throw new Error('item 0 failed');
    await sleep(30);
    ended.push(item);
  });
  await expect(run).rejects.toThrow('item 0 failed');
  // Items 1 and 2 were in flight when item 0 failed: they ended before the failure was thrown, and no lane
  // took another item after it.
  expect(ended.sort()).toEqual([1, 2]);
  expect(started.sort()).toEqual([0, 1, 2]);
});

it('runs every item, at most `lanes` at a time', async () => {
  let inFlight = 0;
  let most = 0;
  const done: number[] = [];
  await inLanes([...Array(10).keys()], 4, async (item, index) => {
    inFlight++;
    most = Math.max(most, inFlight);
    await sleep(5);
    done[index] = item;
    inFlight--;
  });
  expect(done).toEqual([...Array(10).keys()]);
  expect(most).toBe(4);
});
