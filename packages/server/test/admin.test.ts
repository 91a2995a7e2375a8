import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type AdminResponse,
  callAdmin,
  countRows,
  digestStore,
  type Envelope,
  exampleFixture,
} from './helpers/admin-plane.js';
import { BOOTSTRAP, bearer, createTestApp, globalKey, type TestApp } from './helpers/test-server.js';

// The admin plane (DESIGN, "Emulator controls"; README, "Seeding data"): what Cloudflare creates
// elsewhere enters at /__userflare/… behind X-Admin-Key, and the API then serves it.

const HEX32 = /^[0-9a-f]{32}$/;
const BUILT_IN_PLANS = [
  'business',
  'enterprise',
  'free',
  'lite',
  'partners_business',
  'partners_enterprise',
  'partners_free',
  'partners_pro',
  'pro',
  'pro_plus',
];

let t: TestApp;

beforeEach(async () => {
  t = await createTestApp();
});

afterEach(async () => {
  await t.close();
});

interface CreatedUser {
  id: string;
  email: string;
  api_key: string;
  token?: { id: string; value: string };
}

interface Invite {
  id: string;
  invited_member_id: string | null;
  invited_member_email: string;
  organization_id: string;
  organization_name: string;
  invited_by: string;
  invited_on: string;
  expires_on: string;
  roles: string[];
  status: string;
}

interface AuditEntry {
  action: { type: string };
  actor: { id: string; email: string; type: string };
  resource: { id: string; type: string };
  newValue?: string;
}

