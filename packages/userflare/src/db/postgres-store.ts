import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
import type pg from 'pg';
import type { PostgresStoreConfig } from '../config.js';
import type { CommitTogether, Db } from './database.js';
import {
  type ReadCache,
  uncachedReads,
  WriteCountedReadCache,
  type WriteEffect,
  writeEffectOf,
} from './read-cache.js';
import { SnapshotCheckedReadCache } from './snapshot-checked-reads.js';
import { classifyStoreError } from './store-errors.js';
import { WriteNotifications } from './write-notifications.js';

/** Named: parsed once per connection, as it runs once per request (issue 14). */
const CURRENT_SNAPSHOT = {
  name: 'userflare_snapshot',
  text: 'select pg_current_snapshot()::text as snapshot',
};

/**
 * Beyond this many distinct SQL texts, further ones run unnamed: a text that varies (an `in` list of
 * any length) must not prepare a statement per variant on every connection.
 */
const NAMED_STATEMENT_LIMIT = 1_000;
const statementNames = new Map<string, string>();

/**
 * Each SQL text Kysely sends gets a name of its own, so that every pooled connection parses and plans
 * it once instead of on every query: unnamed statements were parsed anew each time (issue 14). Names
 * are never reused for another text, as `pg` refuses that on a connection that prepared the first.
 */
function named(text: string, values: readonly unknown[]): pg.QueryConfig {
  let name = statementNames.get(text);
  if (name === undefined && statementNames.size < NAMED_STATEMENT_LIMIT) {
    name = `userflare_${statementNames.size + 1}`;
    statementNames.set(text, name);
  }
  return name === undefined ? { text, values: [...values] } : { name, text, values: [...values] };
}

const BEGUN = { command: 'BEGIN', rowCount: null, rows: [] };
const READ = /^\s*select\b/i;

/**
 * Where committed writes go: the notify mode's counters, or the exact cache, which needs the
 * transaction's id (undefined for a statement outside a transaction) to recognise it in a snapshot.
 */
type RecordWrites = (effects: readonly WriteEffect[], transactionId: string | undefined) => void;

const TRANSACTION_ID = 'select pg_current_xact_id_if_assigned()::text as id';

/**
 * Kysely's pool, with three changes: statements are named (see `named`); a transaction's `begin` is
 * not waited for, as the connections pipeline (`pg`'s `pipeline` mode) and it leaves with the
 * transaction's first statement (should it fail, the connection is broken and that statement fails
 * with it); and each write's effect goes to `recordWrites` once it has committed, the transaction's
 * id asked for in the same round trip as the commit.
 */
function preparingPool(pool: pg.Pool, recordWrites: RecordWrites): PostgresPool {
  return {
    connect: async () => {
      const client = await pool.connect();
      /** The writes of the open transaction, recorded at its commit. */
      let uncommitted: WriteEffect[] | undefined;
      return {
        query: (text: string, values: readonly unknown[]) => {
          if (text === 'begin') {
            uncommitted = [];
            client.query(text).catch(() => {});
            return Promise.resolve(BEGUN);
          }
          if (text === 'commit' && uncommitted !== undefined && uncommitted.length > 0) {
            const effects = uncommitted;
            uncommitted = undefined;
            const [id, committed] = inOneWrite(client, () => [
              client.query<{ id: string | null }>(named(TRANSACTION_ID, [])),
              client.query(named(text, values)),
            ]);
            return Promise.all([id, committed]).then(([{ rows }, result]) => {
              if (result.command !== 'ROLLBACK') recordWrites(effects, rows[0]?.id ?? undefined);
              return result;
            });
          }
          const answer = client.query(named(text, values));
          // Kysely's `begin` with an isolation level: waited for, and its writes recorded at commit too.
          if (text.startsWith('start transaction')) {
            uncommitted = [];
            return answer;
          }
          if (text === 'commit' || text === 'rollback') {
            uncommitted = undefined;
            return answer;
          }
          if (READ.test(text)) return answer;
          const effect = writeEffectOf(text);
          if (uncommitted !== undefined) {
            uncommitted.push(effect);
            return answer;
          }
          return answer.finally(() => recordWrites([effect], undefined));
        },
        release: (destroy?: boolean) => client.release(destroy),
      } as unknown as PostgresPoolClient;
    },
    end: () => pool.end(),
  };
}

/**
 * Runs `send` with the connection's socket corked: a pipelined client writes each query as soon as it
 * is made, one system call apiece (a quarter of a token create's CPU time), and corked they leave in
 * one. `pg` corks the same way around the messages of one query; its socket is not public API, hence
 * the check.
 */
function inOneWrite<T>(client: pg.PoolClient, send: () => T): T {
  const socket = (client as unknown as { connection?: { stream?: { cork?(): void; uncork?(): void } } })
    .connection?.stream;
  socket?.cork?.();
  try {
    return send();
  } finally {
    socket?.uncork?.();
  }
}

