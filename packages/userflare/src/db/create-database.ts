import { chmodSync, mkdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import SqliteDatabase from 'better-sqlite3';
import {
  type DatabaseIntrospector,
  Kysely,
  type SqliteDatabase as KyselySqliteDatabase,
  type Migration,
  Migrator,
  PostgresAdapter,
  SqliteDialect,
  type SqliteStatement,
  sql,
} from 'kysely';
import { ConfigError, type StoreConfig } from '../config.js';
import { type BackgroundCheckpoints, startBackgroundCheckpoints } from './background-checkpoints.js';
import { type ColumnTypes, postgresColumnTypes, sqliteColumnTypes } from './column-types.js';
import {
  type CommitTogether,
  committedInTransaction,
  type Db,
  type Executor,
  TABLES_CHILDREN_FIRST,
} from './database.js';
import * as initial from './migrations/001-initial.js';
import * as organizationsBilling from './migrations/002-organizations-billing.js';
import * as tokenExpiryIndex from './migrations/003-token-expiry-index.js';
import * as snapshots from './migrations/004-snapshots.js';
import * as rateLimitCounters from './migrations/005-rate-limit-counters.js';
import * as auditCounts from './migrations/006-audit-counts.js';
import * as dashboardSessions from './migrations/007-dashboard-sessions.js';
import * as auditCountShards from './migrations/008-audit-count-shards.js';
import { openPostgres, type PoolStats } from './postgres-store.js';
import { type ReadCache, WriteCountedReadCache, WriteCounters, writeEffectOf } from './read-cache.js';

interface MigrationModule {
  up(db: Kysely<unknown>, types: ColumnTypes): Promise<void>;
  down(db: Kysely<unknown>): Promise<void>;
}

const MIGRATIONS: Record<string, MigrationModule> = {
  '001-initial': initial,
  '002-organizations-billing': organizationsBilling,
  '003-token-expiry-index': tokenExpiryIndex,
  '004-snapshots': snapshots,
  '005-rate-limit-counters': rateLimitCounters,
  '006-audit-counts': auditCounts,
  '007-dashboard-sessions': dashboardSessions,
  '008-audit-count-shards': auditCountShards,
};

export interface Store {
  db: Db;
  dialect: 'sqlite' | 'postgres';
  /** Where the store is, for messages: the file, or the PostgreSQL URL without its password. */
  location: string;
  /** Reads reused until the next write where this process sees every write; pass-through otherwise. */
  reads: ReadCache;
  commitTogether: CommitTogether;
  /** Work that needs the migrated schema (PostgreSQL's notify mode). */
  afterMigration?(): Promise<void>;
  /** Reports connection errors that happen outside any request (an idle pooled client dropped). */
  onError(handler: (error: Error) => void): void;
  /** PostgreSQL's connection pool as it is now, for metrics; absent on SQLite. */
  poolStats?(): PoolStats;
  close(): Promise<void>;
  /** In-memory SQLite: the store is a copy of one already migrated, or keeps itself as that copy. */
  memoryImage?: { migrated: boolean; keep(): void };
}

/**
 * An in-memory store migrated once, as bytes: every later in-memory store of the process (a harness
 * start, a namespace) opens as a copy of it instead of running the migrations (issue 12).
 */
let migratedMemoryImage: Buffer | undefined;

const PREPARED_STATEMENT_LIMIT = 500;

/**
 * better-sqlite3 as Kysely sees it, with two additions: each SQL text is prepared once (Kysely's driver
 * prepares on every query, the largest cost of a cached read), and every write statement is counted,
 * with what it may change, after it runs: what `WriteCountedReadCache` trusts.
 */
function countingSqliteDatabase(
  sqlite: SqliteDatabase.Database,
  counters: WriteCounters,
): KyselySqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  const counted = (statement: SqliteDatabase.Statement, text: string): SqliteStatement => {
    if (statement.readonly) return statement;
    const effect = writeEffectOf(text);
    const afterRun = <T>(run: () => T): T => {
      try {
        return run();
      } finally {
        counters.record(effect);
      }
    };
    return {
      reader: statement.reader,
      all: (parameters) => afterRun(() => statement.all(parameters)),
      run: (parameters) => afterRun(() => statement.run(parameters)),
      iterate: (parameters) => afterRun(() => statement.iterate(parameters)),
    };
  };
  return {
    close: () => sqlite.close(),
    prepare(text) {
      let statement = statements.get(text);
      if (!statement) {
        if (statements.size >= PREPARED_STATEMENT_LIMIT) statements.clear();
        statement = counted(sqlite.prepare(text), text);
        statements.set(text, statement);
      }
      return statement;
    },
  };
}

