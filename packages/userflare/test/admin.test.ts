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

describe('POST /__userflare/invites', () => {
  it('invites an existing user by email: the invite carries their id and they see it pending', async () => {
    const alice = await createUser({ email: 'alice@example.com' });
    const globex = await createOrganization({
      name: 'Globex',
      enforce_twofactor: true,
      members: [{ user: alice.id, roles: ['All Privileges - Super Administrator'] }],
    });
    const invite = resultOf(
      await callAdmin<Invite>(t, 'POST', '/invites', {
        organization: 'Globex',
        to: 'ADMIN@example.com',
        roles: ['Administrator', 'Billing'],
        invited_on: '2030-01-01T00:00:00Z',
      }),
    );
    expect(invite).toMatchObject({
      invited_member_id: t.userId,
      invited_member_email: BOOTSTRAP.email,
      organization_id: globex.id,
      organization_name: 'Globex',
      organization_is_enforcing_twofactor: true,
      // Without invited_by, the organization's Super Administrator invites.
      invited_by: 'alice@example.com',
      roles: ['Administrator', 'Billing'],
      status: 'pending',
    });
    expect(invite.id).toMatch(HEX32);

    expect(resultOf(await api<Invite[]>('GET', '/user/invites'))).toEqual([invite]);
    expect(resultOf(await api<Invite>('GET', `/user/invites/${invite.id}`))).toEqual(invite);
    const organizations = resultOf(await api<{ id: string; status: string }[]>('GET', '/user/organizations'));
    expect(organizations).toEqual([expect.objectContaining({ id: globex.id, status: 'invited' })]);
  });

  it('invites an email that has no user yet, and that user finds the invite once created', async () => {
    const initech = await createOrganization({ name: 'Initech' });
    const invite = resultOf(
      await callAdmin<Invite>(t, 'POST', '/invites', {
        id: '6c2f0c14a2a41d5063dd301b2f829f05',
        organization: initech.id,
        to: 'Carol@Example.com',
        roles: ['DNS'],
        invited_by: 'hr@initech.example',
      }),
    );
    expect(invite).toMatchObject({
      id: '6c2f0c14a2a41d5063dd301b2f829f05',
      invited_member_id: null,
      invited_member_email: 'carol@example.com',
      invited_by: 'hr@initech.example',
      organization_name: 'Initech',
      status: 'pending',
    });
    // Nobody else sees it.
    expect(resultOf(await api<Invite[]>('GET', '/user/invites'))).toEqual([]);

    const carol = await createUser({ email: 'carol@example.com' });
    const asCarol = bearer(carol.token?.value ?? '');
    const found = resultOf(await api<Invite[]>('GET', '/user/invites', asCarol));
    expect(found.map((i) => i.id)).toEqual([invite.id]);
    expect(found[0]).toMatchObject({ invited_member_email: 'carol@example.com', status: 'pending' });

    const accepted = resultOf(
      await api<Invite>('PATCH', `/user/invites/${invite.id}`, asCarol, { status: 'accepted' }),
    );
    expect(accepted).toMatchObject({ status: 'accepted', invited_member_id: carol.id });
    const organizations = resultOf(
      await api<{ id: string; status: string; roles: string[] }[]>('GET', '/user/organizations', asCarol),
    );
    expect(organizations).toEqual([
      expect.objectContaining({ id: initech.id, status: 'member', roles: ['DNS'] }),
    ]);
  });

  it('invites a user by id', async () => {
    const alice = await createUser({ email: 'alice@example.com' });
    await createOrganization({ name: 'Acme Corp' });
    const invite = resultOf(
      await callAdmin<Invite>(t, 'POST', '/invites', {
        organization: 'Acme Corp',
        to: alice.id,
        roles: ['Billing'],
      }),
    );
    expect(invite).toMatchObject({ invited_member_id: alice.id, invited_member_email: 'alice@example.com' });
    const hers = resultOf(await api<Invite[]>('GET', '/user/invites', bearer(alice.token?.value ?? '')));
    expect(hers.map((i) => i.id)).toEqual([invite.id]);
  });

  it('sets expires_on 7 days after the given invited_on by default', async () => {
    await createOrganization({ name: 'Acme Corp' });
    const invite = resultOf(
      await callAdmin<Invite>(t, 'POST', '/invites', {
        organization: 'Acme Corp',
        to: BOOTSTRAP.email,
        roles: ['DNS'],
        invited_on: '2030-01-01T00:00:00Z',
      }),
    );
    expect(invite.invited_on).toBe('2030-01-01T00:00:00Z');
    expect(invite.expires_on).toBe('2030-01-08T00:00:00Z');
  });

  it('invites now and sets expires_on 7 days later when invited_on is not given', async () => {
    const now = new Date('2030-05-05T10:20:30Z');
    const clocked = await createTestApp({ clock: { now: () => new Date(now), nowMs: () => now.getTime() } });
    try {
      const org = await callAdmin<{ id: string }>(clocked, 'POST', '/organizations', { name: 'Acme Corp' });
      expect(org.statusCode).toBe(200);
      const invite = resultOf(
        await callAdmin<Invite>(clocked, 'POST', '/invites', {
          organization: 'Acme Corp',
          to: BOOTSTRAP.email,
          roles: ['DNS'],
        }),
      );
      expect(invite.invited_on).toBe('2030-05-05T10:20:30Z');
      expect(invite.expires_on).toBe('2030-05-12T10:20:30Z');
      expect(invite.status).toBe('pending');
    } finally {
      await clocked.close();
    }
  });

  it('keeps an explicit expires_on, and an invite past it reads expired', async () => {
    await createOrganization({ name: 'Acme Corp' });
    const invite = resultOf(
      await callAdmin<Invite>(t, 'POST', '/invites', {
        organization: 'Acme Corp',
        to: BOOTSTRAP.email,
        roles: ['DNS'],
        invited_on: '2020-01-01T00:00:00Z',
        expires_on: '2020-01-03T00:00:00Z',
      }),
    );
    expect(invite).toMatchObject({ expires_on: '2020-01-03T00:00:00Z', status: 'expired' });
  });

  it('refuses an expires_on that is not after invited_on, naming expires_on', async () => {
    await createOrganization({ name: 'Acme Corp' });
    const before = await digestStore(t.store);
    expectFieldError(
      await callAdmin(t, 'POST', '/invites', {
        organization: 'Acme Corp',
        to: BOOTSTRAP.email,
        roles: ['DNS'],
        invited_on: '2030-01-01T00:00:00Z',
        expires_on: '2030-01-01T00:00:00Z',
      }),
      'expires_on',
    );
    expect(await digestStore(t.store)).toEqual(before);
  });

  it.each([
    { change: { organization: 'Nope' }, field: 'organization' },
    { change: { organization: 'ffffffffffffffffffffffffffffffff' }, field: 'organization' },
    { change: { organization: '' }, field: 'organization' },
    { change: { to: 'ffffffffffffffffffffffffffffffff' }, field: 'to' },
    { change: { to: 'neither an email nor an id' }, field: 'to' },
    { change: { to: undefined }, field: 'to' },
    { change: { roles: ['Overlord'] }, field: 'roles[0]' },
    { change: { roles: ['DNS', 'Overlord'] }, field: 'roles[1]' },
    { change: { roles: [] }, field: 'roles' },
    { change: { invited_by: 'someone' }, field: 'invited_by' },
    { change: { invited_on: 'yesterday' }, field: 'invited_on' },
    { change: { expires_on: '2030-13-01T00:00:00Z' }, field: 'expires_on' },
    { change: { id: 'XYZ' }, field: 'id' },
  ])('answers 400 naming $field for $change', async ({ change, field }) => {
    await createOrganization({ name: 'Acme Corp' });
    const before = await digestStore(t.store);
    const body = { organization: 'Acme Corp', to: BOOTSTRAP.email, roles: ['DNS'], ...change };
    expectFieldError(await callAdmin(t, 'POST', '/invites', body), field);
    expect(await digestStore(t.store)).toEqual(before);
  });
});

