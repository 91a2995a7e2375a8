import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLES_CHILDREN_FIRST } from '../src/db/database.js';
import { exampleFixture } from './helpers/admin-plane.js';
import { FakeClock } from './helpers/fake-clock.js';
import { BOOTSTRAP, bearer, createTestApp, type TestApp } from './helpers/test-server.js';
import { TEST_STORE } from './helpers/test-store.js';
import { call, createToken, tokenBody } from './helpers/tokens-fixtures.js';

// Named snapshots of the whole store (`/__userflare/snapshots`): save, restore, list, delete. A
// restore puts every table back exactly and atomically: a request sees the state before or after.

interface Snapshot {
  name: string;
  created_on: string;
  rows: number;
}

interface AdminReply<T> {
  status: number;
  body: { success: boolean; errors: { code: number; message: string }[]; result: T };
}

async function admin<T>(
  t: TestApp,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
  adminKey: string | null = BOOTSTRAP.adminKey,
): Promise<AdminReply<T>> {
  const response = await t.app.inject({
    method,
    url: `/__userflare${path}`,
    headers: adminKey === null ? {} : { 'x-admin-key': adminKey },
    ...(body === undefined ? {} : { payload: body as object }),
  });
  return { status: response.statusCode, body: response.json() as AdminReply<T>['body'] };
}

async function adminOk<T>(t: TestApp, method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown) {
  const reply = await admin<T>(t, method, path, body);
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  expect(reply.body.success).toBe(true);
  return reply.body.result;
}

/** Every row of every table as the driver returns it, rows sorted: equal dumps mean equal stores. */
async function dumpStore(t: TestApp): Promise<Record<string, Record<string, unknown>[]>> {
  const dump: Record<string, Record<string, unknown>[]> = {};
  for (const table of TABLES_CHILDREN_FIRST) {
    const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(
      t.store.db,
    );
    dump[table] = rows
      .map((row) => [JSON.stringify(row, Object.keys(row).sort()), row] as const)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, row]) => row);
  }
  return dump;
}

function rowCount(dump: Record<string, unknown[]>): number {
  return Object.values(dump).reduce((sum, rows) => sum + rows.length, 0);
}

async function tokenIds(t: TestApp): Promise<string[]> {
  const reply = await call<{ id: string }[]>(t, 'GET', '/client/v4/user/tokens?per_page=50');
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  return reply.body.result.map((token) => token.id);
}

async function verifies(t: TestApp, value: string): Promise<number> {
  return (await call(t, 'GET', '/client/v4/user/tokens/verify', { token: value })).status;
}

