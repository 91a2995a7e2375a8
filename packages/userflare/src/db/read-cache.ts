import type { Database } from './database.js';

/**
 * Reads kept in memory while nothing they depend on has been written (DESIGN, "Performance": no SQL
 * on the authentication path for a cached token). By default a cached value is dropped by the first
 * write of any kind; a value that names its tables is dropped by the first write that may change
 * them. Either way a disabled, rolled or deleted token, or an edited user, is read afresh on the very
 * next request.
 */
export interface ReadCache {
  /**
   * `load()`'s result, reused until a write may have changed it; `undefined` is never kept. Callers
   * must not mutate the result.
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
  /**
   * A point in time to pass back as `ReadOptions.after`: taken when a request arrives, it lets that
   * request's later reads rely on a check of the store made since (PostgreSQL's exact cache).
   */
  mark(): number;
  /**
   * How many reads a kept value served and how many loaded: plain counts, read when metrics are
   * scraped (`modules/metrics`), never per request. Absent where nothing is ever kept.
   */
  counts?(): ReadCounts;
}

/** A read cache's counts since it was made; they only grow. */
export interface ReadCounts {
  /** Reads served without a load of their own: a kept value, or a load in flight shared. */
  hits: number;
  /** Reads that loaded from the store. */
  misses: number;
  /** Round trips asking PostgreSQL for its snapshot (`SnapshotCheckedReadCache` only). */
  snapshotChecks?: number;
}

export type TableName = keyof Database;

/** Whether a write with `effect` may change a value read with `scope` (see `ReadScope`). */
export function mayChange(effect: WriteEffect, scope: ReadScope): boolean {
  if (effect.kind === 'any' || scope.tables === undefined) return true;
  if (effect.kind === 'insert' && scope.rowsByKey) return false;
  return (scope.tables as readonly string[]).includes(effect.table);
}

/** Which writes drop a kept value: any write, unless it names its tables. */
export interface ReadScope {
  /**
   * Every table `load` reads. When given, a write to another table keeps the value; when absent, any
   * write drops it. A table left out here would let a stale value through: name them all.
   */
  tables?: readonly TableName[];
  /**
   * The value is rows found by key (a token by its hash, with its owner), not a list or a count: an
   * insert adds rows but changes none, so only updates and deletes drop it. Needs `tables`.
   */
  rowsByKey?: boolean;
}

export interface ReadOptions<T> extends ReadScope {
  /**
   * `mark()` as the request arrived: a check of the store made after it serves this read too. Only
   * for a request that has written nothing: its own write may be newer than that check.
   */
  after?: number;
  /** How much of the cache's budget the value takes (a page of 100 audit entries weighs 100); 1 when absent. */
  weight?: (value: T) => number;
  /** For a value that time can change (expiry): false once it must be read again. */
  fresh?: (value: T) => boolean;
}

/** Every read goes to the store: for PostgreSQL, where other replicas write too. */
export const uncachedReads: ReadCache = {
  read: (_key, load) => load(),
  readNow: (_key, load) => load(),
  mark: () => 0,
};

/** What one write statement may change, as far as the cache is concerned. */
export type WriteEffect =
  /** A plain insert: adds rows to one table and changes none. */
  | { kind: 'insert'; table: string }
  /** An update, or an insert that updates on conflict: changes rows of one table only. */
  | { kind: 'change'; table: string }
  /**
   * Anything else: a delete (foreign keys cascade it to other tables), an `insert or replace` (a
   * delete too), a schema change, a statement not recognised.
   */
  | { kind: 'any' };

