import type { DashboardSession } from '@userflare/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allAuditLogs } from './helpers/audit-fixtures.js';
import {
  createDashboardApp,
  type DashboardApp,
  fromDashboard,
  sessionCookie,
  sessionSetCookie,
  signIn,
} from './helpers/dashboard-app.js';
import { BOOTSTRAP } from './helpers/test-server.js';
import {
  call,
  createToken,
  type Envelope,
  GROUP,
  HOUR,
  policy,
  tokenBody,
  userResource,
} from './helpers/tokens-fixtures.js';

function denialOf(response: { headers: Record<string, unknown> }): { reason: string; message: string } {
  return JSON.parse(String(response.headers['userflare-denial']));
}

async function getSession(t: DashboardApp, cookie: string | undefined, prefix = '') {
  return t.app.inject({ url: `${prefix}/dashboard/api/session`, headers: fromDashboard(cookie) });
}

async function sessionRows(t: DashboardApp) {
  return t.store.db.selectFrom('dashboard_sessions').selectAll().execute();
}

describe('dashboard sign-in', () => {
  let t: DashboardApp;
  beforeAll(async () => {
    t = await createDashboardApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('signs in with an API token and answers the session, its cookie HttpOnly, SameSite=Strict, on /dashboard', async () => {
    const { response, cookie } = await signIn(t, { token: BOOTSTRAP.token });
    expect(response.statusCode).toBe(200);
    const session = (response.json() as Envelope<DashboardSession>).result;
    expect(session.user).toEqual({ id: t.userId, email: BOOTSTRAP.email });
    expect(session.credential?.kind).toBe('token');
    expect(session).toMatchObject({
      emulator: false,
      emulator_available: true,
      api_base: '/dashboard/api/client/v4',
      admin_base: '/dashboard/api/__userflare',
      server_url: 'http://localhost:80/client/v4',
      // The session clock, not the emulator's: 2 h idle, 12 h at most.
      idle_expires_on: '2030-06-01T02:00:00Z',
      expires_on: '2030-06-01T12:00:00Z',
    });
    const set = sessionSetCookie(response) as string;
    const attributes = set.split(/; */).slice(1);
    expect(attributes.sort()).toEqual(['HttpOnly', 'Path=/dashboard', 'SameSite=Strict']);
    expect(cookie).toMatch(/^userflare_session=[A-Za-z0-9_-]{43}$/);
    const again = await getSession(t, cookie);
    expect(again.statusCode).toBe(200);
    expect((again.json() as Envelope<DashboardSession>).result.user?.id).toBe(t.userId);
  });

  it('signs in with an email and global API key', async () => {
    const { response } = await signIn(t, { email: BOOTSTRAP.email, api_key: BOOTSTRAP.apiKey });
    expect(response.statusCode).toBe(200);
    const session = (response.json() as Envelope<DashboardSession>).result;
    expect(session.credential).toEqual({ kind: 'global_key' });
    expect(Object.values(session.capabilities).every((c) => c.allowed)).toBe(true);
    expect(Object.keys(session.capabilities)).toContain('POST /client/v4/user/tokens');
  });

  it.each([
    ['an unknown token', { token: 'cfut_unknownunknownunknownunknownunknown1234aaaaaa' }, 403, 9109],
    ['a value that is no token at all', { token: 'not a token' }, 403, 9109],
    ['a wrong global key', { email: BOOTSTRAP.email, api_key: 'f'.repeat(37) }, 403, 9103],
    ['an unknown email', { email: 'nobody@example.com', api_key: BOOTSTRAP.apiKey }, 403, 9103],
    ['a malformed global key', { email: BOOTSTRAP.email, api_key: 'nope' }, 403, 9103],
  ])('refuses %s with the API’s error and sets no cookie', async (_name, body, status, code) => {
    const before = (await sessionRows(t)).length;
    const { response, cookie } = await signIn(t, body);
    expect(response.statusCode).toBe(status);
    expect(response.json().errors[0].code).toBe(code);
    expect(cookie).toBeUndefined();
    expect(response.headers['userflare-denial']).toBeDefined();
    expect((await sessionRows(t)).length).toBe(before);
  });

  it('refuses a disabled, an expired and a not-yet-valid token as the API does', async () => {
    const disabled = await createToken(t, tokenBody(t.userId, { name: 'disabled' }));
    await call(t, 'PUT', `/user/tokens/${disabled.id}`, {
      body: { ...tokenBody(t.userId, { name: 'disabled' }), status: 'disabled' },
    });
    const expiring = await createToken(t, tokenBody(t.userId, { expires_on: t.clock.iso(HOUR) }));
    const later = await createToken(t, tokenBody(t.userId, { not_before: t.clock.iso(HOUR) }));
    t.clock.advance(2 * HOUR);
    for (const [value, reason] of [
      [disabled.value, 'token_disabled'],
      [expiring.value, 'token_expired'],
    ] as const) {
      const { response, cookie } = await signIn(t, { token: value });
      expect(response.statusCode).toBe(403);
      expect(response.json().errors).toEqual([{ code: 9109, message: 'Invalid access token' }]);
      expect(denialOf(response).reason).toBe(reason);
      expect(cookie).toBeUndefined();
    }
    t.clock.advance(-2 * HOUR);
    const { response } = await signIn(t, { token: later.value });
    expect(response.statusCode).toBe(403);
    expect(denialOf(response).reason).toBe('token_not_yet_valid');
  });

  it('refuses a token whose IP condition excludes the browser with the API’s location error', async () => {
    const fenced = await createToken(
      t,
      tokenBody(t.userId, { condition: { request_ip: { in: ['10.0.0.0/8'] } } }),
    );
    const { response } = await signIn(t, { token: fenced.value });
    expect(response.statusCode).toBe(403);
    expect(response.json().errors[0].message).toBe('Cannot use the access token from location: 127.0.0.1');
    const inside = await t.app.inject({
      method: 'POST',
      url: '/dashboard/api/session',
      headers: fromDashboard(undefined),
      payload: { token: fenced.value },
      remoteAddress: '10.1.2.3',
    });
    expect(inside.statusCode).toBe(200);
  });

  it('keeps only a keyed hash of the session id in the store', async () => {
    const { cookie } = await signIn(t, { token: BOOTSTRAP.token });
    const id = (cookie as string).split('=')[1] as string;
    const rows = await sessionRows(t);
    expect(JSON.stringify(rows)).not.toContain(id);
    expect(rows.every((row) => /^[0-9a-f]{64}$/.test(row.id_hash))).toBe(true);
    const mine = rows.find((row) => row.id_hash === t.ctx.keyring.hash(id));
    expect(mine).toMatchObject({ user_id: t.userId, kind: 'token', emulator: 0 });
    expect(JSON.stringify(rows)).not.toContain(BOOTSTRAP.token);
  });

  it('answers 401 with how to sign in when there is no session', async () => {
    for (const cookie of [undefined, 'userflare_session=nothing', `userflare_session=${'A'.repeat(43)}`]) {
      const response = await getSession(t, cookie);
      expect(response.statusCode).toBe(401);
      expect(response.json().errors).toEqual([
        { code: 9106, message: 'No dashboard session: sign in at /dashboard/' },
      ]);
    }
  });

  it('replaces the session a browser already had: a planted cookie is worth nothing after sign-in', async () => {
    const first = await signIn(t, { token: BOOTSTRAP.token });
    const second = await signIn(
      t,
      { token: BOOTSTRAP.token },
      { headers: { cookie: first.cookie as string } },
    );
    expect(second.cookie).not.toBe(first.cookie);
    expect((await getSession(t, first.cookie)).statusCode).toBe(401);
    expect((await getSession(t, second.cookie)).statusCode).toBe(200);
  });

  it('refuses a sign-in without the dashboard’s Origin and header (login CSRF), and makes no session', async () => {
    const before = (await sessionRows(t)).length;
    for (const headers of [
      { 'x-userflare-dashboard': '1' },
      { origin: 'https://evil.example', 'x-userflare-dashboard': '1' },
      { origin: 'http://localhost:80' },
    ]) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/dashboard/api/session',
        headers,
        payload: { token: BOOTSTRAP.token },
      });
      expect(response.statusCode).toBe(403);
      expect(response.json().errors[0].code).toBe(1403);
      expect(sessionSetCookie(response)).toBeUndefined();
    }
    expect((await sessionRows(t)).length).toBe(before);
  });

  it('validates the sign-in body', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/dashboard/api/session',
      headers: fromDashboard(undefined),
      payload: { password: 'x' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().success).toBe(false);
  });
});