/** Calls the API (not the admin plane) with the given credential headers. */
async function api<T = unknown>(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  headers: Record<string, string> = bearer(BOOTSTRAP.token),
  payload?: unknown,
): Promise<AdminResponse<T>> {
  const response = await t.app.inject({
    method,
    url: `/client/v4${path}`,
    headers,
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
  return { statusCode: response.statusCode, body: response.json() as Envelope<T> };
}

/** Asserts a 200 success envelope and returns its result. */
function resultOf<T>(response: AdminResponse<T>): T {
  expect(response.statusCode, JSON.stringify(response.body)).toBe(200);
  expect(response.body.success).toBe(true);
  expect(response.body.errors).toEqual([]);
  return response.body.result;
}

/** Asserts a 400 Cloudflare validation envelope with an item naming `field`, and returns that message. */
function expectFieldError(response: AdminResponse<unknown>, field: string): string {
  expect(response.statusCode, JSON.stringify(response.body)).toBe(400);
  expect(response.body).toMatchObject({ success: false, messages: [], result: null });
  expect(response.body.errors.length).toBeGreaterThan(0);
  for (const error of response.body.errors) expect(error.code).toBe(1004);
  const item = response.body.errors.find((e) => e.message.startsWith(`${field}: `));
  expect(item, `no error names ${field}: ${JSON.stringify(response.body.errors)}`).toBeDefined();
  const pointer = `/${field.replaceAll(/\[(\d+)\]/g, '.$1').replaceAll('.', '/')}`;
  expect(item?.source?.pointer).toBe(pointer);
  return item?.message ?? '';
}

async function createUser(body: Record<string, unknown>): Promise<CreatedUser> {
  return resultOf(await callAdmin<CreatedUser>(t, 'POST', '/users', body));
}

async function createOrganization(body: Record<string, unknown>): Promise<{ id: string; name: string }> {
  return resultOf(await callAdmin<{ id: string; name: string }>(t, 'POST', '/organizations', body));
}

async function auditEntriesOf(headers: Record<string, string>): Promise<AuditEntry[]> {
  return resultOf(await api<AuditEntry[]>('GET', '/user/audit_logs?per_page=1000', headers));
}

/** A valid request to every admin route, in an order in which each would succeed with the right key. */
const ADMIN_ROUTES: { method: 'GET' | 'POST' | 'PUT'; path: string; payload?: unknown }[] = [
  { method: 'POST', path: '/users', payload: { email: 'guarded@example.com' } },
  {
    method: 'POST',
    path: '/organizations',
    payload: {
      name: 'Guarded Org',
      members: [{ user: BOOTSTRAP.email, roles: ['All Privileges - Super Administrator'] }],
    },
  },
  {
    method: 'POST',
    path: '/invites',
    payload: { organization: 'Guarded Org', to: 'newcomer@example.com', roles: ['DNS'] },
  },
  { method: 'GET', path: '/rate_plans' },
  {
    method: 'POST',
    path: '/rate_plans',
    payload: { id: 'guarded_plan', public_name: 'Guarded', prices: { monthly: 1 } },
  },
  { method: 'POST', path: '/subscriptions', payload: { user: BOOTSTRAP.email, rate_plan: 'pro' } },
  {
    method: 'POST',
    path: '/billing/history',
    payload: { user: BOOTSTRAP.email, action: 'payment', type: 'credit', amount: -5, description: 'x' },
  },
  { method: 'PUT', path: '/billing/profile', payload: { user: BOOTSTRAP.email, city: 'Lisbon' } },
  { method: 'POST', path: '/seed', payload: { users: [{ email: 'seeded@example.com' }] } },
  { method: 'POST', path: '/reset' },
];

const BAD_KEYS: { name: string; key: string | null }[] = [
  { name: 'no X-Admin-Key header', key: null },
  { name: 'an empty X-Admin-Key', key: '' },
  { name: 'a wrong X-Admin-Key', key: 'wrong-admin-key-0123456789' },
  { name: 'the admin key with one character more', key: `${BOOTSTRAP.adminKey}x` },
  { name: 'the admin key less its last character', key: BOOTSTRAP.adminKey.slice(0, -1) },
  { name: 'the admin key in upper case', key: BOOTSTRAP.adminKey.toUpperCase() },
  { name: 'the bootstrap API token as the admin key', key: BOOTSTRAP.token },
];

describe('the X-Admin-Key guard', () => {
  it.each(BAD_KEYS)(
    'answers every admin route 401 with code 1401 for $name and changes nothing',
    async ({ key }) => {
      const before = await digestStore(t.store);
      for (const route of ADMIN_ROUTES) {
        const response = await callAdmin(t, route.method, route.path, route.payload, key);
        expect(response.statusCode, `${route.method} ${route.path}`).toBe(401);
        expect(response.body).toEqual({
          success: false,
          errors: [{ code: 1401, message: expect.stringContaining('X-Admin-Key') }],
          messages: [],
          result: null,
        });
      }
      expect(await digestStore(t.store)).toEqual(before);
    },
  );

  it('does not let an API credential stand in for the admin key', async () => {
    const before = await digestStore(t.store);
    for (const headers of [bearer(BOOTSTRAP.token), globalKey()]) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/__userflare/users',
        headers,
        payload: { email: 'intruder@example.com' },
      });
      expect(response.statusCode).toBe(401);
      expect(response.json().errors[0].code).toBe(1401);
    }
    expect(await digestStore(t.store)).toEqual(before);
  });

  it('serves each of those same requests with the right admin key', async () => {
    for (const route of ADMIN_ROUTES) {
      const response = await callAdmin(t, route.method, route.path, route.payload);
      expect(response.statusCode, `${route.method} ${route.path}: ${JSON.stringify(response.body)}`).toBe(
        200,
      );
      expect(response.body.success).toBe(true);
    }
  });

  it('is not served under /client/v4, with or without the admin key', async () => {
    for (const route of ADMIN_ROUTES) {
      const response = await t.app.inject({
        method: route.method,
        url: `/client/v4/__userflare${route.path}`,
        headers: { 'x-admin-key': BOOTSTRAP.adminKey, ...bearer(BOOTSTRAP.token) },
        ...(route.payload === undefined ? {} : { payload: route.payload as object }),
      });
      expect(response.statusCode, `${route.method} ${route.path}`).toBe(400);
      expect(response.json().errors.map((e: { code: number }) => e.code)).toEqual([7003, 7000]);
    }
    expect(resultOf(await api<{ email: string }>('GET', '/user')).email).toBe(BOOTSTRAP.email);
    expect(await countRows(t.store)).toMatchObject({ users: 1, organizations: 0, invites: 0 });
  });
});

