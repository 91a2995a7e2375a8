import {
  KeptValues,
  mayChange,
  type ReadCache,
  type ReadCounts,
  type ReadOptions,
  WEIGHT_BUDGET,
  type WriteEffect,
} from './read-cache.js';

interface ParsedSnapshot {
  xmax: bigint;
  running: Set<bigint>;
}

/** `xmin:xmax:xip,…` (`pg_current_snapshot()`, 64-bit transaction ids). */
function parseSnapshot(text: string): ParsedSnapshot | undefined {
  const [, xmax, xip] = text.split(':');
  if (xmax === undefined || xip === undefined) return undefined;
  return { xmax: BigInt(xmax), running: new Set(xip === '' ? [] : xip.split(',').map(BigInt)) };
}

/** More transactions ended between two snapshots than this: not worth looking at one by one. */
const ENDED_LIMIT = 256;

/**
 * The transactions that ended between snapshot `from` and the later `to`: those running at `from`
 * and no longer at `to`, and those that started after `from` (ids from its `xmax`) and are not
 * running at `to`. Undefined when too many to list.
 */
function endedBetween(from: ParsedSnapshot, to: ParsedSnapshot): bigint[] | undefined {
  if (to.xmax - from.xmax > BigInt(ENDED_LIMIT)) return undefined;
  const ended: bigint[] = [];
  for (const id of from.running) if (!to.running.has(id)) ended.push(id);
  for (let id = from.xmax; id < to.xmax; id++) if (!to.running.has(id)) ended.push(id);
  return ended;
}

/** A database snapshot as text (`xmin:xmax:xip,…`) and the order in which it was asked for. */
interface Checkpoint {
  sequence: number;
  snapshot: string;
}

/**
 * Asks PostgreSQL for its current snapshot on behalf of every caller waiting at the moment the question
 * is sent: each caller's answer is taken after it asked. One question is in flight at a time; callers
 * arriving meanwhile wait for the next, sent as soon as it returns, so the busier the server, the more
 * requests share one round trip (issue 14).
 */
class Checkpoints {
  #waiting: { promise: Promise<Checkpoint>; settle: (checkpoint: Promise<Checkpoint>) => void } | undefined;
  #inFlight = false;
  #sent = 0;
  /** The latest answer: it serves every caller that asked before its question was sent. */
  latest: Checkpoint = { sequence: 0, snapshot: '' };

  /** How many questions have been sent: an answer to a later one was taken after this moment. */
  get sent(): number {
    return this.#sent;
  }

  constructor(private readonly currentSnapshot: () => Promise<string>) {}