describe('GET and POST /__userflare/rate_plans', () => {
  it('lists the ten built-in rate plans', async () => {
    const plans = resultOf(
      await callAdmin<{ id: string; public_name: string; currency: string }[]>(t, 'GET', '/rate_plans'),
    );
    expect(plans.map((p) => p.id).sort()).toEqual(BUILT_IN_PLANS);
    expect(plans.find((p) => p.id === 'pro')).toMatchObject({ public_name: 'Pro Plan', currency: 'USD' });
  });

  it('adds a rate plan that subscriptions can use, and replaces a plan with the same id', async () => {
    const added = resultOf(
      await callAdmin(t, 'POST', '/rate_plans', {
        id: 'team_plan',
        public_name: 'Team Plan',
        currency: 'EUR',
        scope: 'zone',
        tier: 'business',
        sets: ['team'],
        prices: { monthly: 10 },
      }),
    );
    expect(added).toEqual({
      id: 'team_plan',
      public_name: 'Team Plan',
      currency: 'EUR',
      scope: 'zone',
      sets: ['team'],
      externally_managed: false,
      is_contract: false,
    });
    const listed = resultOf(await callAdmin<{ id: string }[]>(t, 'GET', '/rate_plans'));
    expect(listed.find((p) => p.id === 'team_plan')).toEqual(added);

    const subscription = resultOf(
      await callAdmin<{ price: number; currency: string; rate_plan: { id: string } }>(
        t,
        'POST',
        '/subscriptions',
        {
          user: BOOTSTRAP.email,
          rate_plan: 'team_plan',
          frequency: 'quarterly',
          zone: { name: 'team.example.com' },
        },
      ),
    );
    expect(subscription).toMatchObject({ price: 30, currency: 'EUR', rate_plan: { id: 'team_plan' } });
    expect(resultOf(await api<{ has_business_zones: boolean }>('GET', '/user')).has_business_zones).toBe(
      true,
    );

    resultOf(
      await callAdmin(t, 'POST', '/rate_plans', {
        id: 'team_plan',
        public_name: 'Team Plan v2',
        prices: { monthly: 12 },
      }),
    );
    const replaced = resultOf(
      await callAdmin<{ id: string; public_name: string }[]>(t, 'GET', '/rate_plans'),
    );
    expect(replaced.filter((p) => p.id === 'team_plan')).toEqual([
      expect.objectContaining({ public_name: 'Team Plan v2' }),
    ]);
    expect(replaced).toHaveLength(BUILT_IN_PLANS.length + 1);
  });

  it.each([
    { change: { id: 'Team-Plan' }, field: 'id' },
    { change: { id: undefined }, field: 'id' },
    { change: { public_name: undefined }, field: 'public_name' },
    { change: { public_name: '' }, field: 'public_name' },
    { change: { currency: 'usd' }, field: 'currency' },
    { change: { tier: 'gold' }, field: 'tier' },
    { change: { prices: undefined }, field: 'prices' },
    { change: { prices: {} }, field: 'prices.monthly' },
    { change: { prices: { monthly: -1 } }, field: 'prices.monthly' },
    { change: { prices: { monthly: 10, yearly: '100' } }, field: 'prices.yearly' },
  ])('answers 400 naming $field for $change', async ({ change, field }) => {
    const before = await digestStore(t.store);
    const body = { id: 'team_plan', public_name: 'Team Plan', prices: { monthly: 10 }, ...change };
    expectFieldError(await callAdmin(t, 'POST', '/rate_plans', body), field);
    expect(await digestStore(t.store)).toEqual(before);
  });
});

