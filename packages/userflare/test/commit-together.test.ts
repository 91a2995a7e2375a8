import { sql } from 'kysely';
import { loadConfig } from 'userflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertAuditLogStatements } from '../src/modules/audit-logs/audit-logs.repository.js';
import { insertTokenStatement } from '../src/modules/tokens/tokens.repository.js';
import { createTestApp, type TestApp } from './helpers/test-server.js';

describe('writes committed together (CommitTogether)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(() => t.close());

  const counts = async () => {
    const { rows } = await sql<{
      entries: number | string;
      tokens: number | string;
      counted: number | string | null;
    }>`
      select (select count(*) from audit_logs) as entries, (select count(*) from tokens) as tokens,
        (select sum(entries) from audit_counts) as counted`.execute(t.store.db);
    const row = rows[0];
    return { entries: Number(row?.entries), tokens: Number(row?.tokens), counted: Number(row?.counted ?? 0) };
  };

  const token = (id: string, hash: string) => ({
    id,
    user_id: t.userId,
    name: 'together',
    status: 'active' as const,
    value_hash: hash,
    policies: '[]',
    condition: '{}',
    not_before: null,
    expires_on: null,
    issued_on: '2026-01-01T00:00:00.000Z',
    modified_on: '2026-01-01T00:00:00.000Z',
    last_used_on: null,
  });

  const entry = (resourceId: string) => ({
    id: crypto.randomUUID(),
    owner_id: t.userId,
    when: '2026-01-01T00:00:00.000Z',
    action_type: 'create',
    action_result: 1,
    actor_id: t.userId,
    actor_email: 'admin@example.com',
    actor_ip: '127.0.0.1',
    actor_ip_key: '0'.repeat(32),
    actor_type: 'user' as const,
    interface: 'API',
    resource_id: resourceId,
    resource_type: 'token',
    zone_name: null,
    metadata: '{}',
    old_value: null,
    new_value: null,
  });

  it('writes every statement, and the audit count with them', async () => {
    const before = await counts();
    await t.store.commitTogether([
      insertTokenStatement(t.store.db, token('a'.repeat(32), 'a'.repeat(64))),
      ...insertAuditLogStatements(t.store.db, entry('a'.repeat(32))),
    ]);
    expect(await counts()).toEqual({
      entries: before.entries + 1,
      tokens: before.tokens + 1,
      counted: before.counted + 1,
    });
  });

  it('writes none of them when one fails, and fails with that statement’s error', async () => {
    const before = await counts();
    const failed = await t.store
      .commitTogether([
        ...insertAuditLogStatements(t.store.db, entry('b'.repeat(32))),
        // The same id as the token of the test before: a unique violation, after the audit entry.
        insertTokenStatement(t.store.db, token('a'.repeat(32), 'b'.repeat(64))),
      ])
      .catch((error: unknown) => error);
    expect(String((failed as { code?: string }).code)).toMatch(/23505|SQLITE_CONSTRAINT/);
    expect(await counts()).toEqual(before);
    // The connection is usable afterwards: nothing was left open.
    await t.store.commitTogether(insertAuditLogStatements(t.store.db, entry('c'.repeat(32))));
    expect((await counts()).entries).toBe(before.entries + 1);
  });
});

describe('PostgreSQL settings', () => {
  const url = 'postgres://userflare@db.internal:5432/userflare';

  it('reads USERFLARE_PG_CACHE and USERFLARE_DATABASE_STATEMENT_TIMEOUT, and refuses what they cannot mean', () => {
    expect(loadConfig({ USERFLARE_DATABASE_URL: url }).store).toMatchObject({
      cache: 'exact',
      statementTimeoutSeconds: 30,
    });
    expect(
      loadConfig({
        USERFLARE_DATABASE_URL: url,
        USERFLARE_PG_CACHE: 'notify',
        USERFLARE_DATABASE_STATEMENT_TIMEOUT: '0',
      }).store,
    ).toMatchObject({ cache: 'notify', statementTimeoutSeconds: 0 });
    expect(() => loadConfig({ USERFLARE_DATABASE_URL: url, USERFLARE_PG_CACHE: 'ttl' })).toThrow(
      /USERFLARE_PG_CACHE must be exact, notify or off, got "ttl"/,
    );
    expect(() =>
      loadConfig({ USERFLARE_DATABASE_URL: url, USERFLARE_DATABASE_STATEMENT_TIMEOUT: 'soon' }),
    ).toThrow(/USERFLARE_DATABASE_STATEMENT_TIMEOUT must be a number of seconds/);
  });
});
