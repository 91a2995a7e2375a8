import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WriteCountedReadCache } from '../src/db/read-cache.js';
import { BOOTSTRAP, startTestServer, type TestServer } from './helpers/test-server.js';
import {
  call,
  createToken,
  DAY,
  GROUP,
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
    expect((await verify(`${first.value.slice(0, -1)}x`)).status).toBe(401);
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

describe('WriteCountedReadCache', () => {
  it('keeps a value until the write count moves', async () => {
    let writes = 0;
    let loads = 0;
    const cache = new WriteCountedReadCache(() => writes);
    const load = async () => ({ n: ++loads });
    expect(await cache.read('k', load)).toEqual({ n: 1 });
    expect(await cache.read('k', load)).toEqual({ n: 1 });
    writes++;
    expect(await cache.read('k', load)).toEqual({ n: 2 });
  });

  it('does not keep a value read while a write happened', async () => {
    let writes = 0;
    let loads = 0;
    const cache = new WriteCountedReadCache(() => writes);
    const racing = async () => {
      loads++;
      writes++; // a write lands while this read is in flight
      return { stale: true };
    };
    await cache.read('k', racing);
    expect(await cache.read('k', async () => ({ stale: false }))).toEqual({ stale: false });
    expect(loads).toBe(1);
  });

  it('lets the oldest entries go when the weight budget is spent, and keeps nothing heavier than it', async () => {
    const cache = new WriteCountedReadCache(() => 0);
    let loads = 0;
    const page = (size: number) => async () => ({ size, load: ++loads });
    const bySize = { weight: (value: { size: number }) => value.size };
    await cache.read('old', page(15_000), bySize);
    await cache.read('new', page(10_000), bySize);
    expect((await cache.read('new', page(10_000), bySize)).load).toBe(2);
    expect((await cache.read('old', page(15_000), bySize)).load).toBe(3);
    await cache.read('huge', page(50_000), bySize);
    expect((await cache.read('huge', page(50_000), bySize)).load).toBe(5);
  });

  it('does not keep undefined, so an unknown token is looked up again', async () => {
    let loads = 0;
    const cache = new WriteCountedReadCache(() => 0);
    const missing = async () => {
      loads++;
      return undefined;
    };
    await cache.read('k', missing);
    await cache.read('k', missing);
    expect(loads).toBe(2);
  });
});
