import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DashboardSession, Namespace } from '@userflare/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allAuditLogs } from './helpers/audit-fixtures.js';
import {
  createDashboardApp,
  type DashboardApp,
  fromDashboard,
  OWN_ORIGIN,
  sessionCookie,
  signIn,
} from './helpers/dashboard-app.js';
import { BOOTSTRAP, bearer, globalKey } from './helpers/test-server.js';
import { call, countTokens, createToken, type Envelope, HOUR, tokenBody } from './helpers/tokens-fixtures.js';

const ADMIN = { 'x-admin-key': BOOTSTRAP.adminKey };

function denialOf(response: { headers: Record<string, unknown> }): { reason: string; message: string } {
  return JSON.parse(String(response.headers['userflare-denial']));
}

async function countRowsOf(t: DashboardApp, table: 'tokens' | 'audit_logs'): Promise<number> {
  const row = await t.store.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

describe('the dashboard’s API proxy', () => {
  let t: DashboardApp;
  let narrow: { id: string; value: string };
  let narrowCookie: string;
  let fullCookie: string;

  beforeAll(async () => {
    t = await createDashboardApp();
    narrow = await createToken(t, tokenBody(t.userId, { name: 'narrow' }));
    narrowCookie = (await signIn(t, { token: narrow.value })).cookie as string;
    fullCookie = (await signIn(t, { token: BOOTSTRAP.token })).cookie as string;
  });
  afterAll(async () => {
    await t.close();
  });

  const get = (url: string, cookie: string | undefined, headers: Record<string, string> = {}) =>
    t.app.inject({
      url: `/dashboard/api/client/v4${url}`,
      headers: { ...fromDashboard(cookie), ...headers },
    });

  it('answers the API through the session cookie, with the same handlers', async () => {
    const user = await get('/user', fullCookie);
    expect(user.statusCode).toBe(200);
    expect(user.json().result.id).toBe(t.userId);
    const direct = await call(t, 'GET', '/client/v4/user');
    expect(user.json()).toEqual(direct.body);
    const tokens = await get('/user/tokens?per_page=5', narrowCookie);
    expect(tokens.statusCode).toBe(200);
    expect(tokens.json().result_info.per_page).toBe(5);
  });

  it('ignores Authorization and X-Auth-* headers: the credential is the session’s', async () => {
    const bare = await get('/user/tokens', undefined, bearer(BOOTSTRAP.token));
    expect(bare.statusCode).toBe(401);
    expect(bare.json().errors).toEqual([
      { code: 9106, message: 'No dashboard session: sign in at /dashboard/' },
    ]);
    expect(denialOf(bare)).toMatchObject({
      reason: 'no_credential',
      message: 'no dashboard session: sign in at /dashboard/',
    });
    expect((await get('/user', undefined, globalKey())).statusCode).toBe(401);

    const before = await countTokens(t);
    const create = await t.app.inject({
      method: 'POST',
      path: '/dashboard/api/client/v4/user/tokens',
      headers: { ...fromDashboard(narrowCookie), ...bearer(BOOTSTRAP.token) },
      payload: tokenBody(t.userId),
    });
    expect(create.statusCode).toBe(403);
    expect(create.json().errors[0].code).toBe(10000);
    expect(denialOf(create)).toMatchObject({
      reason: 'permission_missing',
      credential: { token_id: narrow.id },
    });
    expect(await countTokens(t)).toBe(before);
  });

  it.each([
    ['without Origin', { 'x-userflare-dashboard': '1' }, 'the Origin header is missing'],
    [
      'from another origin',
      { origin: 'https://evil.example', 'x-userflare-dashboard': '1' },
      `the Origin header "https://evil.example" is not this server's origin "${OWN_ORIGIN}"`,
    ],
    [
      'without X-Userflare-Dashboard',
      { origin: OWN_ORIGIN },
      'the X-Userflare-Dashboard: 1 header is missing',
    ],
    [
      'with X-Userflare-Dashboard other than 1',
      { origin: OWN_ORIGIN, 'x-userflare-dashboard': 'yes' },
      'the X-Userflare-Dashboard: 1 header is missing',
    ],
  ])('refuses an unsafe request %s and changes nothing', async (_name, headers, why) => {
    const tokens = await countRowsOf(t, 'tokens');
    const audit = await countRowsOf(t, 'audit_logs');
    for (const [method, url, payload] of [
      ['POST', '/dashboard/api/client/v4/user/tokens', tokenBody(t.userId)],
      ['PATCH', '/dashboard/api/client/v4/user', { first_name: 'Mallory' }],
      ['DELETE', `/dashboard/api/client/v4/user/tokens/${narrow.id}`, undefined],
      ['DELETE', '/dashboard/api/session', undefined],
      ['PUT', '/dashboard/api/__userflare/clock', { advance_seconds: 60 }],
    ] as const) {
      const response = await t.app.inject({
        method,
        url,
        headers: { ...headers, cookie: fullCookie },
        ...(payload === undefined ? {} : { payload }),
      });
      expect(response.statusCode, `${method} ${url}`).toBe(403);
      expect(response.json().errors).toEqual([{ code: 1403, message: `Cross-site request refused: ${why}` }]);
    }
    expect(await countRowsOf(t, 'tokens')).toBe(tokens);
    expect(await countRowsOf(t, 'audit_logs')).toBe(audit);
    expect((await get('/user', fullCookie)).json().result.first_name).not.toBe('Mallory');
    expect((await get('/user', fullCookie)).statusCode).toBe(200);
  });

  it('records the session’s user and token as the audit actor of a proxied write, from the UI', async () => {
    const response = await t.app.inject({
      method: 'PATCH',
      url: '/dashboard/api/client/v4/user',
      headers: fromDashboard(fullCookie),
      payload: { first_name: 'Dashboard' },
    });
    expect(response.statusCode).toBe(200);
    const [entry] = await allAuditLogs(t);
    expect(entry).toMatchObject({
      action: { type: 'update' },
      actor: { id: t.userId, email: BOOTSTRAP.email, ip: '127.0.0.1' },
      metadata: { token_id: (await bootstrapId(t)) as string },
      interface: 'UI',
    });
  });

  it('goes through the journal and the injected faults like any API request', async () => {
    await t.app.inject({ method: 'DELETE', url: '/__userflare/journal', headers: ADMIN });
    await get('/user/tokens', narrowCookie);
    const journal = await t.app.inject({ url: '/__userflare/journal', headers: ADMIN });
    expect(journal.json().result[0]).toMatchObject({
      method: 'GET',
      path: '/dashboard/api/client/v4/user/tokens',
      status: 200,
      token_id: narrow.id,
    });
    const fault = await t.app.inject({
      method: 'POST',
      url: '/__userflare/faults',
      headers: ADMIN,
      payload: { method: 'GET', path: '/user/tokens', status: 503, times: 1 },
    });
    expect(fault.statusCode).toBe(200);
    const failed = await get('/user/tokens', narrowCookie);
    expect(failed.statusCode).toBe(503);
    expect(failed.json().errors[0].code).toBe(1599);
    expect((await get('/user/tokens', narrowCookie)).statusCode).toBe(200);
  });

  it('lets an identified session through in report mode, as the API does', async () => {
    const mode = (m: string) =>
      t.app.inject({ method: 'PUT', url: '/__userflare/enforcement', headers: ADMIN, payload: { mode: m } });
    await mode('report');
    try {
      const response = await t.app.inject({
        method: 'PATCH',
        url: '/dashboard/api/client/v4/user',
        headers: fromDashboard(narrowCookie),
        payload: { last_name: 'Reported' },
      });
      expect(response.statusCode).toBe(200);
      expect(denialOf(response)).toMatchObject({ reason: 'permission_missing', reported_only: true });
      // No session is never let through.
      expect((await get('/user', undefined)).statusCode).toBe(401);
    } finally {
      await mode('enforce');
    }
  });

  it('answers verify for a token session, and as the API does for a global-key one', async () => {
    const verified = await get('/user/tokens/verify', narrowCookie);
    expect(verified.statusCode).toBe(200);
    expect(verified.json().result.id).toBe(narrow.id);
    const keyCookie = (await signIn(t, { email: BOOTSTRAP.email, api_key: BOOTSTRAP.apiKey })).cookie;
    const refused = await get('/user/tokens/verify', keyCookie);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().errors[0].code).toBe(1001);
    expect((await get('/user', keyCookie)).statusCode).toBe(200);
  });
});

