import { mkdirSync } from 'node:fs';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, type Migration, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { StoreConfig } from '../config.js';
import { type Db, type Executor, TABLES_CHILDREN_FIRST } from './database.js';
import * as initial from './migrations/001-initial.js';
import * as organizationsBilling from './migrations/002-organizations-billing.js';

const migrations: Record<string, Migration> = {
  '001-initial': initial,
  '002-organizations-billing': organizationsBilling,
};

export interface Store {
  db: Db;
  dialect: 'sqlite' | 'postgres';
  close(): Promise<void>;
}

/** The only place that knows SQLite from PostgreSQL. */
export function openStore(config: StoreConfig): Store {
  if (config.kind === 'postgres') {
    const pool = new pg.Pool({ connectionString: config.url, max: config.poolSize });
    const db = new Kysely<never>({ dialect: new PostgresDialect({ pool }) }) as unknown as Db;
    return { db, dialect: 'postgres', close: () => db.destroy() };
  }
  if (config.file !== ':memory:') mkdirSync(config.directory, { recursive: true });
  const sqlite = new SqliteDatabase(config.file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<never>({ dialect: new SqliteDialect({ database: sqlite }) }) as unknown as Db;
  return { db, dialect: 'sqlite', close: () => db.destroy() };
}

export async function migrateToLatest(db: Db): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${String(error)}`);
  }
}

/** Deletes every row of every table, children first: a reset, or undoing a start that failed. */
export async function emptyStore(db: Executor): Promise<void> {
  for (const table of TABLES_CHILDREN_FIRST) await db.deleteFrom(table).execute();
}
