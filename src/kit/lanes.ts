/**
 * Each item through `work`, `lanes` at a time, in order of the items. The first failure stops every lane from
 * taking another item, and is thrown once the requests already in flight have ended: a chunk retried after it
 * must not read records whose requests are still on their way.
 */
export async function inLanes<T>(
  items: readonly T[],
  lanes: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const lane = async () => {
    for (let index = next++; index < items.length && !failed; index = next++) {
      try {
        await work(items[index] as T, index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const ended = await Promise.allSettled(Array.from({ length: Math.min(lanes, items.length) }, lane));
  const failure = ended.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) throw failure.reason;
}