function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the configured PostgreSQL URL';
  }
}

/** The only place that knows SQLite from PostgreSQL. `pg` loads only when it is used: start-up time. */
export async function openStore(config: StoreConfig): Promise<Store> {
  if (config.kind === 'postgres') {
    return { ...(await openPostgres(config)), dialect: 'postgres', location: withoutPassword(config.url) };
  }
  if (config.file !== ':memory:') mkdirSync(config.directory, { recursive: true, mode: 0o700 });
  const image = config.file === ':memory:' ? migratedMemoryImage : undefined;
  const sqlite = new SqliteDatabase(image ?? config.file);
  // Token hashes are no use without USERFLARE_SECRET, but the store is nobody else's to read (SECURITY.md).
  // SQLite creates the -wal and -shm files with the database file's mode.
  if (config.file !== ':memory:') chmodSync(config.file, 0o600);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const counters = new WriteCounters();
  const database = countingSqliteDatabase(sqlite, counters);
  const db = new Kysely<never>({ dialect: new SqliteDialect({ database }) }) as unknown as Db;
  const handlers: ((error: Error) => void)[] = [];
  let checkpoints: BackgroundCheckpoints | undefined;
  if (config.file !== ':memory:') {
    // A worker checkpoints; this connection's own automatic checkpoint is the safety net only.
    sqlite.pragma('wal_autocheckpoint = 10000');
    checkpoints = startBackgroundCheckpoints(config.file, (message) => {
      for (const handler of handlers) handler(new Error(message));
    });
  }
  return {
    db,
    dialect: 'sqlite',
    location: config.file,
    ...(config.file === ':memory:'
      ? {
          memoryImage: {
            migrated: image !== undefined,
            keep: () => {
              migratedMemoryImage = sqlite.serialize();
            },
          },
        }
      : {}),
    reads: new WriteCountedReadCache(counters),
    commitTogether: committedInTransaction(db),
    onError: (handler) => handlers.push(handler),
    close: async () => {
      await checkpoints?.stop();
      await db.destroy();
    },
  };
}

/**
 * Waits for the database to answer, retrying every second and saying so, for up to `seconds`; then
 * fails with a message that says what to check (issue 4).
 */
export async function waitForStore(
  store: Store,
  seconds: number,
  warn: (message: string) => void,
): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  for (let attempt = 1; ; attempt++) {
    try {
      await sql`select 1`.execute(store.db);
      return;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (Date.now() >= deadline) {
        throw new ConfigError(
          `cannot reach the database at ${store.location} after ${seconds} s (${reason}): check USERFLARE_DATABASE_URL and that the database is running`,
        );
      }
      warn(`waiting for the database at ${store.location} (attempt ${attempt}): ${reason}`);
      await sleep(1000);
    }
  }
}

async function currentSchema(db: Db): Promise<string> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  const schema = rows[0]?.schema;
  if (!schema)
    throw new ConfigError('the PostgreSQL search_path names no schema that exists: create it or fix the URL');
  return schema;
}

/**
 * `db`, with an introspection that sees `schema` alone. The migrator only asks whether its schema and
 * its two tables exist, but Kysely's PostgreSQL introspection reads every table of every schema and
 * calls functions on each by name: a schema dropped meanwhile (a namespace deleted by another replica
 * or process) failed the migration with "schema … does not exist", and the query grew with every
 * namespace in the database.
 */
