import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  WriteCountedReadCache,
  WriteCounters,
  type WriteEffect,
  writeEffectOf,
} from '../src/db/read-cache.js';
import { BOOTSTRAP, startTestServer, type TestServer } from './helpers/test-server.js';
import {
  call,
  createToken,
  DAY,
  GROUP,
  insertAccount,
  insertMembership,
  insertOtherUser,
  policy,
  tokenBody,
  userResource,
  useTestApp,
} from './helpers/tokens-fixtures.js';

// Reads reused between writes (issue 6) must never let a token through that the store would refuse:
// each case first warms the cache with the token, then changes it and expects the very next request
// to see the change.

const WARM_UP = 5;

async function verifyStatus(h: ReturnType<typeof useTestApp>, token: string): Promise<number> {
  return (await call(h.t, 'GET', '/client/v4/user/tokens/verify', { token })).status;
}

async function warmedToken(h: ReturnType<typeof useTestApp>) {
  const created = await createToken(h.t, tokenBody(h.t.userId));
  for (let i = 0; i < WARM_UP; i++) expect(await verifyStatus(h, created.value)).toBe(200);
  return created;
}

describe('cached credentials follow every change at once', () => {
  const h = useTestApp();

  it('refuses a token on the request after it is disabled, and takes it back once enabled', async () => {
    const token = await warmedToken(h);
    const body = { name: token.name, policies: token.policies, status: 'disabled' };
    expect((await call(h.t, 'PUT', `/client/v4/user/tokens/${token.id}`, { body })).status).toBe(200);
    expect(await verifyStatus(h, token.value)).toBe(401);
    const enable = { ...body, status: 'active' };
    expect((await call(h.t, 'PUT', `/client/v4/user/tokens/${token.id}`, { body: enable })).status).toBe(200);
    expect(await verifyStatus(h, token.value)).toBe(200);
  });

  it('refuses the old value on the request after a roll and accepts the new one', async () => {
    const token = await warmedToken(h);
    const rolled = await call<string>(h.t, 'PUT', `/client/v4/user/tokens/${token.id}/value`, { body: {} });
    expect(rolled.status).toBe(200);
    expect(await verifyStatus(h, token.value)).toBe(401);
    expect(await verifyStatus(h, rolled.body.result)).toBe(200);
  });

  it('refuses a token on the request after it is deleted', async () => {
    const token = await warmedToken(h);
    expect((await call(h.t, 'DELETE', `/client/v4/user/tokens/${token.id}`)).status).toBe(200);
    expect(await verifyStatus(h, token.value)).toBe(401);
  });

  it('refuses a cached token once the clock passes its expiry, with no write in between', async () => {
    const token = await createToken(h.t, tokenBody(h.t.userId, { expires_on: h.clock.iso(DAY) }));
    for (let i = 0; i < WARM_UP; i++) expect(await verifyStatus(h, token.value)).toBe(200);
    h.clock.advance(DAY);
    expect(await verifyStatus(h, token.value)).toBe(401);
  });

  it('applies a narrowed policy on the request after the edit', async () => {
    const token = await createToken(
      h.t,
      tokenBody(h.t.userId, { policies: [policy([GROUP.userDetailsRead], userResource(h.t.userId))] }),
    );
    for (let i = 0; i < WARM_UP; i++) {
      expect((await call(h.t, 'GET', '/client/v4/user', { token: token.value })).status).toBe(200);
    }
    const narrowed = {
      name: token.name,
      policies: [policy([GROUP.apiTokensRead], userResource(h.t.userId))],
    };
    expect((await call(h.t, 'PUT', `/client/v4/user/tokens/${token.id}`, { body: narrowed })).status).toBe(
      200,
    );
    expect((await call(h.t, 'GET', '/client/v4/user', { token: token.value })).status).toBe(403);
  });

  it('shows a profile edit on the next GET /user', async () => {
    for (let i = 0; i < WARM_UP; i++) await call(h.t, 'GET', '/client/v4/user');
    const edited = await call(h.t, 'PATCH', '/client/v4/user', { body: { zipcode: 'cache-1' } });
    expect(edited.status).toBe(200);
    const user = await call<{ zipcode: string }>(h.t, 'GET', '/client/v4/user');
    expect(user.body.result.zipcode).toBe('cache-1');
  });

  it('never serves a disabled token again, whatever verifies were in flight when it was disabled', async () => {
    const token = await warmedToken(h);
    const inFlight = Array.from({ length: 50 }, () => verifyStatus(h, token.value));
    const body = { name: token.name, policies: token.policies, status: 'disabled' };
    const disabled = await call(h.t, 'PUT', `/client/v4/user/tokens/${token.id}`, { body });
    expect(disabled.status).toBe(200);
    await Promise.all(inFlight);
    const after = await Promise.all(Array.from({ length: 20 }, () => verifyStatus(h, token.value)));
    expect(after.every((status) => status === 401)).toBe(true);
  });

  it('applies a membership change to account-scoped permissions on the next request', async () => {
    const accountId = await insertAccount(h.t, h.t.userId);
    const token = await createToken(
      h.t,
      tokenBody(h.t.userId, {
        policies: [
          policy([GROUP.accountSettingsWrite], { [`com.cloudflare.api.account.${accountId}`]: '*' }),
        ],
      }),
    );
    const auditStatus = async () =>
      (await call(h.t, 'GET', '/client/v4/user/audit_logs?per_page=1', { token: token.value })).status;
    const membership = h.t.store.db
      .updateTable('memberships')
      .where('organization_id', '=', accountId)
      .where('user_id', '=', h.t.userId);
    for (let i = 0; i < WARM_UP; i++) expect(await auditStatus(), 'a member').toBe(200);
    await membership.set({ status: 'pending' }).execute();
    for (let i = 0; i < WARM_UP; i++) expect(await auditStatus(), 'membership not accepted').toBe(403);
    await h.t.store.db.deleteFrom('memberships').where('organization_id', '=', accountId).execute();
    expect(await auditStatus()).toBe(403);
    await insertMembership(h.t, h.t.userId, accountId);
    expect(await auditStatus(), 'a member again: an inserted row changes the list').toBe(200);
    await h.t.store.db.deleteFrom('organizations').where('id', '=', accountId).execute();
    expect(await auditStatus(), 'the account and, by cascade, the membership are gone').toBe(403);
  });

  it('keeps serving a cached token while tokens are created, and refuses it once its user is deleted', async () => {
    const other = await insertOtherUser(h.t, 'cascade@example.com');
    for (let i = 0; i < WARM_UP; i++) expect(await verifyStatus(h, other.tokenValue)).toBe(200);
    await createToken(h.t, tokenBody(h.t.userId, { name: 'created between two verifies' }));
    expect(await verifyStatus(h, other.tokenValue)).toBe(200);
    // The token row goes by the foreign key's cascade, with no statement naming the tokens table.
    await h.t.store.db.deleteFrom('users').where('id', '=', other.userId).execute();
    expect(await verifyStatus(h, other.tokenValue)).toBe(401);
  });

  it('refuses a cached token once the admin plane resets the store', async () => {
    const token = await warmedToken(h);
    const reset = await h.t.app.inject({
      method: 'POST',
      url: '/__userflare/reset',
      headers: { 'x-admin-key': BOOTSTRAP.adminKey },
    });
    expect(reset.statusCode).toBe(200);
    expect(await verifyStatus(h, token.value)).toBe(401);
  });
});