describe('dashboard sign-out and expiry', () => {
  let t: DashboardApp;
  beforeAll(async () => {
    t = await createDashboardApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('ends the session server-side on sign-out: the old cookie then gets 401', async () => {
    const { cookie } = await signIn(t, { token: BOOTSTRAP.token });
    const out = await t.app.inject({
      method: 'DELETE',
      url: '/dashboard/api/session',
      headers: fromDashboard(cookie),
    });
    expect(out.statusCode).toBe(200);
    expect(sessionSetCookie(out)).toMatch(
      /^userflare_session=; Max-Age=0; Path=\/dashboard; Expires=Thu, 01 Jan 1970/,
    );
    expect((await getSession(t, cookie)).statusCode).toBe(401);
    const proxied = await t.app.inject({
      url: '/dashboard/api/client/v4/user',
      headers: fromDashboard(cookie),
    });
    expect(proxied.statusCode).toBe(401);
    const again = await t.app.inject({
      method: 'DELETE',
      url: '/dashboard/api/session',
      headers: fromDashboard(cookie),
    });
    expect(again.statusCode).toBe(200);
  });

  it('writes sign-in and sign-out to the audit log, naming the user, the token and the address', async () => {
    const narrow = await createToken(t, tokenBody(t.userId, { name: 'audited' }));
    const { cookie } = await signIn(t, { token: narrow.value });
    await t.app.inject({ method: 'DELETE', url: '/dashboard/api/session', headers: fromDashboard(cookie) });
    const entries = await allAuditLogs(t);
    const login = entries.find((e) => e.action.type === 'login' && e.metadata.token_id === narrow.id);
    const logout = entries.find((e) => e.action.type === 'logout' && e.metadata.token_id === narrow.id);
    for (const entry of [login, logout]) {
      expect(entry).toMatchObject({
        action: { result: true },
        actor: { id: t.userId, email: BOOTSTRAP.email, ip: '127.0.0.1', type: 'user' },
        resource: { id: t.userId, type: 'user' },
        metadata: { via: 'dashboard', credential: 'token' },
        interface: 'UI',
      });
    }
    await signIn(t, { email: BOOTSTRAP.email, api_key: BOOTSTRAP.apiKey });
    const withKey = (await allAuditLogs(t))[0];
    expect(withKey?.action.type).toBe('login');
    expect(withKey?.metadata).toEqual({ via: 'dashboard', credential: 'global_key' });
  });

  it('ends a session unused for two hours, and one twelve hours old however used', async () => {
    const idle = await signIn(t, { token: BOOTSTRAP.token });
    const busy = await signIn(t, { token: BOOTSTRAP.token });
    for (let hour = 1; hour < 12; hour++) {
      t.sessionClock.advance(HOUR);
      expect((await getSession(t, busy.cookie)).statusCode).toBe(200);
      if (hour === 1) expect((await getSession(t, idle.cookie)).statusCode).toBe(200);
    }
    // The idle one was last seen at hour 1.
    expect((await getSession(t, idle.cookie)).statusCode).toBe(401);
    t.sessionClock.advance(HOUR - 1);
    expect((await getSession(t, busy.cookie)).statusCode).toBe(200);
    t.sessionClock.advance(1);
    expect((await getSession(t, busy.cookie)).statusCode).toBe(401);
    const hashes = [idle.cookie, busy.cookie].map((c) =>
      t.ctx.keyring.hash((c as string).split('=')[1] as string),
    );
    const left = await t.store.db.selectFrom('dashboard_sessions').select('id_hash').execute();
    expect(left.filter((row) => hashes.includes(row.id_hash))).toEqual([]);
  });

  it('writes last_seen_at at most once a minute', async () => {
    const { cookie } = await signIn(t, { token: BOOTSTRAP.token });
    const hash = t.ctx.keyring.hash((cookie as string).split('=')[1] as string);
    const seen = async () =>
      (
        await t.store.db
          .selectFrom('dashboard_sessions')
          .select('last_seen_at')
          .where('id_hash', '=', hash)
          .executeTakeFirstOrThrow()
      ).last_seen_at;
    const start = await seen();
    t.sessionClock.advance(59_000);
    await getSession(t, cookie);
    expect(await seen()).toBe(start);
    t.sessionClock.advance(1_000);
    await getSession(t, cookie);
    expect(await seen()).toBe(t.sessionClock.now().toISOString());
  });

  it('does not sign anyone out when the emulated clock moves: sessions run on the wall clock', async () => {
    const { cookie } = await signIn(t, { token: BOOTSTRAP.token });
    const moved = await t.app.inject({
      method: 'PUT',
      url: '/__userflare/clock',
      headers: { 'x-admin-key': BOOTSTRAP.adminKey },
      payload: { advance_seconds: 30 * 86_400 },
    });
    expect(moved.statusCode).toBe(200);
    expect((await getSession(t, cookie)).statusCode).toBe(200);
    await t.app.inject({
      method: 'DELETE',
      url: '/__userflare/clock',
      headers: { 'x-admin-key': BOOTSTRAP.adminKey },
    });
  });
});

describe('dashboard sign-in failures and the failure limit', () => {
  let t: DashboardApp;
  beforeAll(async () => {
    t = await createDashboardApp({ env: { USERFLARE_AUTH_FAILURE_LIMIT: '3/60' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('counts failed sign-ins toward USERFLARE_AUTH_FAILURE_LIMIT, then answers 429 even to a good credential', async () => {
    const ip = '192.0.2.7';
    const attempt = (body: Record<string, string>) =>
      t.app.inject({
        method: 'POST',
        url: '/dashboard/api/session',
        headers: fromDashboard(undefined),
        payload: body,
        remoteAddress: ip,
      });
    expect((await attempt({ token: 'cfut_wrong' })).statusCode).toBe(403);
    expect((await attempt({ email: BOOTSTRAP.email, api_key: 'e'.repeat(37) })).statusCode).toBe(403);
    const unlock = await t.app.inject({
      method: 'POST',
      url: '/dashboard/api/session/emulator',
      headers: fromDashboard(undefined),
      payload: { admin_key: 'wrong-admin-key-000000' },
      remoteAddress: ip,
    });
    expect(unlock.statusCode).toBe(401);
    expect(unlock.json().errors[0].code).toBe(1401);
    const limited = await attempt({ token: BOOTSTRAP.token });
    expect(limited.statusCode).toBe(429);
    expect(limited.json().errors[0].code).toBe(971);
    // The API shares the count: the same address is refused there too.
    const api = await call(t, 'GET', '/user', { ip });
    expect(api.status).toBe(429);
    // Another address is not.
    expect((await signIn(t, { token: BOOTSTRAP.token })).response.statusCode).toBe(200);
  });
});

describe('the emulator sign-in', () => {
  let t: DashboardApp;
  beforeAll(async () => {
    t = await createDashboardApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const unlock = (cookie: string | undefined, adminKey: string = BOOTSTRAP.adminKey) =>
    t.app.inject({
      method: 'POST',
      url: '/dashboard/api/session/emulator',
      headers: fromDashboard(cookie),
      payload: { admin_key: adminKey },
    });
  const clock = (cookie: string | undefined, headers: Record<string, string> = {}) =>
    t.app.inject({
      url: '/dashboard/api/__userflare/clock',
      headers: { ...fromDashboard(cookie), ...headers },
    });

  it('opens the proxied admin plane only once the admin key was given, under a new session id', async () => {
    const { cookie } = await signIn(t, { token: BOOTSTRAP.token });
    const refused = await clock(cookie, { 'x-admin-key': BOOTSTRAP.adminKey });
    expect(refused.statusCode).toBe(401);
    expect(refused.json().errors[0].code).toBe(1401);
    expect((await unlock(cookie, 'not-the-admin-key-0000')).statusCode).toBe(401);
    const opened = await unlock(cookie);
    expect(opened.statusCode).toBe(200);
    expect((opened.json() as Envelope<DashboardSession>).result).toMatchObject({
      emulator: true,
      user: { id: t.userId },
    });
    const rotated = sessionCookie(opened);
    expect(rotated).not.toBe(cookie);
    expect((await clock(cookie)).statusCode).toBe(401);
    const state = await clock(rotated);
    expect(state.statusCode).toBe(200);
    expect(state.json().result.now).toBeDefined();
    const closed = await t.app.inject({
      method: 'DELETE',
      url: '/dashboard/api/session/emulator',
      headers: fromDashboard(rotated),
    });
    expect(closed.statusCode).toBe(200);
    expect(closed.json().result).toMatchObject({ emulator: false, user: { id: t.userId } });
    expect((await clock(rotated)).statusCode).toBe(401);
    expect((await getSession(t, rotated)).statusCode).toBe(200);
  });

  it('makes an emulator-only session that has no user, keeps it through a later sign-in, and drops it', async () => {
    const opened = await unlock(undefined);
    expect(opened.statusCode).toBe(200);
    const cookie = sessionCookie(opened);
    const session = (opened.json() as Envelope<DashboardSession>).result;
    expect(session).toMatchObject({ user: null, credential: null, emulator: true });
    expect(session.capabilities['GET /client/v4/user/tokens']).toMatchObject({ allowed: false });
    expect((await clock(cookie)).statusCode).toBe(200);
    const api = await t.app.inject({ url: '/dashboard/api/client/v4/user', headers: fromDashboard(cookie) });
    expect(api.statusCode).toBe(401);
    expect(denialOf(api).message).toContain('emulator only');

    const signed = await signIn(t, { token: BOOTSTRAP.token }, { headers: { cookie } });
    expect((signed.response.json() as Envelope<DashboardSession>).result.emulator).toBe(true);
    expect((await clock(signed.cookie)).statusCode).toBe(200);

    const other = sessionCookie(await unlock(undefined));
    const dropped = await t.app.inject({
      method: 'DELETE',
      url: '/dashboard/api/session/emulator',
      headers: fromDashboard(other),
    });
    expect(dropped.statusCode).toBe(200);
    expect(dropped.json().result).toBeNull();
    expect((await getSession(t, other)).statusCode).toBe(401);
  });
});

describe('dashboard capabilities', () => {
  let t: DashboardApp;
  beforeAll(async () => {
    t = await createDashboardApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('allows what a narrow token may do and refuses the rest with the denial’s reason', async () => {
    const narrow = await createToken(t, {
      name: 'read only',
      policies: [policy([GROUP.apiTokensRead], userResource(t.userId))],
    });
    const { response } = await signIn(t, { token: narrow.value });
    const { capabilities } = (response.json() as Envelope<DashboardSession>).result;
    expect(capabilities['GET /client/v4/user/tokens']).toEqual({ allowed: true });
    expect(capabilities['GET /client/v4/user/tokens/:token_id']).toEqual({ allowed: true });
    for (const key of [
      'POST /client/v4/user/tokens',
      'PUT /client/v4/user/tokens/:token_id/value',
      'DELETE /client/v4/user/tokens/:token_id',
    ]) {
      expect(capabilities[key]).toEqual({
        allowed: false,
        reason: `no policy of token ${narrow.id} allows API Tokens Write on the route's resource`,
      });
    }
    expect(capabilities['PATCH /client/v4/user']?.allowed).toBe(false);
    // Routes that need no permission group (verify, /accounts) are not listed.
    expect(Object.keys(capabilities).some((key) => key.includes('verify'))).toBe(false);
    expect(
      Object.keys(capabilities).every((key) => /^(GET|POST|PUT|PATCH|DELETE) \/client\/v4\//.test(key)),
    ).toBe(true);
  });

  it('in report mode allows what would be refused, and says so', async () => {
    const narrow = await createToken(t, tokenBody(t.userId, { name: 'reported' }));
    const mode = (m: string) =>
      t.app.inject({
        method: 'PUT',
        url: '/__userflare/enforcement',
        headers: { 'x-admin-key': BOOTSTRAP.adminKey },
        payload: { mode: m },
      });
    expect((await mode('report')).statusCode).toBe(200);
    try {
      const { response } = await signIn(t, { token: narrow.value });
      const { capabilities } = (response.json() as Envelope<DashboardSession>).result;
      expect(capabilities['POST /client/v4/user/tokens']).toMatchObject({
        allowed: true,
        reported_only: true,
      });
    } finally {
      await mode('enforce');
    }
  });

  it('refuses every route, with the reason, while the token’s IP condition excludes the browser', async () => {
    const fenced = await createToken(
      t,
      tokenBody(t.userId, { condition: { request_ip: { in: ['10.0.0.0/8'] } } }),
    );
    const signed = await t.app.inject({
      method: 'POST',
      url: '/dashboard/api/session',
      headers: fromDashboard(undefined),
      payload: { token: fenced.value },
      remoteAddress: '10.0.0.9',
    });
    const response = await getSession(t, sessionCookie(signed));
    expect(response.statusCode).toBe(200);
    const { capabilities } = (response.json() as Envelope<DashboardSession>).result;
    expect(capabilities['GET /client/v4/user/tokens']).toEqual({
      allowed: false,
      reason: `token ${fenced.id} may not be used from 127.0.0.1: its request_ip condition excludes it`,
    });
  });
});