describe('POST /__userflare/subscriptions', () => {
  it("subscribes a user to a plan for a zone, and the user's subscriptions and zone flags show it", async () => {
    const subscription = resultOf(
      await callAdmin<Record<string, unknown>>(t, 'POST', '/subscriptions', {
        user: BOOTSTRAP.email,
        rate_plan: 'pro',
        frequency: 'yearly',
        current_period_start: '2030-01-15T00:00:00Z',
        zone: { name: 'example.com' },
      }),
    );
    expect(subscription).toMatchObject({
      currency: 'USD',
      frequency: 'yearly',
      price: 240,
      state: 'Paid',
      current_period_start: '2030-01-15T00:00:00Z',
      current_period_end: '2031-01-15T00:00:00Z',
      rate_plan: { id: 'pro', public_name: 'Pro Plan' },
      zone: { id: expect.stringMatching(HEX32), name: 'example.com' },
    });
    expect(subscription.id).toMatch(HEX32);
    expect(resultOf(await api('GET', '/user/subscriptions'))).toEqual([subscription]);
    expect(resultOf(await api<{ has_pro_zones: boolean }>('GET', '/user')).has_pro_zones).toBe(true);
  });

  it('defaults to a monthly period starting now in state Paid, and takes the user by id', async () => {
    const before = Date.now();
    const subscription = resultOf(
      await callAdmin<{
        id: string;
        frequency: string;
        price: number;
        state: string;
        current_period_start: string;
      }>(t, 'POST', '/subscriptions', {
        id: '506e3185e9c882d175a2d0cb0093d9f2',
        user: t.userId,
        rate_plan: 'business',
        state: 'Trial',
      }),
    );
    expect(subscription).toMatchObject({
      id: '506e3185e9c882d175a2d0cb0093d9f2',
      frequency: 'monthly',
      price: 250,
      state: 'Trial',
    });
    expect(Date.parse(subscription.current_period_start)).toBeGreaterThanOrEqual(before - 1000);
    expect(subscription).not.toHaveProperty('zone');
  });

  it.each([
    { change: { rate_plan: 'platinum' }, field: 'rate_plan' },
    { change: { rate_plan: undefined }, field: 'rate_plan' },
    { change: { user: 'ghost@example.com' }, field: 'user' },
    { change: { user: undefined }, field: 'user' },
    { change: { frequency: 'daily' }, field: 'frequency' },
    { change: { state: 'Active' }, field: 'state' },
    { change: { current_period_start: 'soon' }, field: 'current_period_start' },
    { change: { zone: {} }, field: 'zone.name' },
    { change: { id: '506E3185E9C882D175A2D0CB0093D9F2' }, field: 'id' },
  ])('answers 400 naming $field for $change', async ({ change, field }) => {
    const before = await digestStore(t.store);
    const body = { user: BOOTSTRAP.email, rate_plan: 'pro', ...change };
    expectFieldError(await callAdmin(t, 'POST', '/subscriptions', body), field);
    expect(await digestStore(t.store)).toEqual(before);
  });
});