describe('one keep-alive connection presenting several tokens', () => {
  // A connection keeps the keyed hash of the value it last presented (issue 6): it must never answer
  // for another value, nor outlive a roll, a disable or a delete.
  let server: TestServer;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const ports = new Set<number>();

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    agent.destroy();
    await server?.close();
  });

  function send(method: string, path: string, token: string, body?: unknown) {
    return new Promise<{ status: number; body: { result: { id?: string; value?: string } | null } }>(
      (resolve, reject) => {
        const req = request(
          `${server.baseURL}${path}`,
          {
            method,
            agent,
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          },
          (res) => {
            ports.add(res.socket.localPort ?? 0);
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (chunk) => {
              text += chunk;
            });
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
          },
        );
        req.on('error', reject);
        req.end(body === undefined ? undefined : JSON.stringify(body));
      },
    );
  }
  const verify = (token: string) => send('GET', '/user/tokens/verify', token);
  const create = async (name: string) => {
    const created = await send('POST', '/user/tokens', BOOTSTRAP.token, tokenBody(server.userId, { name }));
    expect(created.status).toBe(200);
    return created.body.result as { id: string; value: string };
  };

  it('answers each request for the token it presents, whatever the connection presented before', async () => {
    const first = await create('first on the connection');
    const second = await create('second on the connection');
    for (const token of [first, first, second, first, second, second, first]) {
      const reply = await verify(token.value);
      expect(reply.status).toBe(200);
      expect(reply.body.result?.id).toBe(token.id);
    }
    // Another last character: a value may end in any of them.
    const tampered = `${first.value.slice(0, -1)}${first.value.endsWith('x') ? 'y' : 'x'}`;
    expect((await verify(tampered)).status).toBe(401);
    expect((await verify(first.value)).body.result?.id).toBe(first.id);
  });

  it('refuses the old value on the same connection after a roll, a disable or a delete', async () => {
    const rolled = await create('rolled on the connection');
    expect((await verify(rolled.value)).status).toBe(200);
    const roll = await send('PUT', `/user/tokens/${rolled.id}/value`, BOOTSTRAP.token, {});
    expect(roll.status).toBe(200);
    expect((await verify(rolled.value)).status).toBe(401);
    expect((await verify(String(roll.body.result))).status).toBe(200);

    const deleted = await create('deleted on the connection');
    expect((await verify(deleted.value)).status).toBe(200);
    expect((await send('DELETE', `/user/tokens/${deleted.id}`, BOOTSTRAP.token)).status).toBe(200);
    expect((await verify(deleted.value)).status).toBe(401);
    expect(ports.size, 'every request went over one connection').toBe(1);
  });
});

