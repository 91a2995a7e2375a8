import { KeptValues, type ReadCache, type ReadOptions, WEIGHT_BUDGET } from './read-cache.js';

/** A database snapshot as text (`xmin:xmax:xip,…`) and the order in which it was asked for. */
interface Checkpoint {
  sequence: number;
  snapshot: string;
}

/**
 * Asks PostgreSQL for its current snapshot on behalf of every caller waiting at the moment the question
 * is sent: each caller's answer is taken after it asked, and callers arriving in the same turn of the
 * event loop share one round trip (issue 14).
 */
class Checkpoints {
  #waiting: { promise: Promise<Checkpoint>; settle: (checkpoint: Promise<Checkpoint>) => void } | undefined;
  #sent = 0;

  constructor(private readonly currentSnapshot: () => Promise<string>) {}

  next(): Promise<Checkpoint> {
    if (this.#waiting) return this.#waiting.promise;
    let settle!: (checkpoint: Promise<Checkpoint>) => void;
    const promise = new Promise<Checkpoint>((resolve) => {
      settle = resolve;
    });
    this.#waiting = { promise, settle };
    setImmediate(() => {
      const waiting = this.#waiting;
      this.#waiting = undefined;
      const sequence = ++this.#sent;
      waiting?.settle(this.currentSnapshot().then((snapshot) => ({ sequence, snapshot })));
    });
    return promise;
  }
}

/**
 * Reads kept across requests on PostgreSQL and still exact with any number of replicas (issue 14).
 * Each use first asks the database for its snapshot, one round trip shared by every request of the
 * same moment. A snapshot changes whenever any transaction of the cluster ends, and only then
 * (`xmax` grows or `xip` loses a member, never the reverse), so the snapshot a value was read at
 * still being the current one means nothing was committed since: a token rolled, disabled or deleted
 * through another replica is read afresh by this one's very next request. Any commit, here or
 * elsewhere in the cluster (another database too), drops every kept value.
 */
export class SnapshotCheckedReadCache implements ReadCache {
  readonly #values = new KeptValues(WEIGHT_BUDGET);
  /** The snapshot every kept value was read at or after, and which question gave it. */
  #keptAt: Checkpoint = { sequence: 0, snapshot: '' };
  readonly #checkpoints: Checkpoints;
  /** Loads in flight, by key: requests of the same snapshot share one (no stampede after a commit). */
  readonly #loading = new Map<string, { snapshot: string; value: Promise<object | undefined> }>();

  constructor(currentSnapshot: () => Promise<string>) {
    this.#checkpoints = new Checkpoints(currentSnapshot);
  }

  readNow<T extends object | undefined>(
    key: string,
    load: () => Promise<T>,
    options?: ReadOptions<T>,
  ): Promise<T> {
    return this.read(key, load, options);
  }

  async read<T extends object | undefined>(
    key: string,
    load: () => Promise<T>,
    options: ReadOptions<T> = {},
  ): Promise<T> {
    const checkpoint = await this.#checkpoints.next();
    if (checkpoint.snapshot !== this.#keptAt.snapshot) {
      // Answers can arrive out of order: an older question's different answer neither empties nor
      // replaces what a newer one established; its caller just reads without keeping.
      if (checkpoint.sequence < this.#keptAt.sequence) return load();
      this.#values.clear();
      this.#keptAt = checkpoint;
    }
    const kept = this.#values.get(key);
    if (kept !== undefined && (!options.fresh || options.fresh(kept.value as T))) return kept.value as T;
    const inFlight = this.#loading.get(key);
    // Started after a snapshot equal to this caller's: nothing was committed in between.
    if (inFlight !== undefined && inFlight.snapshot === checkpoint.snapshot) {
      const shared = (await inFlight.value) as T;
      if (!options.fresh || options.fresh(shared)) return shared;
      return load();
    }
    const loading = load();
    this.#loading.set(key, { snapshot: checkpoint.snapshot, value: loading });
    try {
      const value = await loading;
      // Read after the checkpoint; kept only while no newer snapshot has been seen since.
      if (value !== undefined && this.#keptAt === checkpoint) {
        this.#values.keep(key, { value, weight: Math.max(1, options.weight?.(value) ?? 1), version: 0 });
      }
      return value;
    } finally {
      if (this.#loading.get(key)?.value === loading) this.#loading.delete(key);
    }
  }
}