describe('POST /__userflare/billing/history', () => {
  it("adds a billing item that the user's billing history shows", async () => {
    const item = resultOf(
      await callAdmin(t, 'POST', '/billing/history', {
        id: 'b69a9f3492637782896352daae219e7d',
        // A user reference is an email in any case, or an id.
        user: 'Admin@Example.COM',
        action: 'subscription',
        type: 'charge',
        amount: 25,
        description: 'Pro Plan (monthly)',
        occurred_at: '2030-02-01T12:00:00Z',
        zone: { name: 'example.com' },
      }),
    );
    expect(item).toEqual({
      id: 'b69a9f3492637782896352daae219e7d',
      action: 'subscription',
      type: 'charge',
      amount: 25,
      currency: 'USD',
      description: 'Pro Plan (monthly)',
      occurred_at: '2030-02-01T12:00:00Z',
      zone: { name: 'example.com' },
    });
    expect(resultOf(await api('GET', '/user/billing/history'))).toEqual([item]);
  });

  it.each([
    { change: { amount: '25' }, field: 'amount' },
    { change: { amount: undefined }, field: 'amount' },
    { change: { description: undefined }, field: 'description' },
    { change: { action: '' }, field: 'action' },
    { change: { type: 'x'.repeat(31) }, field: 'type' },
    { change: { currency: 'usd' }, field: 'currency' },
    { change: { occurred_at: 'last week' }, field: 'occurred_at' },
    { change: { user: 'ghost@example.com' }, field: 'user' },
  ])('answers 400 naming $field for $change', async ({ change, field }) => {
    const before = await digestStore(t.store);
    const body = {
      user: BOOTSTRAP.email,
      action: 'payment',
      type: 'credit',
      amount: -5,
      description: 'x',
      ...change,
    };
    expectFieldError(await callAdmin(t, 'POST', '/billing/history', body), field);
    expect(await digestStore(t.store)).toEqual(before);
  });
});