describe('POST /__userflare/users', () => {
  it('answers the id, email, global API key and a token once, and both secrets authenticate as that user', async () => {
    const created = await createUser({
      email: 'Carol@Example.com',
      first_name: 'Carol',
      last_name: 'Cook',
      country: 'PT',
    });
    expect(created.id).toMatch(HEX32);
    expect(created.email).toBe('carol@example.com');
    expect(created.api_key).toMatch(/^[0-9a-f]{37}$/);
    expect(created.token?.id).toMatch(HEX32);
    expect(created.token?.value).toMatch(/^cfut_[0-9A-Za-z]{46}$/);

    const viaToken = resultOf(
      await api<{ id: string; email: string; first_name: string }>(
        'GET',
        '/user',
        bearer(created.token?.value ?? ''),
      ),
    );
    expect(viaToken).toMatchObject({
      id: created.id,
      email: 'carol@example.com',
      first_name: 'Carol',
      last_name: 'Cook',
      country: 'PT',
    });
    const viaKey = resultOf(
      await api<{ id: string }>('GET', '/user', globalKey('carol@example.com', created.api_key)),
    );
    expect(viaKey.id).toBe(created.id);

    // Shown once: reading the token back never shows its value.
    const token = resultOf(
      await api<Record<string, unknown>>(
        'GET',
        `/user/tokens/${created.token?.id}`,
        bearer(created.token?.value ?? ''),
      ),
    );
    expect(token).not.toHaveProperty('value');
    expect(JSON.stringify(token)).not.toContain(created.token?.value);
  });

  it('uses the id, global API key and token value given', async () => {
    const id = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
    const apiKey = 'abcdef0123456789abcdef0123456789abcde';
    const value = 'Dave_token_value_0123456789abcdef-ABCDEF';
    expect(value).toHaveLength(40);
    const created = await createUser({
      id,
      email: 'dave@example.com',
      api_key: apiKey,
      token: { name: 'dave ci', value },
    });
    expect(created).toEqual({
      id,
      email: 'dave@example.com',
      api_key: apiKey,
      token: { id: expect.any(String), value },
    });
    expect(resultOf(await api<{ id: string }>('GET', '/user', bearer(value))).id).toBe(id);
    expect(
      resultOf(await api<{ id: string }>('GET', '/user', globalKey('dave@example.com', apiKey))).id,
    ).toBe(id);
    const tokens = resultOf(await api<{ name: string }[]>('GET', '/user/tokens', bearer(value)));
    expect(tokens.map((token) => token.name)).toEqual(['dave ci']);
  });

  it('gives no token for token:false, and the global key alone authenticates', async () => {
    const created = await createUser({ email: 'erin@example.com', token: false });
    expect(created).not.toHaveProperty('token');
    expect(Object.keys(created).sort()).toEqual(['api_key', 'email', 'id']);
    const headers = globalKey('erin@example.com', created.api_key);
    expect(resultOf(await api<{ id: string }>('GET', '/user', headers)).id).toBe(created.id);
    expect(resultOf(await api<unknown[]>('GET', '/user/tokens', headers))).toEqual([]);
  });

  it('refuses a second user with the same email, in any case, naming email and creating nothing', async () => {
    await createUser({ email: 'frank@example.com' });
    const before = await digestStore(t.store);
    for (const email of ['frank@example.com', 'FRANK@example.com', BOOTSTRAP.email]) {
      const message = expectFieldError(await callAdmin(t, 'POST', '/users', { email }), 'email');
      expect(message).toContain(email.toLowerCase());
    }
    expect(await digestStore(t.store)).toEqual(before);
  });

  it('refuses an id that is taken, naming id', async () => {
    const before = await digestStore(t.store);
    expectFieldError(await callAdmin(t, 'POST', '/users', { id: t.userId, email: 'gina@example.com' }), 'id');
    expect(await digestStore(t.store)).toEqual(before);
  });

  it('refuses a token value that is already a token, naming token.value', async () => {
    const before = await digestStore(t.store);
    expectFieldError(
      await callAdmin(t, 'POST', '/users', { email: 'hank@example.com', token: { value: BOOTSTRAP.token } }),
      'token.value',
    );
    expect(await digestStore(t.store)).toEqual(before);
  });

  it.each([
    { body: {}, field: 'email' },
    { body: { email: 'not-an-email' }, field: 'email' },
    { body: { email: 42 }, field: 'email' },
    { body: { email: 'ivy@example.com', id: 'XYZ' }, field: 'id' },
    { body: { email: 'ivy@example.com', first_name: 'x'.repeat(61) }, field: 'first_name' },
    { body: { email: 'ivy@example.com', api_key: 'ABCDEF' }, field: 'api_key' },
    { body: { email: 'ivy@example.com', suspended: 'yes' }, field: 'suspended' },
    { body: { email: 'ivy@example.com', token: { value: 'short' } }, field: 'token.value' },
    { body: { email: 'ivy@example.com', token: { name: '' } }, field: 'token.name' },
    { body: { email: 'ivy@example.com', betas: 'all' }, field: 'betas' },
  ])('answers 400 naming $field for $body', async ({ body, field }) => {
    const before = await digestStore(t.store);
    expectFieldError(await callAdmin(t, 'POST', '/users', body), field);
    expect(await digestStore(t.store)).toEqual(before);
  });
});