async function bootstrapId(t: DashboardApp): Promise<string | undefined> {
  const row = await t.store.db
    .selectFrom('tokens')
    .select('id')
    .where('name', '=', 'userflare bootstrap token')
    .executeTakeFirst();
  return row?.id;
}

describe('a dashboard session whose credential changes', () => {
  let t: DashboardApp;
  beforeAll(async () => {
    t = await createDashboardApp();
  });
  afterAll(async () => {
    await t.close();
  });

  async function signedInWith(name: string, overrides: Record<string, unknown> = {}) {
    const token = await createToken(t, tokenBody(t.userId, { name, ...overrides }));
    const { cookie } = await signIn(t, { token: token.value });
    const response = await t.app.inject({
      url: '/dashboard/api/client/v4/user/tokens',
      headers: fromDashboard(cookie),
    });
    expect(response.statusCode).toBe(200);
    return { token, cookie: cookie as string };
  }

  async function expectEnded(cookie: string, reason: string) {
    const response = await t.app.inject({
      url: '/dashboard/api/client/v4/user/tokens',
      headers: fromDashboard(cookie),
    });
    expect(response.statusCode).toBe(401);
    expect(response.json().errors).toEqual([{ code: 9109, message: 'Invalid access token' }]);
    expect(denialOf(response)).toMatchObject({
      reason,
      message: 'the dashboard session ended: its token was rolled, disabled, deleted or has expired',
    });
    // Ended server-side: the next request has no session at all.
    const next = await t.app.inject({ url: '/dashboard/api/session', headers: fromDashboard(cookie) });
    expect(next.statusCode).toBe(401);
    expect(next.json().errors[0].code).toBe(9106);
  }

  it('ends on the next request after its token is rolled', async () => {
    const { token, cookie } = await signedInWith('rolled');
    expect((await call(t, 'PUT', `/user/tokens/${token.id}/value`, { body: {} })).status).toBe(200);
    await expectEnded(cookie, 'unknown_credential');
  });

  it('ends on the next request after its token is disabled', async () => {
    const { token, cookie } = await signedInWith('disabled');
    const disabled = await call(t, 'PUT', `/user/tokens/${token.id}`, {
      body: { ...tokenBody(t.userId, { name: 'disabled' }), status: 'disabled' },
    });
    expect(disabled.status).toBe(200);
    await expectEnded(cookie, 'token_disabled');
  });

  it('ends on the next request after its token is deleted', async () => {
    const { token, cookie } = await signedInWith('deleted');
    expect((await call(t, 'DELETE', `/user/tokens/${token.id}`)).status).toBe(200);
    await expectEnded(cookie, 'unknown_credential');
  });

  it('ends on the next request after its token expires on the emulated clock', async () => {
    const { cookie } = await signedInWith('expiring', { expires_on: t.clock.iso(HOUR) });
    const moved = await t.app.inject({
      method: 'PUT',
      url: '/__userflare/clock',
      headers: ADMIN,
      payload: { advance_seconds: 2 * 3600 },
    });
    expect(moved.statusCode).toBe(200);
    try {
      await expectEnded(cookie, 'token_expired');
    } finally {
      await t.app.inject({ method: 'DELETE', url: '/__userflare/clock', headers: ADMIN });
    }
  });

  it('ends a global-key session when the user’s key changes', async () => {
    const { cookie } = await signIn(t, { email: BOOTSTRAP.email, api_key: BOOTSTRAP.apiKey });
    const ok = await t.app.inject({ url: '/dashboard/api/client/v4/user', headers: fromDashboard(cookie) });
    expect(ok.statusCode).toBe(200);
    const { api_key_hash } = await t.store.db
      .selectFrom('users')
      .select('api_key_hash')
      .where('id', '=', t.userId)
      .executeTakeFirstOrThrow();
    await t.store.db
      .updateTable('users')
      .set({ api_key_hash: t.ctx.keyring.hash('f'.repeat(37)) })
      .where('id', '=', t.userId)
      .execute();
    try {
      const response = await t.app.inject({
        url: '/dashboard/api/client/v4/user',
        headers: fromDashboard(cookie),
      });
      expect(response.statusCode).toBe(401);
      expect(denialOf(response).reason).toBe('unknown_credential');
    } finally {
      await t.store.db.updateTable('users').set({ api_key_hash }).where('id', '=', t.userId).execute();
    }
  });

  it('keeps the session when only the IP condition refuses: the API’s 403, then 200 from an allowed address', async () => {
    const token = await createToken(
      t,
      tokenBody(t.userId, { name: 'fenced', condition: { request_ip: { in: ['10.0.0.0/8'] } } }),
    );
    const signed = await t.app.inject({
      method: 'POST',
      url: '/dashboard/api/session',
      headers: fromDashboard(undefined),
      payload: { token: token.value },
      remoteAddress: '10.0.0.1',
    });
    const cookie = sessionCookie(signed);
    const outside = await t.app.inject({
      url: '/dashboard/api/client/v4/user/tokens',
      headers: fromDashboard(cookie),
    });
    expect(outside.statusCode).toBe(403);
    expect(outside.json().errors[0].message).toBe('Cannot use the access token from location: 127.0.0.1');
    const inside = await t.app.inject({
      path: '/dashboard/api/client/v4/user/tokens',
      headers: fromDashboard(cookie),
      remoteAddress: '10.0.0.1',
    });
    expect(inside.statusCode).toBe(200);
  });

  it('records the token as used', async () => {
    const { token, cookie } = await signedInWith('used');
    t.clock.advance(HOUR);
    await t.app.inject({ url: '/dashboard/api/client/v4/user', headers: fromDashboard(cookie) });
    const read = await call<{ last_used_on?: string }>(t, 'GET', `/user/tokens/${token.id}`);
    expect(read.body.result.last_used_on).toBe(t.clock.iso());
  });
});

