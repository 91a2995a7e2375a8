import Cloudflare from 'cloudflare';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BOOTSTRAP, startTestServer, type TestServer } from './helpers/test-server.js';
import { GROUP, HOUR, policy, tokenBody, userResource } from './helpers/tokens-fixtures.js';

// The emulator controls of issue 7 (`/__userflare/...` and `/ns/<id>/...`) over real HTTP, with plain
// fetch and the official SDK. One server for the file: every test leaves the clock, faults,
// enforcement mode and journal as it found them (see afterEach).

interface Denial {
  reason: string;
  message: string;
  credential: { kind: string; token_id?: string; user_id?: string };
  required?: { scope: string; permission_groups: { id: string; name: string }[] };
  policies: { id: string; effect: string; matched: boolean; why: string }[];
  reported_only: boolean;
}

interface Envelope<T> {
  success: boolean;
  errors: { code: number; message: string }[];
  result: T;
}

interface Reply<T> {
  status: number;
  headers: Headers;
  body: Envelope<T>;
  text: string;
}

interface ClockState {
  now: string;
  frozen: boolean;
  real: boolean;
  offset_ms: number;
}

interface Fault {
  id: string;
  path: string;
  method?: string;
  status?: number;
  fired: number;
}

interface JournalEntry {
  seq: number;
  time: string;
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  status: number;
  token_id: string | null;
  duration_ms: number;
  denial: Denial | null;
  fault_id: string | null;
}

interface Token {
  id: string;
  name: string;
  status: string;
  issued_on: string;
  value: string;
}

interface AuditEntry {
  action: { type: string };
  actor: { type: string; email: string };
  metadata: Record<string, unknown>;
  resource: { id: string; type: string };
  when: string;
}

interface Namespace {
  id: string;
  base_url: string;
  email: string;
  token?: string;
  api_key?: string;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A well-formed 40-character legacy value that no token has. */
const UNKNOWN_TOKEN = 'Zz9_unknown_token_value_0123456789abcdef';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server?.close();
});

async function send<T>(url: string, method: Method, headers: Record<string, string>, body?: unknown) {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: JSON.parse(text), text } as Reply<T>;
}

/** A control call; `prefix` is `/ns/<id>` for a namespace's own controls. */
function control<T>(method: Method, path: string, body?: unknown, prefix = ''): Promise<Reply<T>> {
  return send<T>(
    `${server.origin}${prefix}/__userflare${path}`,
    method,
    { 'x-admin-key': BOOTSTRAP.adminKey },
    body,
  );
}

async function controlOk<T>(method: Method, path: string, body?: unknown, prefix = ''): Promise<T> {
  const reply = await control<T>(method, path, body, prefix);
  expect(reply.status, reply.text).toBe(200);
  return reply.body.result;
}

/** An API call with a Bearer token (the bootstrap one unless given); `path` as the client sends it. */
function api<T>(
  method: Method,
  path: string,
  options: { token?: string; body?: unknown; prefix?: string } = {},
): Promise<Reply<T>> {
  const token = options.token ?? BOOTSTRAP.token;
  return send<T>(
    `${server.origin}${options.prefix ?? ''}${path}`,
    method,
    { authorization: `Bearer ${token}` },
    options.body,
  );
}

async function createToken(body: Record<string, unknown>, prefix = '', token?: string): Promise<Token> {
  const reply = await api<Token>('POST', '/client/v4/user/tokens', {
    body,
    prefix,
    ...(token ? { token } : {}),
  });
  expect(reply.status, reply.text).toBe(200);
  return reply.body.result;
}

function denialOf(reply: Reply<unknown>): Denial {
  const header = reply.headers.get('userflare-denial');
  expect(header, 'userflare-denial header').not.toBeNull();
  return JSON.parse(header as string) as Denial;
}

function sdk(apiToken: string, options: { maxRetries?: number; baseURL?: string } = {}): Cloudflare {
  return new Cloudflare({
    apiToken,
    apiEmail: null,
    apiKey: null,
    baseURL: options.baseURL ?? server.baseURL,
    maxRetries: options.maxRetries ?? 2,
  });
}

