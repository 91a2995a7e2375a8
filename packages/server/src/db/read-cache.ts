/**
 * Reads kept in memory while nothing has been written (DESIGN, "Performance": no SQL on the
 * authentication path for a cached token). A cached value is dropped by the first write of any kind,
 * so a disabled, rolled or deleted token, or an edited user, is read afresh on the very next request.
 */
export interface ReadCache {
  /** `load()`'s result, reused until the next write; `undefined` is never kept. Callers must not mutate it. */
  read<T extends object | undefined>(key: string, load: () => Promise<T>): Promise<T>;
}

/** Every read goes to the store: for PostgreSQL, where other replicas write too. */
export const uncachedReads: ReadCache = { read: (_key, load) => load() };

const ENTRY_LIMIT = 10_000;

/**
 * Valid only where this process sees every write (SQLite: one process, one connection). `writeCount`
 * grows after each write statement runs; a read counts as current when no write ran between the
 * moment it started and the moment it is used. A write that lands while a read is in flight therefore
 * keeps that read's result out of the cache.
 */
export class WriteCountedReadCache implements ReadCache {
  readonly #entries = new Map<string, object>();
  #entriesAtWriteCount = 0;

  constructor(private readonly writeCount: () => number) {}

  async read<T extends object | undefined>(key: string, load: () => Promise<T>): Promise<T> {
    const startedAt = this.writeCount();
    if (startedAt !== this.#entriesAtWriteCount) {
      this.#entries.clear();
      this.#entriesAtWriteCount = startedAt;
    }
    const cached = this.#entries.get(key) as T | undefined;
    if (cached !== undefined) return cached;
    const value = await load();
    if (value !== undefined && this.writeCount() === startedAt && this.#entriesAtWriteCount === startedAt) {
      if (this.#entries.size >= ENTRY_LIMIT) this.#entries.clear();
      this.#entries.set(key, value);
    }
    return value;
  }
}