const INSERT = /^\s*insert\s+into\s+"?([a-z_][a-z0-9_]*)"?[\s(]/i;
const UPDATE = /^\s*update\s+"?([a-z_][a-z0-9_]*)"?\s+set\s/i;
const ON_CONFLICT = /\son\s+conflict\b/i;

/**
 * Reads a write statement's effect from its SQL text. The schema has no triggers and no `on update`
 * foreign key actions (migrations), so an insert or an update touches only the table it names.
 */
export function writeEffectOf(sqlText: string): WriteEffect {
  const inserted = INSERT.exec(sqlText);
  if (inserted?.[1]) {
    return { kind: ON_CONFLICT.test(sqlText) ? 'change' : 'insert', table: inserted[1].toLowerCase() };
  }
  const updated = UPDATE.exec(sqlText);
  if (updated?.[1]) return { kind: 'change', table: updated[1].toLowerCase() };
  return { kind: 'any' };
}

/**
 * The writes this process has made, counted so a cached read can tell whether one landed since: each
 * count only grows, so an unchanged sum means no write that matters.
 */
export class WriteCounters {
  #writes = 0;
  #anyTable = 0;
  readonly #changes = new Map<string, number>();
  readonly #inserts = new Map<string, number>();

  record(effect: WriteEffect): void {
    this.#writes++;
    if (effect.kind === 'any') {
      this.#anyTable++;
      return;
    }
    const counts = effect.kind === 'insert' ? this.#inserts : this.#changes;
    counts.set(effect.table, (counts.get(effect.table) ?? 0) + 1);
  }

  /** Grows with every write statement. */
  get writes(): number {
    return this.#writes;
  }

  /** Grows with every write that may change any table (see `WriteEffect`). */
  get anyTableWrites(): number {
    return this.#anyTable;
  }

  /** Grows with every write that may change what a read of `tables` found (see `ReadOptions`). */
  versionOf(tables: readonly string[], rowsByKey: boolean): number {
    let version = this.#anyTable;
    for (const table of tables) {
      version += this.#changes.get(table) ?? 0;
      if (!rowsByKey) version += this.#inserts.get(table) ?? 0;
    }
    return version;
  }
}

/** About one token, user or audit entry per unit: tens of megabytes at the most. */
export const WEIGHT_BUDGET = 20_000;
/** Values that name their tables: credentials and membership lists, a unit each. */
const TABLE_SCOPED_BUDGET = 10_000;

interface Kept {
  value: object;
  weight: number;
  /** The write count, or the tables' version, the value was read at. */
  version: number;
  /** What writes drop it, where the cache looks at writes one by one (`SnapshotCheckedReadCache`). */
  scope?: ReadScope;
}

/** Values under a weight budget; over it, the oldest go first, and nothing heavier than it is kept. */
export class KeptValues {
  readonly #entries = new Map<string, Kept>();
  #weight = 0;

  constructor(private readonly budget: number) {}

  get(key: string): Kept | undefined {
    return this.#entries.get(key);
  }

  delete(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    this.#weight -= entry.weight;
  }

  clear(): void {
    this.#entries.clear();
    this.#weight = 0;
  }

  deleteWhere(stale: (entry: Kept) => boolean): void {
    for (const [key, entry] of this.#entries) if (stale(entry)) this.delete(key);
  }

  keep(key: string, entry: Kept): void {
    if (entry.weight > this.budget) return;
    this.delete(key);
    for (const [oldest, kept] of this.#entries) {
      if (this.#weight + entry.weight <= this.budget) break;
      this.#entries.delete(oldest);
      this.#weight -= kept.weight;
    }
    this.#entries.set(key, entry);
    this.#weight += entry.weight;
  }
}

/**
 * Valid only where this process sees every write (SQLite: one process, one connection). Each write
 * statement is counted after it runs; a read counts as current when no write that matters ran between
 * the moment it started and the moment it is used, so a write that lands while a read is in flight
 * keeps that read's result out of the cache.
 */
export class WriteCountedReadCache implements ReadCache {
  /** Values without tables: all dropped at once by the first write after they were read. */
  readonly #untilAnyWrite = new KeptValues(WEIGHT_BUDGET);
  #untilAnyWriteAt = 0;
  /**
   * Values with tables: each checked against its tables' version when used, and all dropped at once by
   * a write that may change any table, so values a delete made stale do not wait for eviction.
   */
  readonly #untilTablesWritten = new KeptValues(TABLE_SCOPED_BUDGET);
  #untilTablesWrittenAt = 0;
  #hits = 0;
  #misses = 0;

  /**
   * `trusted`: whether `counters` hear of every write right now; while it says no, nothing is kept or
   * reused (PostgreSQL's notify mode, its listening connection down).
   */
  constructor(
    private readonly counters: WriteCounters,
    private readonly trusted: () => boolean = () => true,
  ) {}

  async read<T extends object | undefined>(
    key: string,
    load: () => Promise<T>,
    options: ReadOptions<T> = {},
  ): Promise<T> {
    return this.readNow(key, load, options);
  }

  /** Every write is counted as it happens here: no check to rely on. */
  mark(): number {
    return 0;
  }

  counts(): ReadCounts {
    return { hits: this.#hits, misses: this.#misses };
  }

  readNow<T extends object | undefined>(
    key: string,
    load: () => Promise<T>,
    options: ReadOptions<T> = {},
  ): T | Promise<T> {
    if (!this.trusted()) {
      this.#misses++;
      return load();
    }
    const version = this.#versionFor(options);
    const values = this.#valuesFor(options, version);
    const cached = values.get(key);
    if (cached !== undefined) {
      if (cached.version === version && (!options.fresh || options.fresh(cached.value as T))) {
        this.#hits++;
        return cached.value as T;
      }
      values.delete(key);
    }
    this.#misses++;
    return this.#load(key, load, options, version);
  }

  #versionFor(scope: ReadScope): number {
    return scope.tables
      ? this.counters.versionOf(scope.tables, scope.rowsByKey ?? false)
      : this.counters.writes;
  }

  #valuesFor(scope: ReadScope, version: number): KeptValues {
    if (scope.tables) {
      const anyTableWrites = this.counters.anyTableWrites;
      if (anyTableWrites !== this.#untilTablesWrittenAt) {
        this.#untilTablesWritten.clear();
        this.#untilTablesWrittenAt = anyTableWrites;
      }
      return this.#untilTablesWritten;
    }
    if (version !== this.#untilAnyWriteAt) {
      this.#untilAnyWrite.clear();
      this.#untilAnyWriteAt = version;
    }
    return this.#untilAnyWrite;
  }

  async #load<T extends object | undefined>(
    key: string,
    load: () => Promise<T>,
    options: ReadOptions<T>,
    startedAt: number,
  ): Promise<T> {
    const value = await load();
    if (value !== undefined && this.#versionFor(options) === startedAt) {
      const weight = Math.max(1, options.weight?.(value) ?? 1);
      this.#valuesFor(options, startedAt).keep(key, { value, weight, version: startedAt });
    }
    return value;
  }
}