async function rejectionOf(call: PromiseLike<unknown>): Promise<InstanceType<typeof Cloudflare.APIError>> {
  try {
    await call;
  } catch (error) {
    expect(error).toBeInstanceOf(Cloudflare.APIError);
    return error as InstanceType<typeof Cloudflare.APIError>;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

async function auditEntriesAbout(resourceId: string): Promise<AuditEntry[]> {
  const reply = await api<AuditEntry[]>('GET', '/client/v4/user/audit_logs?per_page=1000');
  expect(reply.status, reply.text).toBe(200);
  return reply.body.result.filter((entry) => entry.resource.id === resourceId);
}

afterEach(async () => {
  await controlOk('DELETE', '/clock');
  await controlOk('DELETE', '/faults');
  await controlOk('PUT', '/enforcement', { mode: 'enforce' });
  await controlOk('DELETE', '/journal');
});

describe('the clock control', () => {
  it('answers real time until changed, and freezes, sets, advances, thaws and resets', async () => {
    const initial = await controlOk<ClockState>('GET', '/clock');
    expect(initial).toMatchObject({ frozen: false, real: true, offset_ms: expect.any(Number) });
    expect(Math.abs(Date.parse(initial.now) - Date.now())).toBeLessThan(5_000);

    const frozen = await controlOk<ClockState>('PUT', '/clock', { freeze: true });
    expect(frozen).toMatchObject({ frozen: true, real: false });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect((await controlOk<ClockState>('GET', '/clock')).now).toBe(frozen.now);

    const set = await controlOk<ClockState>('PUT', '/clock', { set: '2031-01-01T00:00:00Z' });
    expect(Date.parse(set.now)).toBe(Date.parse('2031-01-01T00:00:00Z'));
    expect(set.frozen).toBe(true);

    const advanced = await controlOk<ClockState>('PUT', '/clock', { advance_seconds: 3600 });
    expect(Date.parse(advanced.now)).toBe(Date.parse('2031-01-01T01:00:00Z'));

    const thawed = await controlOk<ClockState>('PUT', '/clock', { freeze: false });
    expect(thawed).toMatchObject({ frozen: false, real: false });
    await new Promise((resolve) => setTimeout(resolve, 30));
    const running = await controlOk<ClockState>('GET', '/clock');
    expect(Date.parse(running.now)).toBeGreaterThan(Date.parse('2031-01-01T01:00:00Z'));
    expect(running.offset_ms).toBeGreaterThan(HOUR);

    const reset = await controlOk<ClockState>('DELETE', '/clock');
    expect(reset).toMatchObject({ frozen: false, real: true, offset_ms: 0 });
    expect(Math.abs(Date.parse(reset.now) - Date.now())).toBeLessThan(5_000);
  });

  it('applies set, then advance, then freeze from one change', async () => {
    const state = await controlOk<ClockState>('PUT', '/clock', {
      set: '2031-06-01T12:00:00Z',
      advance_seconds: -43_200,
      freeze: true,
    });
    expect(Date.parse(state.now)).toBe(Date.parse('2031-06-01T00:00:00Z'));
    expect(state.frozen).toBe(true);
  });

  it('refuses a change that is not a date-time or a number of seconds', async () => {
    expect((await control('PUT', '/clock', { set: 'tomorrow' })).status).toBe(400);
    expect((await control('PUT', '/clock', { advance_seconds: 'lots' })).status).toBe(400);
  });

  it('expires a token once the clock passes its expires_on', async () => {
    const expiresOn = new Date(Date.now() + HOUR).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const token = await createToken(tokenBody(server.userId, { expires_on: expiresOn }));
    expect((await api('GET', '/client/v4/user/tokens/verify', { token: token.value })).status).toBe(200);

    await controlOk('PUT', '/clock', { advance_seconds: 7200 });
    const verify = await api('GET', '/client/v4/user/tokens/verify', { token: token.value });
    expect(verify.status).toBe(401);
    expect(verify.body.errors[0]?.code).toBe(1000);
    expect(denialOf(verify).reason).toBe('token_expired');
    const read = await api<Token>('GET', `/client/v4/user/tokens/${token.id}`);
    expect(read.body.result.status).toBe('expired');

    await controlOk('DELETE', '/clock');
    expect((await api('GET', '/client/v4/user/tokens/verify', { token: token.value })).status).toBe(200);
  });

  it('lets a token with not_before in the future in once the clock reaches it', async () => {
    const notBefore = new Date(Date.now() + HOUR).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const token = await createToken(tokenBody(server.userId, { not_before: notBefore }));
    const early = await api('GET', '/client/v4/user/tokens/verify', { token: token.value });
    expect(early.status).toBe(401);
    expect(denialOf(early).reason).toBe('token_not_yet_valid');
    await controlOk('PUT', '/clock', { advance_seconds: 7200 });
    expect((await api('GET', '/client/v4/user/tokens/verify', { token: token.value })).status).toBe(200);
  });

  it('stamps issued_on and the audit entry with the clock time', async () => {
    await controlOk('PUT', '/clock', { set: '2031-01-01T00:00:00Z', freeze: true });
    const token = await createToken(tokenBody(server.userId, { name: 'made in 2031' }));
    expect(token.issued_on).toMatch(/^2031-01-01T00:00:00/);
    const [entry] = await auditEntriesAbout(token.id);
    expect(entry?.action.type).toBe('create');
    expect(entry?.when).toMatch(/^2031-01-01T00:00:00/);
  });

  it('lets an admin-plane invite lapse when the clock passes its default expiry', async () => {
    await controlOk('PUT', '/clock', { set: '2031-01-01T00:00:00Z', freeze: true });
    const organization = await controlOk<{ id: string }>('POST', '/organizations', { name: 'Clockwork Ltd' });
    const invite = await controlOk<{ id: string; invited_on: string; expires_on: string }>(
      'POST',
      '/invites',
      { organization: organization.id, to: BOOTSTRAP.email, roles: ['Administrator'] },
    );
    expect(invite.invited_on).toMatch(/^2031-01-01T00:00:00/);
    expect(invite.expires_on).toMatch(/^2031-01-08T00:00:00/);
    const pending = await api<{ status: string }>('GET', `/client/v4/user/invites/${invite.id}`);
    expect(pending.body.result.status).toBe('pending');

    await controlOk('PUT', '/clock', { advance_seconds: 8 * 24 * 3600 });
    const lapsed = await api<{ status: string }>('GET', `/client/v4/user/invites/${invite.id}`);
    expect(lapsed.body.result.status).toBe('expired');
  });
});

describe('injected faults', () => {
  it('lets the SDK ride over two 429s with its default retries, and the journal shows three requests', async () => {
    const fault = await controlOk<Fault>('POST', '/faults', {
      path: '/user',
      status: 429,
      times: 2,
      retry_after: 0,
    });
    const user = await sdk(BOOTSTRAP.token).user.get();
    expect(user.email).toBe(BOOTSTRAP.email);

    const journal = await controlOk<JournalEntry[]>('GET', '/journal?path=/client/v4/user');
    expect(journal.map((entry) => entry.status)).toEqual([200, 429, 429]);
    expect(journal.map((entry) => entry.fault_id)).toEqual([null, fault.id, fault.id]);
    const [listed] = await controlOk<Fault[]>('GET', '/faults');
    expect(listed).toMatchObject({ id: fault.id, fired: 2, times: 2 });
  });

  it('makes the SDK throw RateLimitError with 971 and retry-after once its retries are spent', async () => {
    await controlOk('POST', '/faults', { path: '/user', status: 429, times: 3, retry_after: 0 });
    const error = await rejectionOf(sdk(BOOTSTRAP.token).user.get());
    expect(error).toBeInstanceOf(Cloudflare.RateLimitError);
    expect(error.status).toBe(429);
    expect(error.errors[0]?.code).toBe(971);
    expect(error.headers?.get('retry-after')).toBe('0');
    expect(await controlOk<JournalEntry[]>('GET', '/journal?path=/client/v4/user')).toHaveLength(3);
  });

  it('sends retry-after 1 by default', async () => {
    await controlOk('POST', '/faults', { path: '/user', status: 429, times: 1 });
    const reply = await api('GET', '/client/v4/user');
    expect(reply.status).toBe(429);
    expect(reply.headers.get('retry-after')).toBe('1');
  });

  it('lets the SDK ride over a 503, and throws InternalServerError when every attempt gets one', async () => {
    await controlOk('POST', '/faults', { path: '/user', status: 503, times: 1, retry_after: 0 });
    expect((await sdk(BOOTSTRAP.token).user.get()).email).toBe(BOOTSTRAP.email);

    await controlOk('POST', '/faults', { path: '/user', status: 503, times: 3, retry_after: 0 });
    const error = await rejectionOf(sdk(BOOTSTRAP.token).user.get());
    expect(error).toBeInstanceOf(Cloudflare.InternalServerError);
    expect(error.status).toBe(503);
    expect(error.headers?.get('retry-after')).toBe('0');
    expect(error.errors[0]?.code).toBe(1599);
  });

  it('answers the other 5xx statuses without retry-after', async () => {
    for (const status of [500, 502, 504]) {
      const fault = await controlOk<Fault>('POST', '/faults', { path: '/user', status, times: 1 });
      const reply = await api('GET', '/client/v4/user');
      expect(reply.status).toBe(status);
      expect(reply.body.success).toBe(false);
      expect(reply.headers.get('retry-after')).toBeNull();
      expect(reply.text).toContain(fault.id);
    }
  });

  it('delays a request by delay_ms and then lets the route answer', async () => {
    const fault = await controlOk<Fault>('POST', '/faults', { path: '/user', delay_ms: 250, times: 1 });
    const started = performance.now();
    const reply = await api('GET', '/client/v4/user');
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
    expect(reply.status).toBe(200);
    const [entry] = await controlOk<JournalEntry[]>('GET', '/journal?path=/client/v4/user');
    expect(entry).toMatchObject({ status: 200, fault_id: fault.id });
    expect(entry?.duration_ms).toBeGreaterThanOrEqual(250);
  });

  it('never fires a fault of probability 0', async () => {
    await controlOk('POST', '/faults', { path: '/user', status: 503, probability: 0 });
    for (let i = 0; i < 5; i++) expect((await api('GET', '/client/v4/user')).status).toBe(200);
    const [listed] = await controlOk<Fault[]>('GET', '/faults');
    expect(listed?.fired).toBe(0);
  });

  it('fires only on the method it names', async () => {
    await controlOk('POST', '/faults', { method: 'PATCH', path: '/user', status: 503, retry_after: 0 });
    expect((await api('GET', '/client/v4/user')).status).toBe(200);
    expect((await api('PATCH', '/client/v4/user', { body: { first_name: 'Ada' } })).status).toBe(503);
  });

  it('matches a path without /client/v4 at both paths, and one with it only there', async () => {
    await controlOk('POST', '/faults', { path: '/user', status: 503, retry_after: 0 });
    expect((await api('GET', '/client/v4/user')).status).toBe(503);
    expect((await api('GET', '/user')).status).toBe(503);
    expect((await api('GET', '/client/v4/user/tokens')).status).toBe(200);
    await controlOk('DELETE', '/faults');

    await controlOk('POST', '/faults', { path: '/client/v4/user/tokens*', status: 503, retry_after: 0 });
    expect((await api('GET', '/client/v4/user/tokens?per_page=5')).status).toBe(503);
    expect((await api('GET', '/client/v4/user/tokens/verify')).status).toBe(503);
    expect((await api('GET', '/user/tokens')).status).toBe(200);
    expect((await api('GET', '/client/v4/user')).status).toBe(200);
  });

  it('lists faults with their fired count, and deletes one or all', async () => {
    const first = await controlOk<Fault>('POST', '/faults', { path: '/user', status: 503, times: 1 });
    const second = await controlOk<Fault>('POST', '/faults', { path: '/accounts', status: 500 });
    expect(first.id).toMatch(/^[0-9a-f]{16}$/);
    expect(first.fired).toBe(0);
    await api('GET', '/client/v4/user');
    await api('GET', '/client/v4/user');
    const listed = await controlOk<Fault[]>('GET', '/faults');
    expect(listed.map((fault) => [fault.id, fault.fired])).toEqual([
      [first.id, 1],
      [second.id, 0],
    ]);

    expect(await controlOk('DELETE', `/faults/${first.id}`)).toEqual({ id: first.id });
    expect((await controlOk<Fault[]>('GET', '/faults')).map((fault) => fault.id)).toEqual([second.id]);
    expect((await control('DELETE', `/faults/${first.id}`)).status).toBe(404);
    expect(await controlOk('DELETE', '/faults')).toEqual({ cleared: 1 });
    expect(await controlOk('GET', '/faults')).toEqual([]);
    expect((await api('GET', '/client/v4/accounts')).status).toBe(200);
  });

  it('refuses a status faults cannot answer, and a path that does not start with /', async () => {
    expect((await control('POST', '/faults', { path: '/user', status: 404 })).status).toBe(400);
    expect((await control('POST', '/faults', { path: 'user', status: 503 })).status).toBe(400);
    expect((await control('POST', '/faults', { path: '/user', probability: 2 })).status).toBe(400);
  });

  it('never touches the admin plane, even with a fault matching every path', async () => {
    await controlOk('POST', '/faults', { path: '/*', status: 503, retry_after: 0 });
    await controlOk('POST', '/faults', { path: '/__userflare/*', status: 500 });
    expect((await api('GET', '/client/v4/user')).status).toBe(503);
    expect((await control('GET', '/clock')).status).toBe(200);
    expect((await control('GET', '/journal')).status).toBe(200);
    const listed = await controlOk<Fault[]>('GET', '/faults');
    expect(listed.map((fault) => fault.fired)).toEqual([1, 0]);
  });

  it('requires the admin key', async () => {
    const reply = await send(
      `${server.origin}/__userflare/faults`,
      'POST',
      {},
      { path: '/user', status: 503 },
    );
    expect(reply.status).toBe(401);
    expect(reply.body.errors[0]?.code).toBe(1401);
    expect(await controlOk('GET', '/faults')).toEqual([]);
  });
});

describe('enforcement and explained denials', () => {
  const userDetailsWrite = '55a5e17cc99e4a3fa1f3432d262f2e55';

  it('explains a missing permission in the userflare-denial header', async () => {
    const token = await createToken(tokenBody(server.userId));
    const reply = await api('GET', '/client/v4/user', { token: token.value });
    expect(reply.status).toBe(403);
    expect(reply.body.errors[0]?.code).toBe(10000);
    const denial = denialOf(reply);
    expect(denial).toMatchObject({
      reason: 'permission_missing',
      credential: { kind: 'token', token_id: token.id, user_id: server.userId },
      required: { scope: 'user' },
      reported_only: false,
    });
    expect(denial.required?.permission_groups.map((group) => group.id)).toContain(GROUP.userDetailsRead);
    expect(denial.policies).toHaveLength(1);
    expect(denial.policies[0]).toMatchObject({ effect: 'allow', matched: false, why: expect.any(String) });
  });

  it('shows a matching deny policy as the reason', async () => {
    const resources = userResource(server.userId);
    const token = await createToken({
      name: 'denied details',
      policies: [
        policy([GROUP.userDetailsRead, GROUP.apiTokensRead], resources),
        policy([GROUP.userDetailsRead], resources, 'deny'),
      ],
    });
    const reply = await api('GET', '/client/v4/user', { token: token.value });
    expect(reply.status).toBe(403);
    const denial = denialOf(reply);
    expect(denial.reason).toBe('permission_missing');
    expect(denial.policies.map(({ effect, matched }) => ({ effect, matched }))).toEqual([
      { effect: 'allow', matched: true },
      { effect: 'deny', matched: true },
    ]);
    expect(denial.message).toMatch(/deny/);
  });

  it('names an IP condition, a disabled token and an unknown value', async () => {
    const fenced = await createToken(
      tokenBody(server.userId, { condition: { request_ip: { in: ['192.0.2.0/24'] } } }),
    );
    const fencedReply = await api('GET', '/client/v4/user/tokens', { token: fenced.value });
    expect(fencedReply.status).toBe(403);
    expect(fencedReply.body.errors[0]?.code).toBe(9109);
    expect(denialOf(fencedReply)).toMatchObject({
      reason: 'ip_not_allowed',
      credential: { token_id: fenced.id },
    });

    const disabled = await createToken(tokenBody(server.userId, { name: 'to disable' }));
    const edit = {
      name: disabled.name,
      policies: [policy([GROUP.apiTokensRead], userResource(server.userId))],
    };
    expect(
      (await api('PUT', `/client/v4/user/tokens/${disabled.id}`, { body: { ...edit, status: 'disabled' } }))
        .status,
    ).toBe(200);
    const disabledReply = await api('GET', '/client/v4/user/tokens', { token: disabled.value });
    expect(disabledReply.status).toBe(403);
    expect(denialOf(disabledReply)).toMatchObject({
      reason: 'token_disabled',
      credential: { token_id: disabled.id },
    });

    const unknownReply = await api('GET', '/client/v4/user/tokens', { token: UNKNOWN_TOKEN });
    expect(unknownReply.status).toBe(403);
    expect(denialOf(unknownReply)).toMatchObject({
      reason: 'unknown_credential',
      credential: { kind: 'none' },
    });
  });

  it('keeps the denial header small enough for clients when a token has many policies', async () => {
    const groups = await api<{ id: string; scopes: string[] }[]>(
      'GET',
      '/client/v4/user/tokens/permission_groups',
    );
    const zoneGroups = groups.body.result
      .filter((group) => group.scopes.includes('com.cloudflare.api.account.zone'))
      .slice(0, 40)
      .map((group) => group.id);
    const token = await createToken({
      name: 'many policies',
      policies: Array.from({ length: 100 }, () =>
        policy(zoneGroups, { 'com.cloudflare.api.account.zone.*': '*' }),
      ),
    });
    // undici (fetch, the SDK) refuses a response whose headers pass 16 KiB: the 403 must still arrive.
    const reply = await api('GET', '/client/v4/user', { token: token.value });
    expect(reply.status).toBe(403);
    expect(denialOf(reply).reason).toBe('permission_missing');
  });

  it('sends no denial header on an allowed request', async () => {
    const reply = await api('GET', '/client/v4/user');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('userflare-denial')).toBeNull();
  });

  it('lets a permission-denied request through in report mode and records the denial', async () => {
    expect(await controlOk('GET', '/enforcement')).toEqual({ mode: 'enforce' });
    const token = await createToken(tokenBody(server.userId));
    expect(await controlOk('PUT', '/enforcement', { mode: 'report' })).toEqual({ mode: 'report' });

    const reply = await api<{ email: string }>('GET', '/client/v4/user', { token: token.value });
    expect(reply.status).toBe(200);
    expect(reply.body.result.email).toBe(BOOTSTRAP.email);
    expect(denialOf(reply)).toMatchObject({ reason: 'permission_missing', reported_only: true });
    const [entry] = await controlOk<JournalEntry[]>('GET', '/journal?path=/client/v4/user');
    expect(entry).toMatchObject({ status: 200, token_id: token.id });
    expect(entry?.denial).toMatchObject({ reason: 'permission_missing', reported_only: true });

    const unknown = await api('GET', '/client/v4/user', { token: UNKNOWN_TOKEN });
    expect(unknown.status).toBe(403);
    expect(unknown.body.errors[0]?.code).toBe(9109);
    expect(denialOf(unknown)).toMatchObject({ reason: 'unknown_credential', reported_only: false });

    await controlOk('PUT', '/enforcement', { mode: 'enforce' });
    expect((await api('GET', '/client/v4/user', { token: token.value })).status).toBe(403);
  });

  it('refuses an enforcement mode it does not know', async () => {
    expect((await control('PUT', '/enforcement', { mode: 'off' })).status).toBe(400);
    expect(await controlOk('GET', '/enforcement')).toEqual({ mode: 'enforce' });
  });

  it('explains a decision without calling the route', async () => {
    const reader = await createToken(tokenBody(server.userId, { name: 'explained reader' }));
    const explained = await controlOk<{ allowed: boolean; route: unknown; denial: Denial | null }>(
      'POST',
      '/explain',
      { token: reader.value, method: 'GET', path: '/client/v4/user' },
    );
    expect(explained.allowed).toBe(false);
    expect(explained.route).toEqual({ method: 'GET', path: '/client/v4/user' });
    expect(explained.denial).toMatchObject({
      reason: 'permission_missing',
      credential: { token_id: reader.id },
      reported_only: false,
    });
    const live = denialOf(await api('GET', '/client/v4/user', { token: reader.value }));
    expect(explained.denial).toEqual(live);

    const writer = await createToken({
      name: 'explained writer',
      policies: [policy([userDetailsWrite], userResource(server.userId))],
    });
    await controlOk('DELETE', '/journal');
    const auditBefore = await auditEntriesAbout(server.userId);
    const allowed = await controlOk<{ allowed: boolean; denial: Denial | null }>('POST', '/explain', {
      token: writer.value,
      method: 'PATCH',
      path: '/user',
    });
    expect(allowed).toEqual({ allowed: true, route: { method: 'PATCH', path: '/user' }, denial: null });
    expect(await controlOk('GET', '/journal?path=/user')).toEqual([]);
    expect(await auditEntriesAbout(server.userId)).toEqual(auditBefore);
  });

  it('explains IP conditions by the address given', async () => {
    const fenced = await createToken(
      tokenBody(server.userId, { condition: { request_ip: { in: ['192.0.2.0/24'] } } }),
    );
    const path = '/client/v4/user/tokens';
    const outside = await controlOk<{ allowed: boolean; denial: Denial | null }>('POST', '/explain', {
      token: fenced.value,
      method: 'GET',
      path,
    });
    expect(outside.denial?.reason).toBe('ip_not_allowed');
    const inside = await controlOk<{ allowed: boolean }>('POST', '/explain', {
      token: fenced.value,
      method: 'GET',
      path,
      ip: '192.0.2.7',
    });
    expect(inside.allowed).toBe(true);
  });

  it('explains an unknown token, and refuses a route that does not exist with 7003', async () => {
    const unknown = await controlOk<{ allowed: boolean; denial: Denial | null }>('POST', '/explain', {
      token: UNKNOWN_TOKEN,
      method: 'GET',
      path: '/client/v4/user',
    });
    expect(unknown).toMatchObject({ allowed: false, denial: { reason: 'unknown_credential' } });

    const nowhere = await control('POST', '/explain', {
      token: BOOTSTRAP.token,
      method: 'GET',
      path: '/client/v4/nowhere',
    });
    expect(nowhere.status).toBe(400);
    expect(nowhere.body.errors[0]?.code).toBe(7003);
  });
});

describe('simulating a leaked token', () => {
  it('disables a token at once, even one just used, and audits it as Cloudflare', async () => {
    const token = await createToken(tokenBody(server.userId, { name: 'about to leak' }));
    for (let i = 0; i < 3; i++) {
      expect((await api('GET', '/client/v4/user/tokens', { token: token.value })).status).toBe(200);
    }

    const leaked = await controlOk<{ id: string; status: string; exposed_on: string }>(
      'POST',
      `/tokens/${token.id}/leak`,
    );
    expect(leaked).toMatchObject({ id: token.id, status: 'disabled' });
    expect(Math.abs(Date.parse(leaked.exposed_on) - Date.now())).toBeLessThan(5_000);

    const refused = await api('GET', '/client/v4/user/tokens', { token: token.value });
    expect(refused.status).toBe(403);
    expect(refused.body.errors[0]?.code).toBe(9109);
    expect(denialOf(refused).reason).toBe('token_disabled');
    expect((await api('GET', '/client/v4/user/tokens/verify', { token: token.value })).status).toBe(401);
    expect((await api<Token>('GET', `/client/v4/user/tokens/${token.id}`)).body.result.status).toBe(
      'disabled',
    );

    const entries = await auditEntriesAbout(token.id);
    const exposure = entries.find((entry) => entry.actor.type === 'Cloudflare');
    expect(exposure).toMatchObject({ action: { type: 'update' }, resource: { type: 'token' } });
    expect(exposure?.metadata.reason).toMatch(/exposed/);
  });

  it('answers 404 for a token that does not exist, and 400 for an id that is not one', async () => {
    expect((await control('POST', `/tokens/${'0'.repeat(32)}/leak`)).status).toBe(404);
    expect((await control('POST', '/tokens/nope/leak')).status).toBe(400);
  });
});

describe('the request journal', () => {
  beforeEach(async () => {
    await controlOk('DELETE', '/journal');
  });

  it('records each API request, newest first, with its status, token and duration', async () => {
    const token = await createToken(tokenBody(server.userId, { name: 'journalled' }));
    await api('GET', '/client/v4/user/tokens?per_page=5&page=1', { token: token.value });
    await api('GET', '/user', { token: token.value });

    const entries = await controlOk<JournalEntry[]>('GET', '/journal');
    expect(entries.map((entry) => [entry.method, entry.path, entry.status])).toEqual([
      ['GET', '/user', 403],
      ['GET', '/client/v4/user/tokens', 200],
      ['POST', '/client/v4/user/tokens', 200],
    ]);
    const [denied, listed, created] = entries as [JournalEntry, JournalEntry, JournalEntry];
    expect(denied.seq).toBeGreaterThan(listed.seq);
    expect(denied.fault_id).toBeNull();
    expect(denied.denial?.reason).toBe('permission_missing');
    expect(listed).toMatchObject({ query: { per_page: '5', page: '1' }, token_id: token.id, denial: null });
    expect(listed.duration_ms).toBeGreaterThanOrEqual(0);
    expect(Math.abs(Date.parse(listed.time) - Date.now())).toBeLessThan(5_000);
    expect(created.token_id).not.toBe(token.id);
    expect(created.token_id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('filters by method, path pattern, status and token, and limits', async () => {
    const token = await createToken(tokenBody(server.userId, { name: 'filtered' }));
    await api('GET', '/client/v4/user/tokens', { token: token.value });
    await api('GET', '/client/v4/user', { token: token.value });
    await api('PATCH', '/client/v4/user', { body: { first_name: 'Grace' } });
    await api('GET', '/client/v4/user/tokens/verify');

    const paths = async (query: string) =>
      (await controlOk<JournalEntry[]>('GET', `/journal?${query}`)).map((entry) => entry.path);
    expect(await paths('method=PATCH')).toEqual(['/client/v4/user']);
    expect(await paths('path=/client/v4/user/tokens*')).toEqual([
      '/client/v4/user/tokens/verify',
      '/client/v4/user/tokens',
      '/client/v4/user/tokens',
    ]);
    expect(await paths('path=/user')).toEqual(['/client/v4/user', '/client/v4/user']);
    expect(await paths('status=403')).toEqual(['/client/v4/user']);
    // Its refused GET /user names it too: the token authenticated, the permission was missing.
    expect(await paths(`token_id=${token.id}`)).toEqual(['/client/v4/user', '/client/v4/user/tokens']);
    expect(await paths('limit=2')).toEqual(['/client/v4/user/tokens/verify', '/client/v4/user']);
    expect(await paths('method=GET&status=200&limit=1')).toEqual(['/client/v4/user/tokens/verify']);
    expect((await control('GET', '/journal?method=TRACE')).status).toBe(400);
    expect((await control('GET', '/journal?limit=0')).status).toBe(400);
  });

  it('names the token of a request refused for a missing permission, as its denial does', async () => {
    const token = await createToken(tokenBody(server.userId, { name: 'refused but known' }));
    await api('GET', '/client/v4/user', { token: token.value });
    const [entry] = await controlOk<JournalEntry[]>('GET', `/journal?token_id=${token.id}`);
    expect(entry).toMatchObject({ path: '/client/v4/user', status: 403, token_id: token.id });
    expect(entry?.denial?.credential.token_id).toBe(token.id);
  });

  it('is cleared by DELETE', async () => {
    await api('GET', '/client/v4/user');
    await api('GET', '/client/v4/user');
    expect(await controlOk('DELETE', '/journal')).toEqual({ cleared: 2 });
    expect(await controlOk('GET', '/journal')).toEqual([]);
  });

  it('leaves admin-plane and health requests out, refused ones too', async () => {
    await control('GET', '/clock');
    await control('GET', '/faults');
    await send(`${server.origin}/__userflare/clock`, 'GET', {});
    await fetch(`${server.origin}/healthz`);
    expect(await controlOk('GET', '/journal')).toEqual([]);
  });

  it('redacts a token value put in a path or a query string', async () => {
    const token = await createToken(tokenBody(server.userId, { name: 'misplaced' }));
    const inPath = await api('GET', `/client/v4/user/tokens/${token.value}`);
    expect(inPath.status).toBe(400);
    expect(inPath.text).not.toContain(token.value);
    await api('GET', `/client/v4/user?api_token=${token.value}&page=1`);

    const entries = await controlOk<JournalEntry[]>('GET', '/journal?limit=2');
    expect(JSON.stringify(entries)).not.toContain(token.value);
    expect(entries[0]?.query).toEqual({ api_token: '<redacted>', page: '1' });
    expect(entries[1]?.path).toBe('/client/v4/user/tokens/<redacted>');
    const byPattern = await controlOk<JournalEntry[]>('GET', '/journal?path=/*<redacted>');
    expect(byPattern).toHaveLength(1);
  });
});

describe('namespaces', () => {
  const created: string[] = [];
  const namespaceTokens = new Map<string, string>();
  const namespaceUsers = new Map<string, string>();

  async function createNamespace(body: Record<string, unknown>): Promise<Namespace> {
    const namespace = await controlOk<Namespace>('POST', '/namespaces', body);
    created.push(namespace.id);
    return namespace;
  }

  afterAll(async () => {
    for (const id of created) await control('DELETE', `/namespaces/${id}`);
  });

  it('creates independent worlds that the SDK uses in parallel without state leaking', async () => {
    const [alpha, beta] = await Promise.all([
      createNamespace({ id: 'alpha' }),
      createNamespace({ id: 'beta', email: 'beta@example.com' }),
    ]);
    expect(alpha).toMatchObject({
      id: 'alpha',
      base_url: `${server.origin}/ns/alpha/client/v4`,
      email: 'admin@example.com',
      token: expect.stringMatching(/^cfut_/),
      api_key: expect.stringMatching(/^[0-9a-f]{37}$/),
    });
    expect(beta).toMatchObject({
      id: 'beta',
      email: 'beta@example.com',
      base_url: `${server.origin}/ns/beta/client/v4`,
    });
    expect(alpha.token).not.toBe(BOOTSTRAP.token);

    const listed = await controlOk<Namespace[]>('GET', '/namespaces');
    expect(listed.map((namespace) => namespace.id).sort()).toEqual(['alpha', 'beta']);
    expect(
      listed.every((namespace) => namespace.token === undefined && namespace.api_key === undefined),
    ).toBe(true);

    const rootUser = await sdk(BOOTSTRAP.token).user.get();
    const work = [alpha, beta].map(async (namespace) => {
      const client = sdk(namespace.token as string, { baseURL: namespace.base_url, maxRetries: 0 });
      const me = await client.user.get();
      const tokens = await Promise.all(
        [1, 2, 3].map((n) =>
          client.user.tokens.create({
            name: `${namespace.id} token ${n}`,
            policies: [
              {
                effect: 'allow',
                permission_groups: [{ id: GROUP.apiTokensRead }],
                resources: { [`com.cloudflare.api.user.${me.id}`]: '*' },
              },
            ],
          }),
        ),
      );
      await client.user.edit({ first_name: `First ${namespace.id}` });
      namespaceTokens.set(namespace.id, namespace.token as string);
      namespaceUsers.set(namespace.id, me.id);
      return { me, tokens };
    });
    const [alphaWork, betaWork] = await Promise.all(work);

    for (const [namespace, other] of [
      [alpha, beta],
      [beta, alpha],
    ] as const) {
      const client = sdk(namespace.token as string, { baseURL: namespace.base_url, maxRetries: 0 });
      expect((await client.user.get()).first_name).toBe(`First ${namespace.id}`);
      const names: string[] = [];
      for await (const token of client.user.tokens.list()) names.push(token.name as string);
      expect(names.sort()).toEqual(
        ['userflare bootstrap token', ...[1, 2, 3].map((n) => `${namespace.id} token ${n}`)].sort(),
      );
      expect(names.some((name) => name.startsWith(other.id))).toBe(false);
    }
    expect(alphaWork?.me.id).not.toBe(betaWork?.me.id);

    const rootAfter = await sdk(BOOTSTRAP.token).user.get();
    expect(rootAfter.first_name).toBe(rootUser.first_name);
    const rootNames: string[] = [];
    for await (const token of sdk(BOOTSTRAP.token).user.tokens.list()) rootNames.push(token.name as string);
    expect(rootNames.some((name) => /^(alpha|beta) token/.test(name))).toBe(false);

    const alphaToken = alphaWork?.tokens[0]?.value as string;
    const verifyIn = (prefix: string, token: string) =>
      api('GET', '/client/v4/user/tokens/verify', { prefix, token });
    expect((await verifyIn('/ns/alpha', alphaToken)).status).toBe(200);
    expect((await verifyIn('', alphaToken)).status).toBe(401);
    expect((await verifyIn('/ns/beta', alphaToken)).status).toBe(401);
    expect((await api('GET', '/client/v4/user', { token: alpha.token as string })).status).toBe(403);
    expect(
      (await api('GET', '/client/v4/user', { prefix: '/ns/beta', token: alpha.token as string })).status,
    ).toBe(403);
    expect((await api('GET', '/client/v4/user', { prefix: '/ns/alpha' })).status).toBe(403);
  });

  it('gives each namespace its own clock, faults, enforcement and journal', async () => {
    await controlOk('DELETE', '/journal', undefined, '/ns/alpha');
    await controlOk('DELETE', '/journal', undefined, '/ns/beta');

    const moved = await controlOk<ClockState>(
      'PUT',
      '/clock',
      { set: '2040-01-01T00:00:00Z', freeze: true },
      '/ns/alpha',
    );
    expect(moved.now).toMatch(/^2040-01-01/);
    expect((await controlOk<ClockState>('GET', '/clock')).real).toBe(true);
    expect((await controlOk<ClockState>('GET', '/clock', undefined, '/ns/beta')).real).toBe(true);
    expect((await controlOk<ClockState>('GET', '/clock', undefined, '/ns/alpha')).now).toMatch(/^2040-01-01/);

    const fault = await controlOk<Fault>(
      'POST',
      '/faults',
      { path: '/user', status: 503, retry_after: 0 },
      '/ns/alpha',
    );
    expect(await controlOk('GET', '/faults')).toEqual([]);
    expect(await controlOk('GET', '/faults', undefined, '/ns/beta')).toEqual([]);
    await controlOk('PUT', '/enforcement', { mode: 'report' }, '/ns/beta');
    expect(await controlOk('GET', '/enforcement')).toEqual({ mode: 'enforce' });

    const alphaReply = await api('GET', '/client/v4/user', { prefix: '/ns/alpha', token: UNKNOWN_TOKEN });
    expect(alphaReply.status).toBe(503);
    expect((await api('GET', '/client/v4/user')).status).toBe(200);
    expect((await api('GET', '/client/v4/user', { prefix: '/ns/beta', token: UNKNOWN_TOKEN })).status).toBe(
      403,
    );

    const alphaJournal = await controlOk<JournalEntry[]>('GET', '/journal', undefined, '/ns/alpha');
    expect(alphaJournal.map((entry) => [entry.path, entry.status, entry.fault_id])).toEqual([
      ['/client/v4/user', 503, fault.id],
    ]);
    expect(alphaJournal[0]?.time).toMatch(/^2040-01-01/);
    const betaJournal = await controlOk<JournalEntry[]>('GET', '/journal', undefined, '/ns/beta');
    expect(betaJournal.map((entry) => [entry.path, entry.status])).toEqual([['/client/v4/user', 403]]);
    const rootFault = await controlOk<Fault>('POST', '/faults', { path: '/user', status: 500 });
    expect((await api('GET', '/client/v4/user', { prefix: '/ns/beta', token: UNKNOWN_TOKEN })).status).toBe(
      403,
    );
    expect((await controlOk<Fault[]>('GET', '/faults'))[0]).toMatchObject({ id: rootFault.id, fired: 0 });

    await controlOk('DELETE', '/clock', undefined, '/ns/alpha');
    await controlOk('DELETE', '/faults', undefined, '/ns/alpha');
    await controlOk('PUT', '/enforcement', { mode: 'enforce' }, '/ns/beta');
  });

  it('keeps namespace requests out of the root journal', async () => {
    await controlOk('DELETE', '/journal');
    expect((await api('GET', '/client/v4/user', { prefix: '/ns/alpha' })).status).toBe(403);
    expect((await api('GET', '/client/v4/user')).status).toBe(200);
    const rootJournal = await controlOk<JournalEntry[]>('GET', '/journal');
    expect(rootJournal.map((entry) => [entry.path, entry.status])).toEqual([['/client/v4/user', 200]]);
  });

  it('keeps its controls behind the admin key and serves no namespaces of its own', async () => {
    const keyless = await send(`${server.origin}/ns/alpha/__userflare/clock`, 'GET', {});
    expect(keyless.status).toBe(401);
    expect(keyless.body.errors[0]?.code).toBe(1401);
    const nested = await control('POST', '/namespaces', { id: 'nested' }, '/ns/alpha');
    expect(nested.status).not.toBe(200);
    expect(nested.body.errors[0]?.code).toBe(7003);
    expect(
      (await controlOk<Namespace[]>('GET', '/namespaces')).map((namespace) => namespace.id).sort(),
    ).toEqual(['alpha', 'beta']);
  });

  it('snapshots and restores a namespace store without touching the root', async () => {
    const alphaToken = namespaceTokens.get('alpha') as string;
    await controlOk('POST', '/snapshots', { name: 'before' }, '/ns/alpha');
    const made = await createToken(
      tokenBody(namespaceUsers.get('alpha') as string, { name: 'after the snapshot' }),
      '/ns/alpha',
      alphaToken,
    );
    await controlOk('POST', '/snapshots/before/restore', undefined, '/ns/alpha');
    const read = await api('GET', `/client/v4/user/tokens/${made.id}`, {
      prefix: '/ns/alpha',
      token: alphaToken,
    });
    expect(read.status).toBe(404);
    const rootSnapshots = await controlOk<{ name: string }[]>('GET', '/snapshots');
    expect(rootSnapshots.map((snapshot) => snapshot.name)).not.toContain('before');
  });

  it('answers 404 7003 for an unknown namespace without echoing a credential put in its place', async () => {
    const reply = await api('GET', `/ns/${BOOTSTRAP.token}/client/v4/user`);
    expect(reply.status).toBe(404);
    expect(reply.body.errors[0]?.code).toBe(7003);
    expect(reply.text).not.toContain(BOOTSTRAP.token);
  });

  it('refuses a taken id and a malformed one', async () => {
    const taken = await control('POST', '/namespaces', { id: 'alpha' });
    expect(taken.status).toBe(400);
    expect(taken.body.errors[0]?.code).toBe(1410);
    expect((await control('POST', '/namespaces', { id: 'Not_OK' })).status).toBe(400);
  });

  it('gives an id to one of two concurrent creates only', async () => {
    const [first, second] = await Promise.all([
      control('POST', '/namespaces', { id: 'gamma' }),
      control('POST', '/namespaces', { id: 'gamma' }),
    ]);
    expect([first.status, second.status].sort()).toEqual([200, 400]);
    expect(await controlOk('DELETE', '/namespaces/gamma')).toEqual({ id: 'gamma' });
  });

  it('makes a deleted namespace answer 404 7003', async () => {
    expect(await controlOk('DELETE', '/namespaces/beta')).toEqual({ id: 'beta' });
    const gone = await api('GET', '/client/v4/user', { prefix: '/ns/beta' });
    expect(gone.status).toBe(404);
    expect(gone.body.errors[0]?.code).toBe(7003);
    expect((await control('GET', '/clock', undefined, '/ns/beta')).status).toBe(404);
    expect((await controlOk<Namespace[]>('GET', '/namespaces')).map((namespace) => namespace.id)).toEqual([
      'alpha',
    ]);
    expect((await control('DELETE', '/namespaces/beta')).status).toBe(404);
    expect((await api('GET', '/client/v4/user')).status).toBe(200);
  });
});