describe('the dashboard in a namespace', () => {
  let t: DashboardApp;
  let namespace: Namespace;
  beforeAll(async () => {
    t = await createDashboardApp();
    const created = await t.app.inject({
      method: 'POST',
      url: '/__userflare/namespaces',
      headers: ADMIN,
      payload: { id: 'dash' },
    });
    expect(created.statusCode).toBe(200);
    namespace = created.json().result;
  });
  afterAll(async () => {
    await t.close();
  });

  it('signs in with the namespace’s token, on its own store and paths, and refuses the root’s token', async () => {
    const root = await signIn(t, { token: BOOTSTRAP.token }, { prefix: '/ns/dash' });
    expect(root.response.statusCode).toBe(403);
    expect(root.response.json().errors[0].code).toBe(9109);

    const { response, cookie } = await signIn(
      t,
      { token: namespace.token as string },
      { prefix: '/ns/dash' },
    );
    expect(response.statusCode).toBe(200);
    expect(String(response.headers['set-cookie'])).toContain('Path=/ns/dash/dashboard;');
    const session = (response.json() as Envelope<DashboardSession>).result;
    expect(session).toMatchObject({
      api_base: '/ns/dash/dashboard/api/client/v4',
      admin_base: '/ns/dash/dashboard/api/__userflare',
      server_url: 'http://localhost:80/ns/dash/client/v4',
    });
    const user = await t.app.inject({
      url: '/ns/dash/dashboard/api/client/v4/user',
      headers: fromDashboard(cookie),
    });
    expect(user.statusCode).toBe(200);
    expect(user.json().result.id).toBe(session.user?.id);
    expect(user.json().result.id).not.toBe(t.userId);
    expect(user.headers['content-security-policy']).toBeDefined();
    // The root knows nothing of the namespace's session.
    expect(
      (await t.app.inject({ url: '/dashboard/api/session', headers: fromDashboard(cookie) })).statusCode,
    ).toBe(401);
    const none = await t.app.inject({
      url: '/ns/dash/dashboard/api/client/v4/user',
      headers: fromDashboard(undefined),
    });
    expect(none.json().errors[0].message).toBe('No dashboard session: sign in at /ns/dash/dashboard/');
  });

  it('serves the same pages with the namespace’s base', async () => {
    const page = await t.app.inject({ url: '/ns/dash/dashboard/tokens' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<base href="/ns/dash/dashboard/">');
    expect(page.body).not.toContain('<base href="/dashboard/">');
    // As Vite writes it.
    const index = join(t.assets, 'index.html');
    const built = readFileSync(index, 'utf8');
    writeFileSync(index, built.replace('<base href="/dashboard/">', '<base href="/dashboard/" />'));
    try {
      const vite = await t.app.inject({ url: '/ns/dash/dashboard/' });
      expect(vite.body).toContain('<base href="/ns/dash/dashboard/">');
      expect(vite.body).not.toContain('href="/dashboard/"');
    } finally {
      writeFileSync(index, built);
    }
    const bare = await t.app.inject({ url: '/ns/dash/dashboard?x=1' });
    expect(bare.statusCode).toBe(308);
    expect(bare.headers.location).toBe('/ns/dash/dashboard/?x=1');
    const script = await t.app.inject({ url: '/ns/dash/dashboard/assets/app.js' });
    expect(script.statusCode).toBe(200);
  });

  it('opens the namespace’s own admin plane to its emulator sign-in', async () => {
    const opened = await t.app.inject({
      method: 'POST',
      url: '/ns/dash/dashboard/api/session/emulator',
      headers: fromDashboard(undefined),
      payload: { admin_key: BOOTSTRAP.adminKey },
    });
    expect(opened.statusCode).toBe(200);
    const cookie = sessionCookie(opened);
    const clock = await t.app.inject({
      url: '/ns/dash/dashboard/api/__userflare/clock',
      headers: fromDashboard(cookie),
    });
    expect(clock.statusCode).toBe(200);
  });
});

describe('the dashboard over real HTTP', () => {
  let t: DashboardApp;
  let origin: string;
  beforeAll(async () => {
    t = await createDashboardApp();
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const address = t.app.server.address();
    if (typeof address !== 'object' || address === null) throw new Error('not listening');
    origin = `http://127.0.0.1:${address.port}`;
  });
  afterAll(async () => {
    await t.close();
  });

  it('signs in, calls the API with the cookie alone, and checks the Origin against its own host', async () => {
    const headers = { origin, 'x-userflare-dashboard': '1', 'content-type': 'application/json' };
    const signed = await fetch(`${origin}/dashboard/api/session`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ token: BOOTSTRAP.token }),
    });
    expect(signed.status).toBe(200);
    const cookie = (signed.headers.get('set-cookie') ?? '').split(';')[0] as string;
    const session = ((await signed.json()) as Envelope<DashboardSession>).result;
    expect(session.server_url).toBe(`${origin}/client/v4`);
    const tokens = await fetch(`${origin}${session.api_base}/user/tokens`, { headers: { cookie } });
    expect(tokens.status).toBe(200);
    const spoofed = await fetch(`${origin}${session.api_base}/user`, {
      method: 'PATCH',
      headers: { ...headers, cookie, origin: 'http://localhost:1' },
      body: JSON.stringify({ first_name: 'X' }),
    });
    expect(spoofed.status).toBe(403);
    const patched = await fetch(`${origin}${session.api_base}/user`, {
      method: 'PATCH',
      headers: { ...headers, cookie },
      body: JSON.stringify({ first_name: 'Real' }),
    });
    expect(patched.status).toBe(200);
  });
});