describe('snapshots', () => {
  let t: TestApp;
  let clock: FakeClock;

  beforeAll(async () => {
    clock = new FakeClock();
    t = await createTestApp({ clock });
    await adminOk(t, 'POST', '/seed', exampleFixture());
  });
  afterAll(async () => {
    // The PostgreSQL test helper hands this schema to the next app, emptying only the API tables.
    for (const { name } of await adminOk<Snapshot[]>(t, 'GET', '/snapshots')) {
      await admin(t, 'DELETE', `/snapshots/${name}`);
    }
    await t.close();
  });

  describe('happy path', () => {
    it('restores every table exactly as saved, and credentials with it', async () => {
      const kept = await createToken(t, tokenBody(t.userId, { name: 'kept' }));
      const doomed = await createToken(t, tokenBody(t.userId, { name: 'deleted after the save' }));
      await call(t, 'PATCH', '/client/v4/user', { body: { first_name: 'Zoë "🦊"', telephone: null } });
      expect(await verifies(t, kept.value)).toBe(200); // a recorded use, flushed by the save

      const saved = await adminOk<Snapshot>(t, 'POST', '/snapshots', { name: 'base' });
      const before = await dumpStore(t);
      expect(saved).toEqual({ name: 'base', created_on: clock.iso(), rows: rowCount(before) });
      expect(before.tokens?.find((row) => row.id === kept.id)?.last_used_on).not.toBeNull();

      clock.advance(60_000);
      const added = await createToken(t, tokenBody(t.userId, { name: 'created after the save' }));
      await call(t, 'PATCH', '/client/v4/user', { body: { first_name: 'Changed', country: 'FR' } });
      expect((await call(t, 'DELETE', `/client/v4/user/tokens/${doomed.id}`)).status).toBe(200);
      expect(await verifies(t, doomed.value)).toBe(401);
      expect(await verifies(t, added.value)).toBe(200);
      expect(await verifies(t, kept.value)).toBe(200); // recorded, not yet flushed
      expect(await dumpStore(t)).not.toEqual(before);

      const restored = await adminOk<Snapshot>(t, 'POST', '/snapshots/base/restore');
      expect(restored).toEqual(saved);
      expect(await dumpStore(t)).toEqual(before);

      expect(await verifies(t, doomed.value)).toBe(200);
      expect(await verifies(t, added.value)).toBe(401);
      const user = await call<{ first_name: string; country: string | null }>(t, 'GET', '/client/v4/user');
      expect(user.body.result).toMatchObject({ first_name: 'Zoë "🦊"' });
    });

    it('keeps writing after a restore: new audit entries and rows do not collide with restored ones', async () => {
      await adminOk(t, 'POST', '/snapshots/base/restore');
      const created = await createToken(t, tokenBody(t.userId, { name: 'after the restore' }));
      expect(await verifies(t, created.value)).toBe(200);
      const logs = await call<{ id: string; action: { type: string } }[]>(
        t,
        'GET',
        '/client/v4/user/audit_logs?per_page=5&direction=desc',
      );
      expect(logs.status, JSON.stringify(logs.body)).toBe(200);
      expect(logs.body.result.length).toBeGreaterThan(0);
      const { rows } = await sql<{ n: number | string; distinct_seq: number | string }>`
        select count(*) as n, count(distinct seq) as distinct_seq from audit_logs`.execute(t.store.db);
      expect(Number(rows[0]?.distinct_seq)).toBe(Number(rows[0]?.n));
    });

    it('replaces a snapshot saved under an existing name', async () => {
      await adminOk(t, 'POST', '/snapshots', { name: 'replaced' });
      await createToken(t, tokenBody(t.userId, { name: 'only in the second save' }));
      clock.advance(1_000);
      const second = await adminOk<Snapshot>(t, 'POST', '/snapshots', { name: 'replaced' });
      expect(second.created_on).toBe(clock.iso());
      const expected = await dumpStore(t);
      expect(second.rows).toBe(rowCount(expected));

      await adminOk(t, 'POST', '/snapshots/base/restore');
      await adminOk(t, 'POST', '/snapshots/replaced/restore');
      expect(await dumpStore(t)).toEqual(expected);
    });

    it('lists snapshots by name without their rows, and deletes one', async () => {
      await adminOk(t, 'POST', '/snapshots', { name: 'a.first-1_x' });
      const listed = await adminOk<Snapshot[]>(t, 'GET', '/snapshots');
      expect(listed.map((s) => s.name)).toEqual(['a.first-1_x', 'base', 'replaced']);
      for (const snapshot of listed)
        expect(Object.keys(snapshot).sort()).toEqual(['created_on', 'name', 'rows']);

      expect(await adminOk(t, 'DELETE', '/snapshots/a.first-1_x')).toEqual({ name: 'a.first-1_x' });
      expect((await adminOk<Snapshot[]>(t, 'GET', '/snapshots')).map((s) => s.name)).toEqual([
        'base',
        'replaced',
      ]);
    });

    it('keeps snapshots through a restore and a reset', async () => {
      await adminOk(t, 'POST', '/snapshots/base/restore');
      await adminOk(t, 'POST', '/reset');
      expect((await adminOk<Snapshot[]>(t, 'GET', '/snapshots')).map((s) => s.name)).toEqual([
        'base',
        'replaced',
      ]);
      await adminOk(t, 'POST', '/snapshots/base/restore');
    });
  });

  describe('error cases', () => {
    it.each([
      ['POST', '/snapshots/missing/restore'],
      ['DELETE', '/snapshots/missing'],
    ] as const)('answers %s %s for an unknown name with 404 7003/7000', async (method, path) => {
      const reply = await admin(t, method, path);
      expect(reply.status).toBe(404);
      expect(reply.body.success).toBe(false);
      expect(reply.body.errors.map((e) => e.code)).toEqual([7003, 7000]);
    });

    it.each([
      ['empty', ''],
      ['a space', 'has space'],
      ['a slash', 'a/b'],
      ['65 characters', 'x'.repeat(65)],
      ['a number', 42],
    ])('refuses a name with %s with 400 1004', async (_, name) => {
      const reply = await admin(t, 'POST', '/snapshots', { name });
      expect(reply.status).toBe(400);
      expect(reply.body.errors[0]?.code).toBe(1004);
    });

    it('answers a malformed name in the path with 400 7003/7000', async () => {
      const reply = await admin(t, 'POST', `/snapshots/${'x'.repeat(65)}/restore`);
      expect(reply.status).toBe(400);
      expect(reply.body.errors.map((e) => e.code)).toEqual([7003, 7000]);
    });
  });

  describe('security cases', () => {
    it.each([
      ['GET', '/snapshots'],
      ['POST', '/snapshots'],
      ['POST', '/snapshots/base/restore'],
      ['DELETE', '/snapshots/base'],
    ] as const)(
      'refuses %s %s without the admin key, or with a wrong one, with 401 1401',
      async (method, path) => {
        const before = await dumpStore(t);
        for (const key of [null, 'wrong-key', BOOTSTRAP.token]) {
          const reply = await admin(t, method, path, method === 'POST' ? { name: 'base' } : undefined, key);
          expect(reply.status).toBe(401);
          expect(reply.body.errors[0]?.code).toBe(1401);
        }
        expect(await dumpStore(t)).toEqual(before);
        expect((await adminOk<Snapshot[]>(t, 'GET', '/snapshots')).map((s) => s.name)).toContain('base');
      },
    );

    it('is not reachable with an API token', async () => {
      const response = await t.app.inject({
        method: 'GET',
        url: '/__userflare/snapshots',
        headers: bearer(BOOTSTRAP.token),
      });
      expect(response.statusCode).toBe(401);
    });
  });

  describe('concurrency', () => {
    it('serves each concurrent read entirely before or entirely after a restore', async () => {
      const doomed = [];
      for (let i = 0; i < 10; i++)
        doomed.push(await createToken(t, tokenBody(t.userId, { name: `saved ${i}` })));
      await adminOk(t, 'POST', '/snapshots', { name: 'concurrent' });
      const after = await tokenIds(t);
      for (const token of doomed.slice(0, 5)) await call(t, 'DELETE', `/client/v4/user/tokens/${token.id}`);
      for (let i = 0; i < 5; i++) await createToken(t, tokenBody(t.userId, { name: `unsaved ${i}` }));
      const before = await tokenIds(t);
      expect(before).not.toEqual(after);

      let restoring = true;
      const restore = adminOk(t, 'POST', '/snapshots/concurrent/restore').finally(() => {
        restoring = false;
      });
      const reads: Promise<string[]>[] = [];
      // Requests keep arriving while the restore runs, and a few after it.
      for (let wave = 0; wave < 50 && (restoring || wave < 5); wave++) {
        for (let i = 0; i < 4; i++) reads.push(tokenIds(t));
        await new Promise((resolve) => setImmediate(resolve));
      }
      await restore;
      for (let i = 0; i < 4; i++) reads.push(tokenIds(t));
      const answers = await Promise.all(reads);
      for (const answer of answers) expect([before, after]).toContainEqual(answer);
      expect(answers.at(-1)).toEqual(after);
    });
  });

  describe('concurrent writes', () => {
    it('lets writes racing a restore finish, before or after it, without failing them', async () => {
      await adminOk(t, 'POST', '/snapshots', { name: 'racing' });
      const writes: Promise<{ status: number }>[] = [];
      const restores = [adminOk(t, 'POST', '/snapshots/racing/restore')];
      for (let i = 0; i < 10; i++) {
        writes.push(
          call(t, 'POST', '/client/v4/user/tokens', { body: tokenBody(t.userId, { name: `racing ${i}` }) }),
        );
        writes.push(call(t, 'PATCH', '/client/v4/user', { body: { first_name: `Racer ${i}` } }));
        if (i === 5) restores.push(adminOk(t, 'POST', '/snapshots/racing/restore'));
        await new Promise((resolve) => setImmediate(resolve));
      }
      await Promise.all(restores);
      expect((await Promise.all(writes)).map((reply) => reply.status)).toEqual(writes.map(() => 200));
      expect((await call(t, 'GET', '/client/v4/user')).status).toBe(200);
    });
  });

  describe('lock conflicts', () => {
    it('gives way to a transaction that holds one table and then writes another, then restores', async () => {
      await adminOk(t, 'POST', '/snapshots', { name: 'contended' });
      const expected = await dumpStore(t);
      let restore: Promise<Snapshot> | undefined;
      // On PostgreSQL the restore locks tokens before memberships; this transaction holds memberships
      // and then needs tokens: without giving way, one of the two would fail as a deadlock.
      await t.store.db.transaction().execute(async (trx) => {
        await trx.selectFrom('memberships').select('id').execute();
        restore = adminOk<Snapshot>(t, 'POST', '/snapshots/contended/restore');
        await new Promise((resolve) => setTimeout(resolve, 50));
        await trx.updateTable('tokens').set({ name: 'renamed by the racing transaction' }).execute();
      });
      expect((await restore)?.name).toBe('contended');
      expect(await dumpStore(t)).toEqual(expected);
    });
  });

  describe('performance', () => {
    it('saves and restores a few thousand rows', async () => {
      const now = clock.iso();
      const tokens = Array.from({ length: 1_000 }, (_, i) => ({
        id: randomBytes(16).toString('hex'),
        user_id: t.userId,
        name: `bulk ${i}`,
        status: 'active' as const,
        value_hash: randomBytes(32).toString('hex'),
        policies: '[]',
        condition: '{}',
        not_before: null,
        expires_on: i % 2 ? null : '2031-01-01T00:00:00Z',
        issued_on: now,
        modified_on: now,
        last_used_on: null,
      }));
      const audit = Array.from({ length: 3_000 }, (_, i) => ({
        id: randomUUID(),
        owner_id: t.userId,
        when: now,
        action_type: 'create',
        action_result: 1,
        actor_id: t.userId,
        actor_email: BOOTSTRAP.email,
        actor_ip: '127.0.0.1',
        actor_ip_key: '00000000000000000000ffff7f000001',
        actor_type: 'user' as const,
        interface: 'API',
        resource_id: `resource-${i}`,
        resource_type: 'token',
        zone_name: i % 3 ? null : 'example.com',
        metadata: '{}',
        old_value: null,
        new_value: JSON.stringify({ i, note: 'ünïcödé ✓' }),
      }));
      for (let i = 0; i < tokens.length; i += 500)
        await t.store.db
          .insertInto('tokens')
          .values(tokens.slice(i, i + 500))
          .execute();
      for (let i = 0; i < audit.length; i += 500)
        await t.store.db
          .insertInto('audit_logs')
          .values(audit.slice(i, i + 500))
          .execute();
      const expected = await dumpStore(t);

      let started = performance.now();
      const saved = await adminOk<Snapshot>(t, 'POST', '/snapshots', { name: 'bulk' });
      const saveMs = performance.now() - started;
      expect(saved.rows).toBe(rowCount(expected));
      await adminOk(t, 'POST', '/reset');

      started = performance.now();
      await adminOk(t, 'POST', '/snapshots/bulk/restore');
      const restoreMs = performance.now() - started;
      expect(await dumpStore(t)).toEqual(expected);
      console.log(
        `snapshots on ${TEST_STORE}: ${saved.rows} rows saved in ${saveMs.toFixed(1)} ms, restored in ${restoreMs.toFixed(1)} ms`,
      );
    });
  });
});

