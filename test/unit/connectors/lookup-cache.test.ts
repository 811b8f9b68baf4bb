import { describe, expect, it } from 'vitest';
import { LookupCache } from '../../../src/connectors/lookup-cache.js';

/** A loader that answers each key with its upper case, leaves out "gone", and records what it was asked. */
function loader() {
  const asked: string[][] = [];
  const load = async (missing: string[]) => {
    asked.push(missing);
    return new Map(missing.filter((key) => key !== 'gone').map((key) => [key, key.toUpperCase()]));
  };
  return { asked, load };
}

describe('LookupCache', () => {
  it('knows keys only once their values have arrived, a key the source lacks as null', async () => {
    const cache = new LookupCache();
    const { load } = loader();
    const loading = cache.getMany('relation', ['a', 'gone'], load);
    expect(cache.known('relation', ['a'])).toBeUndefined();
    await loading;
    expect(cache.known('relation', ['a', 'gone'])).toEqual(
      new Map([
        ['a', 'A'],
        ['gone', null],
      ]),
    );
    expect(cache.known('relation', ['a', 'b'])).toBeUndefined();
    // Kinds are apart: a ledger "a" is not the relation "a".
    expect(cache.known('ledger', ['a'])).toBeUndefined();
  });

  it('answers known keys without asking again, and asks only for the missing ones together', async () => {
    const cache = new LookupCache();
    const { asked, load } = loader();
    await cache.getMany('relation', ['a', 'b'], load);
    expect(await cache.getMany('relation', ['b', 'a'], load)).toEqual(
      new Map([
        ['b', 'B'],
        ['a', 'A'],
      ]),
    );
    await cache.getMany('relation', ['a', 'c', 'd'], load);
    expect(asked).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
  });

  it('forgets a failed load: the keys are not known and the next ask loads them again', async () => {
    const cache = new LookupCache();
    const { asked, load } = loader();
    await expect(
      cache.getMany('relation', ['a'], async () => {
        throw new Error('source down');
      }),
    ).rejects.toThrow('source down');
    expect(cache.known('relation', ['a'])).toBeUndefined();
    expect(await cache.getMany('relation', ['a'], load)).toEqual(new Map([['a', 'A']]));
    expect(asked).toEqual([['a']]);
  });
});
