/**
 * A run's memory of a source's lookups (an item's manufacturer): each key is asked once per run, even when a
 * chunk asks for it from several requests at once. A failed lookup is forgotten, so a retry asks again.
 */
export class LookupCache {
  private readonly entries = new Map<string, Promise<unknown>>();

  get<T>(key: string, load: () => Promise<T>): Promise<T> {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = load();
      this.entries.set(key, entry);
      entry.catch(() => this.entries.delete(key));
    }
    return entry as Promise<T>;
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