describe('cached pages follow writes and the clock', () => {
  const h = useTestApp();

  const listedIds = async () =>
    (await call<{ id: string }[]>(h.t, 'GET', '/client/v4/user/tokens?per_page=50')).body.result.map(
      (token) => token.id,
    );

  it('drops a token from the cached list when the clock passes its expiry, and shows it again when set back', async () => {
    const expiring = await createToken(h.t, tokenBody(h.t.userId, { expires_on: h.clock.iso(DAY) }));
    for (let i = 0; i < WARM_UP; i++) expect(await listedIds()).toContain(expiring.id);
    h.clock.advance(DAY);
    expect(await listedIds()).not.toContain(expiring.id);
    h.clock.advance(-DAY);
    expect(await listedIds()).toContain(expiring.id);
  });

  it('shows the audit entry of a write on the next audit page read', async () => {
    const page = async () =>
      (await call<{ id: string }[]>(h.t, 'GET', '/client/v4/user/audit_logs?per_page=5')).body;
    for (let i = 0; i < WARM_UP; i++) await page();
    const before = (await page()).result_info?.total_count ?? 0;
    expect((await call(h.t, 'PATCH', '/client/v4/user', { body: { zipcode: 'audit-1' } })).status).toBe(200);
    expect((await page()).result_info?.total_count).toBe(before + 1);
  });
});

describe('writeEffectOf', () => {
  const h = useTestApp();

  it('reads the table and kind of the statements the repositories send', () => {
    const db = h.t.store.db;
    const insert = db
      .insertInto('tokens')
      .values({ id: 'x' } as never)
      .compile().sql;
    const upsert = db
      .insertInto('audit_counts')
      .values({ owner_id: 'x', shard: 0, entries: 1 })
      .onConflict((conflict) => conflict.columns(['owner_id', 'shard']).doUpdateSet({ entries: 2 }))
      .compile().sql;
    const update = db.updateTable('tokens').set({ name: 'x' }).where('id', '=', 'x').compile().sql;
    const remove = db.deleteFrom('memberships').where('id', '=', 'x').compile().sql;
    expect(writeEffectOf(insert)).toEqual({ kind: 'insert', table: 'tokens' });
    expect(writeEffectOf(upsert)).toEqual({ kind: 'change', table: 'audit_counts' });
    expect(writeEffectOf(update)).toEqual({ kind: 'change', table: 'tokens' });
    expect(writeEffectOf(remove), 'a delete cascades').toEqual({ kind: 'any' });
  });

  it('takes anything it does not know for a write that may change every table', () => {
    for (const text of [
      'insert or replace into tokens (id) values (?)',
      'replace into tokens (id) values (?)',
      'insert into "main"."tokens" ("id") values (?)',
      'with picked as (select 1) insert into tokens select * from picked',
      'create table t (id text)',
      'drop table tokens',
      'pragma wal_checkpoint(PASSIVE)',
    ]) {
      expect(writeEffectOf(text), text).toEqual({ kind: 'any' });
    }
    expect(
      writeEffectOf('insert into audit_counts (owner_id, entries) select owner_id, 1 from audit_logs'),
    ).toEqual({
      kind: 'insert',
      table: 'audit_counts',
    });
  });
});