describe('PUT /__userflare/billing/profile', () => {
  it("sets the user's billing profile, and a second PUT changes it", async () => {
    const set = resultOf(
      await callAdmin(t, 'PUT', '/billing/profile', {
        user: BOOTSTRAP.email,
        first_name: 'Ada',
        last_name: 'Admin',
        city: 'Lisbon',
        company: 'Acme Corp',
        card_number: '4242',
        card_expiry_month: 12,
        card_expiry_year: 2099,
        is_partner: false,
      }),
    );
    expect(set).toEqual({ user_id: t.userId });
    const profile = resultOf(await api<Record<string, unknown>>('GET', '/user/billing/profile'));
    expect(profile).toMatchObject({
      first_name: 'Ada',
      last_name: 'Admin',
      city: 'Lisbon',
      company: 'Acme Corp',
      card_number: '4242',
      card_expiry_month: 12,
      card_expiry_year: 2099,
      is_partner: false,
    });

    resultOf(
      await callAdmin(t, 'PUT', '/billing/profile', { user: t.userId, city: 'Porto', company: 'Globex' }),
    );
    const changed = resultOf(await api<Record<string, unknown>>('GET', '/user/billing/profile'));
    expect(changed).toMatchObject({ city: 'Porto', company: 'Globex' });
  });

  it.each([
    { change: { user: undefined }, field: 'user' },
    { change: { user: 'ghost@example.com' }, field: 'user' },
    { change: { card_expiry_month: 13 }, field: 'card_expiry_month' },
    { change: { card_expiry_year: 99 }, field: 'card_expiry_year' },
    { change: { next_bill_date: 'tomorrow' }, field: 'next_bill_date' },
    { change: { zipcode: '1'.repeat(21) }, field: 'zipcode' },
    { change: { is_partner: 'no' }, field: 'is_partner' },
  ])('answers 400 naming $field for $change', async ({ change, field }) => {
    const before = await digestStore(t.store);
    const body = { user: BOOTSTRAP.email, city: 'Lisbon', ...change };
    expectFieldError(await callAdmin(t, 'PUT', '/billing/profile', body), field);
    expect(await digestStore(t.store)).toEqual(before);
  });
});

describe('the audit log of admin changes', () => {
  it("records each admin change in the affected user's audit log with actor type admin", async () => {
    const carol = await createUser({ email: 'carol@example.com' });
    const acme = await createOrganization({
      name: 'Acme Corp',
      members: [{ user: 'carol@example.com', roles: ['All Privileges - Super Administrator'] }],
    });
    await createOrganization({ name: 'Globex' });
    const invite = resultOf(
      await callAdmin<Invite>(t, 'POST', '/invites', {
        organization: 'Globex',
        to: carol.id,
        roles: ['DNS'],
      }),
    );
    const subscription = resultOf(
      await callAdmin<{ id: string }>(t, 'POST', '/subscriptions', { user: carol.id, rate_plan: 'pro' }),
    );
    const item = resultOf(
      await callAdmin<{ id: string }>(t, 'POST', '/billing/history', {
        user: carol.id,
        action: 'payment',
        type: 'credit',
        amount: -5,
        description: 'thanks',
      }),
    );
    resultOf(
      await callAdmin(t, 'PUT', '/billing/profile', {
        user: carol.id,
        city: 'Lisbon',
        card_number: '4111111111111111',
      }),
    );

    const entries = await auditEntriesOf(bearer(carol.token?.value ?? ''));
    const seen = entries.map((e) => `${e.action.type} ${e.resource.type} ${e.resource.id}`).sort();
    expect(seen).toEqual(
      [
        `create user ${carol.id}`,
        `join organization ${acme.id}`,
        `invite invite ${invite.id}`,
        `create subscription ${subscription.id}`,
        `create billing_item ${item.id}`,
        `update billing_profile ${carol.id}`,
      ].sort(),
    );
    for (const entry of entries) expect(entry.actor.type).toBe('admin');
    // Card numbers never enter the audit log; nor do the user's secrets.
    const text = JSON.stringify(entries);
    expect(text).not.toContain('4111111111111111');
    expect(text).not.toContain(carol.api_key);
    expect(text).not.toContain(carol.token?.value);
  });

  it('records adding and replacing a rate plan in the audit log with actor type admin', async () => {
    const plan = { id: 'audited_plan', public_name: 'Audited', prices: { monthly: 1 } };
    resultOf(await callAdmin(t, 'POST', '/rate_plans', plan));
    resultOf(await callAdmin(t, 'POST', '/rate_plans', { ...plan, public_name: 'Audited v2' }));
    const rows = await t.store.db
      .selectFrom('audit_logs')
      .select(['actor_type', 'resource_id'])
      .where('resource_id', '=', 'audited_plan')
      .execute();
    expect(rows).toEqual([
      { actor_type: 'admin', resource_id: 'audited_plan' },
      { actor_type: 'admin', resource_id: 'audited_plan' },
    ]);
  });
});

