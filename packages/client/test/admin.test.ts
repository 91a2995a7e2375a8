import {
  APIError,
  AuthenticationError,
  InternalServerError,
  NotFoundError,
  Userflare,
  UserflareAdmin,
  UserflareError,
} from '@userflare/client';
import type {
  ClockState,
  Explanation,
  Fault,
  JournalEntry,
  LeakedToken,
  Namespace,
  Snapshot,
} from '@userflare/contract';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { startTestServer } from '../../userflare/test/helpers/test-server.js';
import {
  BOOTSTRAP,
  clientFor,
  failure,
  rejectionOf,
  type StubServer,
  sendJson,
  startStub,
  success,
  type TestServer,
} from './helpers/servers.js';

// `UserflareAdmin` (issue 7): what it sends, on a scripted server, then every control on the real one.

const USER_DETAILS_READ = '8acbe5bb0d54464ab867149d7f7cf8ac';

describe('types', () => {
  it('resolves every method to the contract’s type', () => {
    const admin = new UserflareAdmin({ adminKey: 'k', baseURL: 'http://127.0.0.1:1' });
    expectTypeOf(admin.clock.advance).returns.toEqualTypeOf<Promise<ClockState>>();
    expectTypeOf(admin.clock.set).parameter(0).toHaveProperty('advance_seconds');
    expectTypeOf(admin.snapshots.list).returns.toEqualTypeOf<Promise<Snapshot[]>>();
    expectTypeOf(admin.enforcement.set).parameter(0).toEqualTypeOf<'enforce' | 'report'>();
    expectTypeOf(admin.explain).returns.toEqualTypeOf<Promise<Explanation>>();
    expectTypeOf(admin.tokens.leak).returns.toEqualTypeOf<Promise<LeakedToken>>();
    expectTypeOf(admin.journal.list).returns.toEqualTypeOf<Promise<JournalEntry[]>>();
    expectTypeOf(admin.faults.add).returns.toEqualTypeOf<Promise<Fault>>();
    expectTypeOf(admin.faults.clear).returns.toEqualTypeOf<Promise<{ cleared: number }>>();
    expectTypeOf(admin.namespaces.create).returns.toEqualTypeOf<Promise<Namespace>>();
    expectTypeOf(admin.namespace).returns.toEqualTypeOf<UserflareAdmin>();
  });
});