describe('WriteCountedReadCache', () => {
  let loads = 0;
  const load = async () => ({ n: ++loads });

  it('keeps a value until the next write of any kind', async () => {
    const counters = new WriteCounters();
    const cache = new WriteCountedReadCache(counters);
    const first = await cache.read('k', load);
    expect(await cache.read('k', load)).toBe(first);
    counters.record({ kind: 'insert', table: 'audit_logs' });
    expect(await cache.read('k', load)).not.toBe(first);
  });

  it('keeps rows found by key across inserts and writes to other tables, not across a change to them', async () => {
    const counters = new WriteCounters();
    const cache = new WriteCountedReadCache(counters);
    const scope = { tables: ['tokens', 'users'] as const, rowsByKey: true };
    const first = await cache.read('token', load, scope);
    counters.record({ kind: 'insert', table: 'tokens' });
    counters.record({ kind: 'insert', table: 'audit_logs' });
    counters.record({ kind: 'change', table: 'audit_counts' });
    expect(await cache.read('token', load, scope)).toBe(first);
    counters.record({ kind: 'change', table: 'users' });
    const second = await cache.read('token', load, scope);
    expect(second).not.toBe(first);
    counters.record({ kind: 'any' });
    expect(await cache.read('token', load, scope)).not.toBe(second);
  });

  it('drops a list when its table gains a row, and keeps it across writes to other tables', async () => {
    const counters = new WriteCounters();
    const cache = new WriteCountedReadCache(counters);
    const scope = { tables: ['memberships'] as const };
    const first = await cache.read('accounts', load, scope);
    counters.record({ kind: 'insert', table: 'tokens' });
    counters.record({ kind: 'change', table: 'users' });
    expect(await cache.read('accounts', load, scope)).toBe(first);
    counters.record({ kind: 'insert', table: 'memberships' });
    expect(await cache.read('accounts', load, scope)).not.toBe(first);
  });

  it('does not keep a value read while a write that matters to it happened', async () => {
    const counters = new WriteCounters();
    const cache = new WriteCountedReadCache(counters);
    const racing = (effect: WriteEffect) => async () => {
      counters.record(effect); // a write lands while this read is in flight
      return { raced: effect.kind };
    };
    await cache.read('k', racing({ kind: 'insert', table: 'audit_logs' }));
    expect(await cache.read('k', async () => ({ raced: 'none' }))).toEqual({ raced: 'none' });
    const scope = { tables: ['tokens'] as const, rowsByKey: true };
    await cache.read('token', racing({ kind: 'change', table: 'tokens' }), scope);
    expect(await cache.read('token', async () => ({ raced: 'none' }), scope)).toEqual({ raced: 'none' });
    const kept = await cache.read('other token', racing({ kind: 'insert', table: 'tokens' }), scope);
    expect(await cache.read('other token', load, scope), 'an insert changes no row found by key').toBe(kept);
  });

  it('lets the oldest entries go when the weight budget is spent, and keeps nothing heavier than it', async () => {
    const cache = new WriteCountedReadCache(new WriteCounters());
    let pageLoads = 0;
    const page = (size: number) => async () => ({ size, load: ++pageLoads });
    const bySize = { weight: (value: { size: number }) => value.size };
    await cache.read('old', page(15_000), bySize);
    await cache.read('new', page(10_000), bySize);
    expect((await cache.read('new', page(10_000), bySize)).load).toBe(2);
    expect((await cache.read('old', page(15_000), bySize)).load).toBe(3);
    await cache.read('huge', page(50_000), bySize);
    expect((await cache.read('huge', page(50_000), bySize)).load).toBe(5);
  });

  it('does not keep undefined, so an unknown token is looked up again', async () => {
    let misses = 0;
    const cache = new WriteCountedReadCache(new WriteCounters());
    const missing = async () => {
      misses++;
      return undefined;
    };
    const scope = { tables: ['tokens'] as const, rowsByKey: true };
    await cache.read('k', missing, scope);
    await cache.read('k', missing, scope);
    expect(misses).toBe(2);
  });
});
