/** A key's value on its way, and the value itself once it has arrived. */
interface Entry {
  loading: Promise<unknown>;
  arrived: boolean;
  value?: unknown;
}

/**
 * A run's memory of a source's lookups (an item's manufacturer): each key is asked once per run, even when two
 * chunks ask for it at once. A failed lookup is forgotten, so a retry asks again.
 */
export class LookupCache {
  private readonly entries = new Map<string, Entry>();

  /**
   * Values for many keys of one kind, the missing ones loaded together by one call of `loadMissing` (which
   * answers with the values it found; a key it leaves out has the value null).
   */
  async getMany<T>(
    kind: string,
    keys: readonly string[],
    loadMissing: (missing: string[]) => Promise<Map<string, T>>,
  ): Promise<Map<string, T | null>> {
    const known = this.known<T>(kind, keys);
    if (known) return known;
    const missing = [...new Set(keys)].filter((key) => !this.entries.has(`${kind}:${key}`));
    if (missing.length > 0) {
      const batch = loadMissing(missing);
      for (const key of missing) {
        const entry: Entry = { loading: batch.then((found) => found.get(key) ?? null), arrived: false };
        this.entries.set(`${kind}:${key}`, entry);
        entry.loading.then(
          (value) => {
            entry.value = value;
            entry.arrived = true;
          },
          () => this.entries.delete(`${kind}:${key}`),
        );
      }
    }
    const values = await Promise.all(
      keys.map(
        async (key) => [key, (await this.entries.get(`${kind}:${key}`)?.loading) as T | null] as const,
      ),
    );
    return new Map(values);
  }

  /**
   * Values for these keys of one kind when every one has arrived already, at once and without a request; undefined
   * when any is missing or still on its way (getMany then asks for them).
   */
  known<T>(kind: string, keys: Iterable<string>): Map<string, T | null> | undefined {
    const values = new Map<string, T | null>();
    for (const key of keys) {
      const entry = this.entries.get(`${kind}:${key}`);
      if (!entry?.arrived) return undefined;
      values.set(key, entry.value as T | null);
    }
    return values;
  }
}

/**
 * One LookupCache per workflow run, in the worker: a run's chunks share it, and a new run (the next scheduled
 * sync) starts empty, so a manufacturer changed at the source is read again. The least recently used runs are
 * dropped past `capacity`; a chunk that lands on another worker just looks up again.
 */
export class RunLookupCaches {
  private readonly caches = new Map<string, LookupCache>();

  constructor(private readonly capacity = 64) {}

  forRun(runId: string): LookupCache {
    const cache = this.caches.get(runId) ?? new LookupCache();
    this.caches.delete(runId);
    this.caches.set(runId, cache);
    for (const oldest of this.caches.keys()) {
      if (this.caches.size <= this.capacity) break;
      this.caches.delete(oldest);
    }
    return cache;
  }
}
