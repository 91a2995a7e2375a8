/**
 * Reads kept in memory while nothing has been written (DESIGN, "Performance": no SQL on the
 * authentication path for a cached token). A cached value is dropped by the first write of any kind,
 * so a disabled, rolled or deleted token, or an edited user, is read afresh on the very next request.
 */
export interface ReadCache {
  /**
   * `load()`'s result, reused until the next write; `undefined` is never kept. Callers must not mutate
   * the result.
   */
  read<T extends object | undefined>(
    key: string,
    load: () => Promise<T>,
    options?: ReadOptions<T>,
  ): Promise<T>;
  /**
   * The same as `read`, but a kept value comes back at once rather than in a promise: the
   * authentication path runs on every request and takes no promise turn for a cached credential.
   */
  readNow<T extends object | undefined>(
    key: string,
    load: () => Promise<T>,
    options?: ReadOptions<T>,
  ): T | Promise<T>;
}

export interface ReadOptions<T> {
  /** How much of the cache's budget the value takes (a page of 100 audit entries weighs 100); 1 when absent. */
  weight?: (value: T) => number;
  /** For a value that time can change (expiry): false once it must be read again. */
  fresh?: (value: T) => boolean;
}

/** Every read goes to the store: for PostgreSQL, where other replicas write too. */
export const uncachedReads: ReadCache = { read: (_key, load) => load(), readNow: (_key, load) => load() };

/** About one token, user or audit entry per unit: tens of megabytes at the most. */
const WEIGHT_BUDGET = 20_000;

/**
 * Valid only where this process sees every write (SQLite: one process, one connection). `writeCount`
 * grows after each write statement runs; a read counts as current when no write ran between the
 * moment it started and the moment it is used. A write that lands while a read is in flight therefore
 * keeps that read's result out of the cache. Over budget, the oldest entries go first.
 */
export class WriteCountedReadCache implements ReadCache {
  readonly #entries = new Map<string, { value: object; weight: number }>();
  #weight = 0;
  #entriesAtWriteCount = 0;

  constructor(private readonly writeCount: () => number) {}

  async read<T extends object | undefined>(
    key: string,
    load: () => Promise<T>,
    options: ReadOptions<T> = {},
  ): Promise<T> {
    return this.readNow(key, load, options);
  }

  readNow<T extends object | undefined>(
    key: string,
    load: () => Promise<T>,
    options: ReadOptions<T> = {},
  ): T | Promise<T> {
    const startedAt = this.writeCount();
    if (startedAt !== this.#entriesAtWriteCount) {
      this.#entries.clear();
      this.#weight = 0;
      this.#entriesAtWriteCount = startedAt;
    }
    const cached = this.#entries.get(key);
    if (cached !== undefined) {
      if (!options.fresh || options.fresh(cached.value as T)) return cached.value as T;
      this.#entries.delete(key);
      this.#weight -= cached.weight;
    }
    return this.#load(key, load, startedAt, options.weight ?? (() => 1));
  }

  async #load<T extends object | undefined>(
    key: string,
    load: () => Promise<T>,
    startedAt: number,
    weight: (value: T) => number,
  ): Promise<T> {
    const value = await load();
    if (value !== undefined && this.writeCount() === startedAt && this.#entriesAtWriteCount === startedAt) {
      this.#keep(key, value, Math.max(1, weight(value)));
    }
    return value;
  }

  #keep(key: string, value: object, weight: number): void {
    if (weight > WEIGHT_BUDGET || this.#entries.has(key)) return;
    for (const [oldest, entry] of this.#entries) {
      if (this.#weight + weight <= WEIGHT_BUDGET) break;
      this.#entries.delete(oldest);
      this.#weight -= entry.weight;
    }
    this.#entries.set(key, { value, weight });
    this.#weight += weight;
  }
}