describe('POST /__userflare/organizations', () => {
  it('creates an organization whose members see it with their roles', async () => {
    const alice = await createUser({ email: 'alice@example.com' });
    const org = await createOrganization({
      id: '023e105f4ecef8ad9ca31a8372d0c353',
      name: 'Acme Corp',
      members: [
        { user: BOOTSTRAP.email, roles: ['All Privileges - Super Administrator'] },
        { user: alice.id, roles: ['Administrator', 'Billing'] },
      ],
    });
    expect(org).toEqual({ id: '023e105f4ecef8ad9ca31a8372d0c353', name: 'Acme Corp' });

    const mine = resultOf(
      await api<{ id: string; name: string; status: string; roles: string[] }[]>(
        'GET',
        '/user/organizations',
      ),
    );
    expect(mine).toEqual([
      expect.objectContaining({
        id: org.id,
        name: 'Acme Corp',
        status: 'member',
        roles: ['All Privileges - Super Administrator'],
      }),
    ]);
    const hers = resultOf(
      await api<{ id: string; roles: string[] }>(
        'GET',
        `/user/organizations/${org.id}`,
        bearer(alice.token?.value ?? ''),
      ),
    );
    expect(hers).toMatchObject({ id: org.id, roles: ['Administrator', 'Billing'], status: 'member' });
    const profile = resultOf(await api<{ organizations: { id: string }[] }>('GET', '/user'));
    expect(profile.organizations.map((o) => o.id)).toEqual([org.id]);
  });

  it('creates an organization without members, with a generated id', async () => {
    const org = await createOrganization({ name: 'Empty Inc' });
    expect(org.id).toMatch(HEX32);
    expect(resultOf(await api<unknown[]>('GET', '/user/organizations'))).toEqual([]);
  });

  it('refuses an unknown role naming members[i].roles[j] with the known roles, and creates nothing', async () => {
    await createUser({ email: 'alice@example.com' });
    const before = await digestStore(t.store);
    const message = expectFieldError(
      await callAdmin(t, 'POST', '/organizations', {
        name: 'Bad Roles',
        members: [
          { user: BOOTSTRAP.email, roles: ['All Privileges - Super Administrator'] },
          { user: 'alice@example.com', roles: ['DNS', 'Overlord'] },
        ],
      }),
      'members[1].roles[1]',
    );
    expect(message).toContain('Overlord');
    expect(message).toContain('Administrator Read Only');
    expect(await digestStore(t.store)).toEqual(before);
  });

  it('refuses a user that does not exist naming members[i].user, and creates nothing', async () => {
    await createUser({ email: 'alice@example.com' });
    const before = await digestStore(t.store);
    const message = expectFieldError(
      await callAdmin(t, 'POST', '/organizations', {
        name: 'Ghosts',
        members: [
          { user: 'alice@example.com', roles: ['Administrator'] },
          { user: 'ghost@example.com', roles: ['Administrator'] },
        ],
      }),
      'members[1].user',
    );
    expect(message).toContain('ghost@example.com');
    expectFieldError(
      await callAdmin(t, 'POST', '/organizations', {
        name: 'Ghosts',
        members: [{ user: 'ffffffffffffffffffffffffffffffff', roles: ['Administrator'] }],
      }),
      'members[0].user',
    );
    expect(await digestStore(t.store)).toEqual(before);
  });

  it('refuses a member listed twice naming the second entry', async () => {
    const before = await digestStore(t.store);
    expectFieldError(
      await callAdmin(t, 'POST', '/organizations', {
        name: 'Twice',
        members: [
          { user: BOOTSTRAP.email, roles: ['Administrator'] },
          { user: t.userId, roles: ['DNS'] },
        ],
      }),
      'members[1].user',
    );
    expect(await digestStore(t.store)).toEqual(before);
  });

  it('refuses an id that is taken, naming id', async () => {
    const org = await createOrganization({ name: 'First' });
    const before = await digestStore(t.store);
    expectFieldError(await callAdmin(t, 'POST', '/organizations', { id: org.id, name: 'Second' }), 'id');
    expect(await digestStore(t.store)).toEqual(before);
  });

  it.each([
    { body: {}, field: 'name' },
    { body: { name: '' }, field: 'name' },
    { body: { name: 'x'.repeat(101) }, field: 'name' },
    { body: { name: 'Org', id: 'not-hex' }, field: 'id' },
    { body: { name: 'Org', type: 'gigantic' }, field: 'type' },
    { body: { name: 'Org', enforce_twofactor: 'yes' }, field: 'enforce_twofactor' },
    { body: { name: 'Org', members: [{ user: BOOTSTRAP.email, roles: [] }] }, field: 'members[0].roles' },
    { body: { name: 'Org', members: [{ roles: ['DNS'] }] }, field: 'members[0].user' },
  ])('answers 400 naming $field for $body', async ({ body, field }) => {
    const before = await digestStore(t.store);
    expectFieldError(await callAdmin(t, 'POST', '/organizations', body), field);
    expect(await digestStore(t.store)).toEqual(before);
  });
});