function introspectingOnly(db: Db, schema: string): Db {
  const introspection: DatabaseIntrospector = {
    getSchemas: async () => {
      const { rows } = await sql<{ name: string }>`
        select nspname as name from pg_catalog.pg_namespace where nspname = ${schema}`.execute(db);
      return rows;
    },
    getTables: async () => {
      const { rows } = await sql<{ name: string }>`
        select table_name as name from information_schema.tables where table_schema = ${schema}`.execute(db);
      return rows.map(({ name }) => ({ name, schema, isView: false, columns: [] }));
    },
    getMetadata: async () => ({ tables: await introspection.getTables() }),
  };
  // Kysely's methods reach private fields: they run on the instance itself, not on the proxy.
  return new Proxy(db, {
    get(target, property) {
      if (property === 'introspection') return introspection;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

export async function migrateToLatest(store: Store): Promise<void> {
  if (store.memoryImage?.migrated) return;
  const types = store.dialect === 'postgres' ? postgresColumnTypes : sqliteColumnTypes;
  const migrations: Record<string, Migration> = Object.fromEntries(
    Object.entries(MIGRATIONS).map(([name, module]) => [
      name,
      { up: (db) => module.up(db, types), down: module.down },
    ]),
  );
  // Kysely looks for its bookkeeping tables in every schema; name ours, so that databases holding
  // userflare in several schemas (replicas of other deployments, namespaces, test runs) migrate each on
  // its own, and look only there.
  const schema = store.dialect === 'postgres' ? await currentSchema(store.db) : undefined;
  const migrator = new Migrator({
    db: schema === undefined ? store.db : introspectingOnly(store.db, schema),
    provider: { getMigrations: async () => migrations },
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${String(error)}`);
  }
  store.memoryImage?.keep();
  await store.afterMigration?.();
}

/** Deletes every row of every table, children first: a reset, or undoing a start that failed. */
export async function emptyStore(db: Executor): Promise<void> {
  for (const table of TABLES_CHILDREN_FIRST) await db.deleteFrom(table).execute();
  await db.deleteFrom('audit_counts').execute();
}

/**
 * Serializes start-up work across replicas: on PostgreSQL a transaction-scoped advisory lock, so two
 * processes starting on an empty database bootstrap it once. SQLite transactions already serialize.
 */
export async function lockForStartup(trx: Executor): Promise<void> {
  if (trx.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`select pg_advisory_xact_lock(hashtext('userflare-startup'))`.execute(trx);
  }
}

/** `options=-c search_path=<schema>`, keeping any other `-c` settings the URL carries. */
export function withSearchPath(url: string, schema: string): string {
  const parsed = new URL(url);
  const others = (parsed.searchParams.get('options') ?? '').replace(/-c\s*search_path=\S+/g, '').trim();
  parsed.searchParams.set('options', `${others} -c search_path=${schema}`.trim());
  return parsed.toString();
}

/** A PostgreSQL schema of one's own: its URL (search path set) and how to drop it with its tables. */
export interface PrivateSchema {
  url: string;
  drop(): Promise<void>;
}

/**
 * Creates schema `name` in the database at `url`, so that one database holds many independent stores
 * (a test harness per worker, say) that each drop their tables at once when done.
 */
export async function createPrivateSchema(url: string, name: string): Promise<PrivateSchema> {
  const run = async (statement: (schema: ReturnType<typeof sql.id>) => ReturnType<typeof sql>) => {
    const store = await openStore({
      kind: 'postgres',
      url,
      poolSize: 1,
      cache: 'off',
      statementTimeoutSeconds: 0,
    });
    try {
      await statement(sql.id(name)).execute(store.db);
    } finally {
      await store.close();
    }
  };
  await run((schema) => sql`create schema ${schema}`);
  return {
    url: withSearchPath(url, name),
    drop: () => run((schema) => sql`drop schema if exists ${schema} cascade`),
  };
}