describe('what UserflareAdmin sends', () => {
  let stub: StubServer;
  let origin: string;

  beforeAll(async () => {
    stub = await startStub((request, _index, response) => {
      if (request.url.includes('/missing')) sendJson(response, 404, failure(1404, 'not found'));
      else sendJson(response, 200, success({ echoed: request.url }));
    });
    origin = stub.baseURL.replace(/\/client\/v4$/, '');
  });

  afterAll(async () => {
    await stub.close();
  });

  afterEach(() => {
    stub.requests.length = 0;
    vi.unstubAllEnvs();
  });

  function adminFor(options: ConstructorParameters<typeof UserflareAdmin>[0] = {}): UserflareAdmin {
    return new UserflareAdmin({ baseURL: origin, adminKey: 'k', maxRetries: 0, ...options });
  }

  function sent() {
    return stub.requests.map(({ method, url, body }) => `${method} ${url}${body ? ` ${body}` : ''}`);
  }

  it('sends the admin key and no API credential, even with one in the environment', async () => {
    vi.stubEnv('USERFLARE_API_TOKEN', 't'.repeat(40));
    vi.stubEnv('CLOUDFLARE_EMAIL', 'env@example.com');
    vi.stubEnv('CLOUDFLARE_API_KEY', 'env-key');
    await adminFor().clock.get();
    const [request] = stub.requests;
    expect(request?.headers['x-admin-key']).toBe('k');
    expect(request?.headers).not.toHaveProperty('authorization');
    expect(request?.headers).not.toHaveProperty('x-auth-email');
    expect(request?.headers).not.toHaveProperty('x-auth-key');
  });

  it('maps every method to its admin route', async () => {
    const admin = adminFor();
    await admin.clock.get();
    await admin.clock.set({ set: '2030-01-01T00:00:00Z', freeze: true });
    await admin.clock.freeze();
    await admin.clock.unfreeze();
    await admin.clock.advance(-90);
    await admin.clock.reset();
    await admin.snapshots.list();
    await admin.snapshots.save('seeded');
    await admin.snapshots.restore('seeded');
    await admin.snapshots.delete('seeded');
    await admin.enforcement.get();
    await admin.enforcement.set('report');
    await admin.explain({ token: 'secret', method: 'GET', path: '/client/v4/user' });
    await admin.tokens.leak('abc');
    await admin.journal.list({
      method: 'GET',
      path: '/client/v4/user*',
      status: 403,
      token_id: 't1',
      limit: 5,
    });
    await admin.journal.clear();
    await admin.faults.list();
    await admin.faults.add({ path: '/user', status: 503, times: 1 });
    await admin.faults.clear();
    await admin.faults.delete('f1');
    await admin.namespaces.list();
    await admin.namespaces.create();
    await admin.namespaces.delete('suite-a');
    expect(sent()).toEqual([
      'GET /__userflare/clock',
      'PUT /__userflare/clock {"set":"2030-01-01T00:00:00Z","freeze":true}',
      'PUT /__userflare/clock {"freeze":true}',
      'PUT /__userflare/clock {"freeze":false}',
      'PUT /__userflare/clock {"advance_seconds":-90}',
      'DELETE /__userflare/clock',
      'GET /__userflare/snapshots',
      'POST /__userflare/snapshots {"name":"seeded"}',
      'POST /__userflare/snapshots/seeded/restore',
      'DELETE /__userflare/snapshots/seeded',
      'GET /__userflare/enforcement',
      'PUT /__userflare/enforcement {"mode":"report"}',
      'POST /__userflare/explain {"token":"secret","method":"GET","path":"/client/v4/user"}',
      'POST /__userflare/tokens/abc/leak',
      'GET /__userflare/journal?method=GET&path=%2Fclient%2Fv4%2Fuser%2A&status=403&token_id=t1&limit=5',
      'DELETE /__userflare/journal',
      'GET /__userflare/faults',
      'POST /__userflare/faults {"path":"/user","status":503,"times":1}',
      'DELETE /__userflare/faults',
      'DELETE /__userflare/faults/f1',
      'GET /__userflare/namespaces',
      'POST /__userflare/namespaces {}',
      'DELETE /__userflare/namespaces/suite-a',
    ]);
  });

  it('resolves with the envelope’s result', async () => {
    expect(await adminFor().clock.get()).toEqual({ echoed: '/__userflare/clock' });
  });

  it('prefixes /ns/<id> inside a namespace, except for the namespaces list itself', async () => {
    const scoped = adminFor().namespace('suite-a');
    expect(scoped.namespaceId).toBe('suite-a');
    expect(scoped.apiBaseURL).toBe(`${origin}/ns/suite-a/client/v4`);
    await scoped.clock.freeze();
    await scoped.journal.list();
    await scoped.explain({ token: 'secret', method: 'GET', path: '/user' });
    await scoped.namespaces.list();
    await scoped.namespace('suite-b').snapshots.list();
    await adminFor({ namespace: 'suite-c' }).faults.clear();
    expect(sent()).toEqual([
      'PUT /ns/suite-a/__userflare/clock {"freeze":true}',
      'GET /ns/suite-a/__userflare/journal',
      'POST /ns/suite-a/__userflare/explain {"token":"secret","method":"GET","path":"/user"}',
      'GET /__userflare/namespaces',
      'GET /ns/suite-b/__userflare/snapshots',
      'DELETE /ns/suite-c/__userflare/faults',
    ]);
    expect(stub.requests.every((request) => request.headers['x-admin-key'] === 'k')).toBe(true);
  });

  it('encodes names and ids as one path segment and refuses . and .. before sending', async () => {
    const admin = adminFor();
    await admin.snapshots.restore('a b/c');
    expect(sent()).toEqual(['POST /__userflare/snapshots/a%20b%2Fc/restore']);
    await expect(admin.snapshots.delete('..')).rejects.toBeInstanceOf(UserflareError);
    await expect(admin.faults.delete('.')).rejects.toBeInstanceOf(UserflareError);
    expect(() => admin.namespace('..')).toThrow(UserflareError);
    expect(stub.requests).toHaveLength(1);
  });

  it('accepts the server as an origin or as an API root ending in /client/v4', async () => {
    await adminFor({ baseURL: `${origin}/` }).clock.get();
    await adminFor({ baseURL: stub.baseURL }).clock.get();
    await adminFor({ baseURL: `${stub.baseURL}/` }).clock.get();
    expect(sent()).toEqual(['GET /__userflare/clock', 'GET /__userflare/clock', 'GET /__userflare/clock']);
    expect(adminFor({ baseURL: stub.baseURL }).origin).toBe(origin);
  });

  it('reads the admin key from USERFLARE_ADMIN_KEY and the server from USERFLARE_URL', async () => {
    vi.stubEnv('USERFLARE_ADMIN_KEY', 'from-env');
    vi.stubEnv('USERFLARE_URL', origin);
    await new UserflareAdmin({ maxRetries: 0 }).enforcement.get();
    expect(stub.requests[0]?.headers['x-admin-key']).toBe('from-env');
  });

  it('falls back to USERFLARE_BASE_URL, then the local default', () => {
    vi.stubEnv('USERFLARE_ADMIN_KEY', 'from-env');
    vi.stubEnv('USERFLARE_URL', '');
    vi.stubEnv('USERFLARE_BASE_URL', 'http://example.test:9/client/v4');
    expect(new UserflareAdmin().origin).toBe('http://example.test:9');
    vi.stubEnv('USERFLARE_BASE_URL', '');
    const admin = new UserflareAdmin();
    expect(admin.origin).toBe('http://127.0.0.1:4010');
    expect(admin.namespaceId).toBeNull();
    expect(admin.apiBaseURL).toBe('http://127.0.0.1:4010/client/v4');
  });

  it('throws at construction without an admin key, saying where to find one', () => {
    vi.stubEnv('USERFLARE_ADMIN_KEY', '');
    expect(() => new UserflareAdmin({ baseURL: origin })).toThrow(/USERFLARE_ADMIN_KEY/);
    expect(() => new UserflareAdmin({ baseURL: origin })).toThrow(UserflareError);
  });

  it('throws the SDK’s error class for the status, with the Cloudflare error items', async () => {
    const error = await rejectionOf(adminFor().snapshots.restore('missing'));
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).errors).toEqual([{ code: 1404, message: 'not found' }]);
  });
});