/**
 * Sends `begin`, the statements and `commit` at once on one pipelined connection and waits for every
 * answer. A failing statement aborts the transaction (the `commit` then answers `ROLLBACK`) and is
 * what the caller gets.
 */
function committingTogether(pool: pg.Pool, recordWrites: RecordWrites): CommitTogether {
  return async (statements) => {
    const client = await pool.connect();
    let broken = false;
    try {
      const answers = inOneWrite(client, () => [
        client.query(named('begin', [])),
        ...statements.map((statement) => client.query(named(statement.sql, statement.parameters))),
        client.query<{ id: string | null }>(named(TRANSACTION_ID, [])),
        client.query(named('commit', [])),
      ]);
      const settled = await Promise.allSettled(answers);
      const failure = settled.find((answer) => answer.status === 'rejected');
      if (failure) {
        broken = classifyStoreError(failure.reason) === 'unavailable';
        throw failure.reason;
      }
      const id = settled.at(-2);
      recordWrites(
        statements.map((statement) => writeEffectOf(statement.sql)),
        id?.status === 'fulfilled' ? (id.value.rows[0]?.id ?? undefined) : undefined,
      );
    } finally {
      client.release(broken);
    }
  };
}

/** The connection pool's state, read when metrics are scraped. */
export interface PoolStats {
  /** Connections open, in use or idle. */
  total: number;
  idle: number;
  /** Checkouts queued because every connection is in use. */
  waiting: number;
  /** The pool's size (USERFLARE_DATABASE_POOL_SIZE). */
  max: number;
}

export interface PostgresStore {
  db: Db;
  commitTogether: CommitTogether;
  reads: ReadCache;
  /** Work that needs the migrated schema: the notify mode's triggers and listener. */
  afterMigration(): Promise<void>;
  onError(handler: (error: Error) => void): void;
  poolStats(): PoolStats;
  close(): Promise<void>;
}

/** `pg` loads only when it is used: start-up time of the SQLite default. */
export async function openPostgres(config: PostgresStoreConfig): Promise<PostgresStore> {
  const { default: pgModule } = await import('pg');
  const pool = new pgModule.Pool({
    connectionString: config.url,
    max: config.poolSize,
    connectionTimeoutMillis: 5_000,
    // A statement stuck behind a lock, or a plan gone wrong, frees its connection and answers 503.
    ...(config.statementTimeoutSeconds > 0
      ? { statement_timeout: Math.round(config.statementTimeoutSeconds * 1000) }
      : {}),
    pipeline: true,
  } as pg.PoolConfig);
  const handlers: ((error: Error) => void)[] = [];
  const report = (error: Error) => {
    for (const handler of handlers) handler(error);
  };
  // Without a listener, a client losing its connection would crash the process: the pool listens
  // only while a client is idle, so a checked-out client between two statements of a transaction
  // needs its own. The failing query still rejects, and the pool drops the dead client on release.
  pool.on('connect', (client) => client.on('error', report));
  pool.on('error', () => {}); // the same error, already reported by the client's own listener
  const notifications =
    config.cache === 'notify'
      ? new WriteNotifications(pool, () => new pgModule.Client({ connectionString: config.url }), report)
      : undefined;
  if (notifications) {
    const backendOf = (client: pg.PoolClient) => (client as unknown as { processID: number }).processID;
    pool.on('connect', (client) => notifications.ownBackends.add(backendOf(client)));
    pool.on('remove', (client) => notifications.ownBackends.delete(backendOf(client)));
  }
  const reads = readsFor(config.cache, pool, notifications);
  const recordWrites: RecordWrites = (effects, transactionId) => {
    if (notifications) for (const effect of effects) notifications.counters.record(effect);
    else if (reads instanceof SnapshotCheckedReadCache && transactionId !== undefined) {
      reads.ownWrite(transactionId, effects);
    }
  };
  const db = new Kysely<never>({
    dialect: new PostgresDialect({ pool: preparingPool(pool, recordWrites) }),
  }) as unknown as Db;
  return {
    db,
    commitTogether: committingTogether(pool, recordWrites),
    reads,
    afterMigration: async () => notifications?.start(),
    onError: (handler) => handlers.push(handler),
    poolStats: () => ({
      total: pool.totalCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
      max: config.poolSize,
    }),
    close: async () => {
      await notifications?.close();
      await db.destroy();
    },
  };
}

function readsFor(
  mode: PostgresStoreConfig['cache'],
  pool: pg.Pool,
  notifications: WriteNotifications | undefined,
): ReadCache {
  if (notifications) return new WriteCountedReadCache(notifications.counters, () => notifications.listening);
  if (mode === 'off') return uncachedReads;
  return new SnapshotCheckedReadCache(async () => {
    const { rows } = await pool.query<{ snapshot: string }>(CURRENT_SNAPSHOT);
    return rows[0]?.snapshot ?? '';
  });
}
