import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { sql } from 'kysely';
import type { BuiltApp } from 'userflare';
import { storeTables } from './store-digest.js';
import { BOOTSTRAP } from './test-server.js';

/** `fixtures/example.json` at the repository root. */
export const EXAMPLE_FIXTURE_PATH = resolve(import.meta.dirname, '../../../../fixtures/example.json');

/** A fresh copy of `fixtures/example.json`, safe to change in a test. */
export function exampleFixture(): ExampleFixture {
  return JSON.parse(readFileSync(EXAMPLE_FIXTURE_PATH, 'utf8')) as ExampleFixture;
}

/** The sections of the example fixture, loosely typed so tests can break an entry on purpose. */
export type ExampleFixture = Record<string, Record<string, unknown>[]>;

export interface Envelope<T = unknown> {
  success: boolean;
  errors: { code: number; message: string; source?: { pointer: string } }[];
  messages: unknown[];
  result: T;
}

export interface AdminResponse<T> {
  statusCode: number;
  body: Envelope<T>;
}

/**
 * Calls the admin plane through `app.inject`. `adminKey` defaults to the test admin key; `null`
 * sends no X-Admin-Key header at all.
 */
export async function callAdmin<T = unknown>(
  built: Pick<BuiltApp, 'app'>,
  method: 'GET' | 'POST' | 'PUT',
  path: string,
  payload?: unknown,
  adminKey: string | null = BOOTSTRAP.adminKey,
): Promise<AdminResponse<T>> {
  const response = await built.app.inject({
    method,
    url: `/__userflare${path}`,
    headers: adminKey === null ? {} : { 'x-admin-key': adminKey },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
  return { statusCode: response.statusCode, body: response.json() as Envelope<T> };
}

/**
 * A fingerprint of every row of every table, read through `store.db` without writing: the row count
 * and a hash of the rows (order-independent) per table. Equal digests mean nothing was written.
 */
export async function digestStore(store: BuiltApp['store']): Promise<Record<string, string>> {
  const digest: Record<string, string> = {};
  for (const table of await storeTables(store)) {
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(store.db);
    const lines = rows.map((row) => JSON.stringify(row, Object.keys(row).sort())).sort();
    const hash = createHash('sha256').update(lines.join('\n')).digest('hex');
    digest[table] = `${rows.length} rows, sha256 ${hash}`;
  }
  return digest;
}

/** The number of rows of every table, read through `store.db`. */
export async function countRows(store: BuiltApp['store']): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of await storeTables(store)) {
    const { rows } = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}`.execute(
      store.db,
    );
    counts[table] = Number(rows[0]?.n ?? 0);
  }
  return counts;
}