  next(): Promise<Checkpoint> {
    if (this.#waiting) return this.#waiting.promise;
    let settle!: (checkpoint: Promise<Checkpoint>) => void;
    const promise = new Promise<Checkpoint>((resolve) => {
      settle = resolve;
    });
    this.#waiting = { promise, settle };
    if (!this.#inFlight) setImmediate(() => this.#ask());
    return promise;
  }

  #ask(): void {
    const waiting = this.#waiting;
    if (waiting === undefined || this.#inFlight) return;
    this.#waiting = undefined;
    this.#inFlight = true;
    const sequence = ++this.#sent;
    const answer = this.currentSnapshot().then((snapshot) => {
      const checkpoint = { sequence, snapshot };
      if (sequence > this.latest.sequence) this.latest = checkpoint;
      return checkpoint;
    });
    waiting.settle(answer);
    const askAgain = () => {
      this.#inFlight = false;
      this.#ask();
    };
    answer.then(askAgain, askAgain);
  }
}

/**
 * Reads kept across requests on PostgreSQL and still exact with any number of replicas (issue 14).
 * Each use first asks the database for its snapshot, one round trip shared by every request of the
 * same moment. A snapshot changes whenever any transaction of the cluster ends, and only then
 * (`xmax` grows or `xip` loses a member, never the reverse), so the snapshot a value was read at
 * still being the current one means nothing was committed since: a token rolled, disabled or deleted
 * through another replica is read afresh by this one's very next request. A commit of this process
 * drops what its writes may change (see `ownWrite`); any other, elsewhere in the cluster (another
 * database too), drops every kept value.
 */
export class SnapshotCheckedReadCache implements ReadCache {
  readonly #values = new KeptValues(WEIGHT_BUDGET);
  /** The snapshot every kept value was read at or after, and which question gave it. */
  #keptAt: Checkpoint = { sequence: 0, snapshot: '' };
  readonly #checkpoints: Checkpoints;
  /** Loads in flight, by key: requests of the same snapshot share one (no stampede after a commit). */
  readonly #loading = new Map<string, { snapshot: string; value: Promise<object | undefined> }>();
  /** This process's own recent transactions, by id, with what they wrote. */
  readonly #ownWrites = new Map<bigint, readonly WriteEffect[]>();
  #hits = 0;
  #misses = 0;

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
    const { latest } = this.#checkpoints;
    // A request's reads after its first: the snapshot asked for since it arrived will do.
    const checkpoint =
      options.after !== undefined && latest.sequence > options.after
        ? latest
        : await this.#checkpoints.next();
    if (checkpoint.snapshot !== this.#keptAt.snapshot) {
      // Answers can arrive out of order: an older question's different answer neither empties nor
      // replaces what a newer one established; its caller just reads without keeping.
      if (checkpoint.sequence < this.#keptAt.sequence) {
        this.#misses++;
        return load();
      }
      this.#advance(checkpoint);
    }
    const kept = this.#values.get(key);
    if (kept !== undefined && (!options.fresh || options.fresh(kept.value as T))) {
      this.#hits++;
      return kept.value as T;
    }
    const inFlight = this.#loading.get(key);
    // Started after a snapshot equal to this caller's: nothing was committed in between.
    if (inFlight !== undefined && inFlight.snapshot === checkpoint.snapshot) {
      const shared = (await inFlight.value) as T;
      if (!options.fresh || options.fresh(shared)) {
        this.#hits++;
        return shared;
      }
      this.#misses++;
      return load();
    }
    this.#misses++;
    const loading = load();
    this.#loading.set(key, { snapshot: checkpoint.snapshot, value: loading });
    try {
      const value = await loading;
      // Read after the checkpoint; kept only while no newer snapshot has been seen since.
      if (value !== undefined && this.#keptAt.snapshot === checkpoint.snapshot) {
        const weight = Math.max(1, options.weight?.(value) ?? 1);
        this.#values.keep(key, { value, weight, version: 0, scope: options });
      }
      return value;
    } finally {
      if (this.#loading.get(key)?.value === loading) this.#loading.delete(key);
    }
  }

  mark(): number {
    return this.#checkpoints.sent;
  }

  counts(): ReadCounts {
    return { hits: this.#hits, misses: this.#misses, snapshotChecks: this.#checkpoints.sent };
  }

  /**
   * A transaction of this process committed (or ended) as `id` with these writes. When every
   * transaction that ended between two snapshots is one of these, the cache moves to the later
   * snapshot dropping only what those writes may change, as on SQLite: a token create keeps the
   * caller's credential (issue 14). Anything else ending in between drops every kept value.
   */
  ownWrite(id: string, effects: readonly WriteEffect[]): void {
    if (this.#ownWrites.size >= ENDED_LIMIT * 4) this.#ownWrites.clear();
    this.#ownWrites.set(BigInt(id), effects);
  }

  #advance(checkpoint: Checkpoint): void {
    const from = parseSnapshot(this.#keptAt.snapshot);
    const to = parseSnapshot(checkpoint.snapshot);
    const ended = from && to ? endedBetween(from, to) : undefined;
    const effects = ended?.map((id) => this.#ownWrites.get(id));
    this.#keptAt = checkpoint;
    if (effects === undefined || effects.some((known) => known === undefined)) {
      this.#values.clear();
      return;
    }
    const written = (effects as (readonly WriteEffect[])[]).flat();
    this.#values.deleteWhere((entry) => written.some((effect) => mayChange(effect, entry.scope ?? {})));
    for (const id of ended ?? []) this.#ownWrites.delete(id);
  }
}