describe('the audit entry count kept per user (migration 006)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ clock: new FakeClock() });
  });
  afterAll(async () => {
    await admin(t, 'DELETE', '/snapshots/counted');
    await t.close();
  });

  /** `total_count` of an unfiltered page, which reads the kept count. */
  async function totalCount(): Promise<number | undefined> {
    const page = await call<unknown[]>(t, 'GET', '/client/v4/user/audit_logs?per_page=1');
    expect(page.status).toBe(200);
    return page.body.result_info?.total_count;
  }

  /** The bootstrap user's entries as the store holds them, counted along the table. */
  async function storedCount(): Promise<number> {
    const { rows } = await sql<{ n: number | string }>`
      select count(*) as n from audit_logs
      where owner_id = (select id from users where email = ${BOOTSTRAP.email})`.execute(t.store.db);
    return Number(rows[0]?.n);
  }

  it('follows writes, a restore and a reset', async () => {
    await createToken(t, tokenBody(t.userId, { name: 'before the save' }));
    await adminOk(t, 'POST', '/snapshots', { name: 'counted' });
    const atSave = await storedCount();
    expect(atSave).toBeGreaterThan(0);
    expect(await totalCount()).toBe(atSave);

    await createToken(t, tokenBody(t.userId, { name: 'counted once' }));
    await createToken(t, tokenBody(t.userId, { name: 'counted twice' }));
    expect(await totalCount()).toBe(atSave + 2);

    await adminOk(t, 'POST', '/snapshots/counted/restore');
    expect(await totalCount()).toBe(atSave);

    await adminOk(t, 'POST', '/reset');
    expect(await totalCount()).toBe(await storedCount());

    await adminOk(t, 'POST', '/snapshots/counted/restore');
    expect(await totalCount()).toBe(atSave);
  });
});