describe('UserflareAdmin on the real server', () => {
  let server: TestServer;
  let admin: UserflareAdmin;
  let client: Userflare;

  beforeAll(async () => {
    server = await startTestServer();
    admin = new UserflareAdmin({ baseURL: server.origin, adminKey: BOOTSTRAP.adminKey, maxRetries: 0 });
    client = clientFor(server);
  });

  afterAll(async () => {
    await server?.close();
  });

  beforeEach(async () => {
    await admin.clock.reset();
    await admin.faults.clear();
    await admin.enforcement.set('enforce');
  });

  /** A token of the bootstrap user allowing only User Details Read. */
  function userDetailsReader(name: string) {
    return client.user.tokens.create({
      name,
      policies: [
        {
          effect: 'allow',
          permission_groups: [{ id: USER_DETAILS_READ }],
          resources: { [`com.cloudflare.api.user.${server.userId}`]: '*' },
        },
      ],
    });
  }

  it('refuses a wrong admin key with AuthenticationError', async () => {
    const wrong = new UserflareAdmin({ baseURL: server.origin, adminKey: 'wrong', maxRetries: 0 });
    const error = await rejectionOf(wrong.clock.get());
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).errors[0]?.code).toBe(1401);
  });

  describe('clock', () => {
    it('reads real time until changed', async () => {
      const state = await admin.clock.get();
      expect(state).toMatchObject({ frozen: false, real: true });
      expect(Math.abs(Date.parse(state.now) - Date.now())).toBeLessThan(5_000);
    });

    it('sets, freezes, advances, unfreezes and resets', async () => {
      const set = await admin.clock.set({ set: '2030-01-01T00:00:00Z', freeze: true });
      expect(set).toMatchObject({ now: '2030-01-01T00:00:00Z', frozen: true, real: false });
      expect(set.offset_ms).toBeGreaterThan(0);
      const advanced = await admin.clock.advance(3600);
      expect(advanced).toMatchObject({ now: '2030-01-01T01:00:00Z', frozen: true });
      expect((await admin.clock.get()).now).toBe('2030-01-01T01:00:00Z');
      expect(await admin.clock.unfreeze()).toMatchObject({ frozen: false, real: false });
      expect(Date.parse((await admin.clock.get()).now)).toBeGreaterThanOrEqual(
        Date.parse('2030-01-01T01:00:00Z'),
      );
      const frozen = await admin.clock.freeze();
      expect(frozen.frozen).toBe(true);
      const reset = await admin.clock.reset();
      expect(reset).toMatchObject({ frozen: false, real: true });
      expect(Math.abs(Date.parse(reset.now) - Date.now())).toBeLessThan(5_000);
    });

    it('expires a token once the clock passes its expires_on', async () => {
      await admin.clock.set({ set: '2030-01-01T00:00:00Z', freeze: true });
      const token = await client.user.tokens.create({
        name: 'expires soon',
        expires_on: '2030-01-01T01:00:00Z',
        policies: [
          {
            effect: 'allow',
            permission_groups: [{ id: USER_DETAILS_READ }],
            resources: { [`com.cloudflare.api.user.${server.userId}`]: '*' },
          },
        ],
      });
      const tokenClient = clientFor(server, { apiToken: token.value });
      expect((await tokenClient.user.get()).id).toBe(server.userId);
      await admin.clock.advance(7200);
      expect(await rejectionOf(tokenClient.user.get())).toBeInstanceOf(APIError);
      const explanation = await admin.explain({ token: token.value, method: 'GET', path: '/client/v4/user' });
      expect(explanation.denial?.reason).toBe('token_expired');
    });

    it('refuses an invalid change with BadRequestError', async () => {
      const error = await rejectionOf(admin.clock.set({ set: 'tomorrow' }));
      expect((error as APIError).status).toBe(400);
    });
  });

  describe('snapshots', () => {
    it('saves, lists, restores and deletes; a restore undoes what came after the save', async () => {
      const saved = await admin.snapshots.save('before-token');
      expect(saved).toMatchObject({ name: 'before-token', rows: expect.any(Number) });
      expect(Date.parse(saved.created_on)).not.toBeNaN();
      const token = await userDetailsReader('made after the save');
      expect((await admin.snapshots.list()).map((s) => s.name)).toContain('before-token');

      const restored = await admin.snapshots.restore('before-token');
      expect(restored.name).toBe('before-token');
      expect(await rejectionOf(client.user.tokens.get(token.id))).toBeInstanceOf(NotFoundError);
      expect((await admin.snapshots.list()).map((s) => s.name)).toContain('before-token');

      expect(await admin.snapshots.delete('before-token')).toEqual({ name: 'before-token' });
      expect((await admin.snapshots.list()).map((s) => s.name)).not.toContain('before-token');
    });

    it('replaces a snapshot saved again under the same name', async () => {
      const first = await admin.snapshots.save('twice');
      await userDetailsReader('between the saves');
      const second = await admin.snapshots.save('twice');
      expect(second.rows).toBeGreaterThan(first.rows);
      expect((await admin.snapshots.list()).filter((s) => s.name === 'twice')).toHaveLength(1);
      await admin.snapshots.delete('twice');
    });

    it('throws NotFoundError for an unknown name and BadRequestError for an invalid one', async () => {
      expect(await rejectionOf(admin.snapshots.restore('never-saved'))).toBeInstanceOf(NotFoundError);
      expect(await rejectionOf(admin.snapshots.delete('never-saved'))).toBeInstanceOf(NotFoundError);
      expect(((await rejectionOf(admin.snapshots.save('no spaces'))) as APIError).status).toBe(400);
    });
  });

  describe('enforcement and explain', () => {
    it('reads and sets the mode; in report mode a refused request goes through and is journaled', async () => {
      expect(await admin.enforcement.get()).toEqual({ mode: 'enforce' });
      const reader = await userDetailsReader('report mode');
      const readerClient = clientFor(server, { apiToken: reader.value });
      expect(await rejectionOf(readerClient.user.tokens.list())).toBeInstanceOf(APIError);

      expect(await admin.enforcement.set('report')).toEqual({ mode: 'report' });
      expect(await admin.enforcement.get()).toEqual({ mode: 'report' });
      await readerClient.user.tokens.list();
      const [entry] = await admin.journal.list({ token_id: reader.id, limit: 1 });
      expect(entry?.status).toBe(200);
      expect(entry?.denial).toMatchObject({ reason: 'permission_missing', reported_only: true });
      expect(await admin.enforcement.set('enforce')).toEqual({ mode: 'enforce' });
    });

    it('explains an allowed request and a denied one with the policy verdicts', async () => {
      const allowed = await admin.explain({ token: BOOTSTRAP.token, method: 'GET', path: '/client/v4/user' });
      expect(allowed).toMatchObject({ allowed: true, denial: null });
      expect(allowed.route.method).toBe('GET');

      const reader = await userDetailsReader('explained');
      const denied = await admin.explain({
        token: reader.value,
        method: 'GET',
        path: '/client/v4/user/tokens',
      });
      expect(denied.allowed).toBe(false);
      expect(denied.denial).toMatchObject({
        reason: 'permission_missing',
        credential: { kind: 'token', token_id: reader.id },
        reported_only: false,
      });
      expect(denied.denial?.required?.permission_groups.length).toBeGreaterThan(0);
      expect(denied.denial?.policies).toEqual([expect.objectContaining({ effect: 'allow', matched: false })]);
    });

    it('explains an unknown token as unknown_credential', async () => {
      const unknown = await admin.explain({
        token: 'Zz9_unknown_token_value_0123456789abcdef',
        method: 'GET',
        path: '/client/v4/user',
      });
      expect(unknown).toMatchObject({ allowed: false, denial: { reason: 'unknown_credential' } });
    });
  });

  describe('tokens.leak', () => {
    it('disables the token at once and says when it was exposed', async () => {
      const token = await userDetailsReader('to be leaked');
      const tokenClient = clientFor(server, { apiToken: token.value });
      await tokenClient.user.get();
      const leaked = await admin.tokens.leak(token.id);
      expect(leaked).toMatchObject({ id: token.id, status: 'disabled' });
      expect(Date.parse(leaked.exposed_on)).not.toBeNaN();
      expect((await client.user.tokens.get(token.id)).status).toBe('disabled');
      expect(await rejectionOf(tokenClient.user.get())).toBeInstanceOf(APIError);
    });

    it('throws NotFoundError for an unknown token id', async () => {
      expect(await rejectionOf(admin.tokens.leak('0123456789abcdef0123456789abcdef'))).toBeInstanceOf(
        NotFoundError,
      );
    });
  });

  describe('journal', () => {
    it('lists API requests newest first, filters them, and clears', async () => {
      await admin.journal.clear();
      await client.user.get();
      await rejectionOf(client.user.tokens.get('0123456789abcdef0123456789abcdef'));
      const entries = await admin.journal.list();
      expect(entries.map((e) => `${e.method} ${e.status}`)).toEqual(['GET 404', 'GET 200']);
      expect(entries[0]?.path).toBe('/client/v4/user/tokens/0123456789abcdef0123456789abcdef');
      expect(entries[1]).toMatchObject({
        path: '/client/v4/user',
        token_id: expect.any(String),
        denial: null,
      });
      expect(entries[0]?.seq).toBeGreaterThan(entries[1]?.seq ?? Number.POSITIVE_INFINITY);

      expect((await admin.journal.list({ status: 404 })).map((e) => e.status)).toEqual([404]);
      expect(await admin.journal.list({ path: '/client/v4/user/tokens/*' })).toHaveLength(1);
      expect(await admin.journal.list({ limit: 1 })).toHaveLength(1);
      expect(await admin.journal.list({ method: 'POST' })).toEqual([]);

      expect(await admin.journal.clear()).toEqual({ cleared: 2 });
      expect(await admin.journal.list()).toEqual([]);
    });
  });

  describe('faults', () => {
    it('answers with the injected status the given number of times', async () => {
      const fault = await admin.faults.add({ method: 'GET', path: '/client/v4/user', status: 503, times: 1 });
      expect(fault).toMatchObject({ id: expect.any(String), path: '/client/v4/user', status: 503, fired: 0 });
      expect(await rejectionOf(client.user.get())).toBeInstanceOf(InternalServerError);
      expect((await client.user.get()).id).toBe(server.userId);
    });

    it('matches the path without /client/v4 too, and a retrying client gets through', async () => {
      await admin.faults.add({ path: '/user', status: 429, retry_after: 0, times: 1 });
      const retrying = clientFor(server, { maxRetries: 1 });
      expect((await retrying.user.get()).id).toBe(server.userId);
    });

    it('lists, deletes one and clears the rest', async () => {
      const first = await admin.faults.add({ path: '/user/tokens', status: 500 });
      const second = await admin.faults.add({ path: '/user/invites', delay_ms: 10 });
      expect((await admin.faults.list()).map((f) => f.id)).toEqual(
        expect.arrayContaining([first.id, second.id]),
      );
      expect(await admin.faults.delete(first.id)).toEqual({ id: first.id });
      expect((await admin.faults.list()).map((f) => f.id)).toEqual([second.id]);
      expect(await rejectionOf(admin.faults.delete(first.id))).toBeInstanceOf(NotFoundError);
      expect(await admin.faults.clear()).toEqual({ cleared: 1 });
      expect(await admin.faults.list()).toEqual([]);
    });

    it('leaves the admin plane alone, so a fault on every path can still be cleared', async () => {
      await admin.faults.add({ path: '/*', status: 503 });
      expect(await rejectionOf(client.user.get())).toBeInstanceOf(InternalServerError);
      expect(await admin.faults.clear()).toEqual({ cleared: 1 });
      expect((await client.user.get()).id).toBe(server.userId);
    });

    it('refuses a status it cannot inject with BadRequestError', async () => {
      const error = await rejectionOf(admin.faults.add({ path: '/user', status: 418 as 500 }));
      expect((error as APIError).status).toBe(400);
    });
  });

  describe('namespaces', () => {
    it('creates a namespace with its own store, controls and credentials, shown once', async () => {
      const created = await admin.namespaces.create({ id: 'sdk-suite', email: 'ns@example.com' });
      expect(created).toMatchObject({
        id: 'sdk-suite',
        email: 'ns@example.com',
        base_url: `${server.origin}/ns/sdk-suite/client/v4`,
        token: expect.any(String),
        api_key: expect.any(String),
      });
      const scoped = admin.namespace('sdk-suite');
      expect(scoped.apiBaseURL).toBe(created.base_url);

      const nsClient = new Userflare({ baseURL: created.base_url, apiToken: created.token, maxRetries: 0 });
      expect((await nsClient.user.get()).email).toBe('ns@example.com');
      expect(await rejectionOf(clientFor(server, { baseURL: created.base_url }).user.get())).toBeInstanceOf(
        APIError,
      );

      await scoped.clock.set({ set: '2031-06-01T00:00:00Z', freeze: true });
      expect((await scoped.clock.get()).now).toBe('2031-06-01T00:00:00Z');
      expect((await admin.clock.get()).real).toBe(true);

      await scoped.journal.clear();
      await nsClient.user.get();
      expect(await scoped.journal.list()).toHaveLength(1);

      const listed = await admin.namespaces.list();
      const mine = listed.find((ns) => ns.id === 'sdk-suite');
      expect(mine).toMatchObject({ email: 'ns@example.com', base_url: created.base_url });
      expect(mine).not.toHaveProperty('token');
      expect(mine).not.toHaveProperty('api_key');
      expect((await scoped.namespaces.list()).map((ns) => ns.id)).toContain('sdk-suite');

      expect(await admin.namespaces.delete('sdk-suite')).toEqual({ id: 'sdk-suite' });
      expect((await admin.namespaces.list()).map((ns) => ns.id)).not.toContain('sdk-suite');
      expect(await rejectionOf(admin.namespaces.delete('sdk-suite'))).toBeInstanceOf(NotFoundError);
    });

    it('throws NotFoundError inside a namespace that does not exist', async () => {
      const error = await rejectionOf(admin.namespace('no-such-namespace').clock.get());
      expect(error).toBeInstanceOf(NotFoundError);
    });

    it('generates an id when none is given', async () => {
      const created = await admin.namespaces.create();
      expect(created.id).toMatch(/^[a-z0-9][a-z0-9-]{0,39}$/);
      expect(created.email).toBe('admin@example.com');
      await admin.namespaces.delete(created.id);
    });
  });
});