describe('POST /__userflare/reset', () => {
  it('returns the store to its bootstrap state: fixture data and tokens gone, the bootstrap token works again, built-in plans back', async () => {
    const fresh = await createTestApp();
    const bootstrapCounts = await countRows(fresh.store);
    await fresh.close();

    const seeded = resultOf(await callAdmin<{ users: CreatedUser[] }>(t, 'POST', '/seed', exampleFixture()));
    const [alice, bob] = seeded.users;
    resultOf(
      await callAdmin(t, 'POST', '/rate_plans', {
        id: 'pro',
        public_name: 'Pro Plan (renamed)',
        prices: { monthly: 1 },
      }),
    );
    const extra = resultOf(
      await api<{ id: string; value: string }>('POST', '/user/tokens', bearer(BOOTSTRAP.token), {
        name: 'extra',
        policies: [
          {
            effect: 'allow',
            permission_groups: [{ id: '8acbe5bb0d54464ab867149d7f7cf8ac' }],
            resources: { [`com.cloudflare.api.user.${t.userId}`]: '*' },
          },
        ],
      }),
    );
    // Delete the bootstrap token, so that "works again" means the reset brought it back.
    const bootstrapTokenId = resultOf(await api<{ id: string }>('GET', '/user/tokens/verify')).id;
    resultOf(await api('DELETE', `/user/tokens/${bootstrapTokenId}`, globalKey()));
    expect((await api('GET', '/user')).statusCode).toBe(403);

    const reset = resultOf(await callAdmin<Record<string, unknown>>(t, 'POST', '/reset'));
    expect(reset).toEqual({ email: BOOTSTRAP.email, user_id: expect.stringMatching(HEX32) });

    expect(await countRows(t.store)).toEqual(bootstrapCounts);
    const me = resultOf(await api<{ id: string; email: string; organizations: unknown[] }>('GET', '/user'));
    expect(me).toMatchObject({ id: reset.user_id, email: BOOTSTRAP.email, organizations: [] });
    expect(resultOf(await api<{ id: string }>('GET', '/user', globalKey())).id).toBe(reset.user_id);
    expect(resultOf(await api<{ name: string }[]>('GET', '/user/tokens')).map((tk) => tk.name)).toEqual([
      'userflare bootstrap token',
    ]);
    for (const path of [
      '/user/invites',
      '/user/organizations',
      '/user/subscriptions',
      '/user/billing/history',
      '/user/audit_logs',
    ]) {
      expect(resultOf(await api('GET', path)), path).toEqual([]);
    }

    for (const gone of [alice?.token?.value ?? '', extra.value]) {
      const response = await api('GET', '/user', bearer(gone));
      expect(response.statusCode).toBe(403);
      expect(response.body.errors[0]?.code).toBe(9109);
    }
    const bobsKey = await api('GET', '/user', globalKey('bob@example.com', bob?.api_key ?? ''));
    expect(bobsKey.statusCode).toBe(403);
    expect(bobsKey.body.errors[0]?.code).toBe(9103);

    const plans = resultOf(await callAdmin<{ id: string; public_name: string }[]>(t, 'GET', '/rate_plans'));
    expect(plans.map((p) => p.id).sort()).toEqual(BUILT_IN_PLANS);
    expect(plans.find((p) => p.id === 'pro')?.public_name).toBe('Pro Plan');

    // The same fixture loads again on the reset store.
    resultOf(await callAdmin(t, 'POST', '/seed', exampleFixture()));
  });

  it('answers freshly generated bootstrap secrets when the environment does not fix them', async () => {
    const generated = await createTestApp({
      env: { USERFLARE_BOOTSTRAP_TOKEN: '', USERFLARE_BOOTSTRAP_API_KEY: '' },
    });
    try {
      const firstToken = generated.bootstrap.generatedToken ?? '';
      expect(firstToken).toMatch(/^cfut_/);
      const reset = resultOf(
        await callAdmin<{ email: string; user_id: string; token: string; api_key: string }>(
          generated,
          'POST',
          '/reset',
        ),
      );
      expect(reset.token).toMatch(/^cfut_[0-9A-Za-z]{46}$/);
      expect(reset.api_key).toMatch(/^[0-9a-f]{37}$/);
      expect(reset.token).not.toBe(firstToken);

      const get = (headers: Record<string, string>) =>
        generated.app.inject({ method: 'GET', url: '/client/v4/user', headers });
      const viaToken = await get(bearer(reset.token));
      expect(viaToken.statusCode).toBe(200);
      expect(viaToken.json().result.id).toBe(reset.user_id);
      expect((await get(globalKey(BOOTSTRAP.email, reset.api_key))).statusCode).toBe(200);
      expect((await get(bearer(firstToken))).statusCode).toBe(403);
    } finally {
      await generated.close();
    }
  });
});
