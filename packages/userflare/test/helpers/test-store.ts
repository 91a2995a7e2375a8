import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { TABLES_CHILDREN_FIRST } from '../../src/db/database.js';

/** The store the suite runs on: `postgres` in the PostgreSQL project, else SQLite. */
export const TEST_STORE: 'sqlite' | 'postgres' = inject('postgresUrl') ? 'postgres' : 'sqlite';

export interface TestDatabase {
  /** USERFLARE_DATABASE_URL for the app. */
  url: string;
  drop(): Promise<void>;
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  // A connection dropped by the server must fail the query, not crash the test process.
  client.on('error', () => {});
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Schemas of this test file whose apps have closed: emptied, migrated, ready for the next app. */
const freeSchemas: string[] = [];

/**
 * A fresh store for one test app: in-memory SQLite, or a schema of its own in the run's PostgreSQL
 * database, selected through the connection's search_path. Migrating a new schema costs about a
 * second, so a closed app's schema is emptied and handed to the next app of the same file.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const runUrl = inject('postgresUrl');
  if (!runUrl) return { url: 'sqlite::memory:', drop: async () => {} };
  let schema = freeSchemas.pop();
  if (!schema) {
    schema = `t_${randomBytes(8).toString('hex')}`;
    await withClient(runUrl, (client) => client.query(`create schema "${schema}"`));
  }
  const url = new URL(runUrl);
  // Tests need no durability: not waiting for the WAL flush makes every commit cheaper.
  url.searchParams.set('options', `-c search_path=${schema} -c synchronous_commit=off`);
  const emptied = schema;
  return {
    url: url.toString(),
    drop: async () => {
      const tables = [
        ...TABLES_CHILDREN_FIRST,
        'audit_counts',
        'snapshots',
        'rate_limit_counters',
        'dashboard_sessions',
      ]
        .map((table) => `"${emptied}"."${table}"`)
        .join(', ');
      try {
        await withClient(runUrl, (client) => client.query(`truncate ${tables} cascade`));
        freeSchemas.push(emptied);
      } catch (error) {
        // An app that failed before migrating (a start refused at listen) left the schema without tables.
        if ((error as { code?: string }).code !== '42P01') throw error;
        await withClient(runUrl, (client) => client.query(`drop schema "${emptied}" cascade`));
      }
    },
  };
}
