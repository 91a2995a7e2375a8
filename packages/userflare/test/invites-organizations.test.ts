import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Cloudflare from 'cloudflare';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type AuditEntry,
  api,
  auditEntries,
  type CreatedUser,
  createInvite,
  createOrganization,
  createUser,
  DAY,
  expectFailure,
  expectFieldError,
  expectNoRoute,
  GROUP,
  type Invite,
  ManualClock,
  type MembershipView,
  membershipView,
  type Organization,
  SUPER_ADMINISTRATOR,
  seed,
  tokenWith,
} from './helpers/membership-fixtures.js';
import {
  BOOTSTRAP,
  createTestApp,
  globalKey,
  startTestServer,
  type TestApp,
  type TestServer,
} from './helpers/test-server.js';

// Invites and the deprecated organizations API (REFERENCE §2.6–2.11, §7.1–7.2), and how a membership
// they create or remove shows on /user, /accounts and /memberships (CLIENTS §9). Fresh store per test.

const MISSING_ID = '0123456789abcdef0123456789abcdef';
const DNS_PERMISSIONS = ['#dns_records:edit', '#dns_records:read', '#zone:read'];
const EXAMPLE_FIXTURE = JSON.parse(
  readFileSync(resolve(import.meta.dirname, '../../../fixtures/example.json'), 'utf8'),
) as unknown;
/** Ids from fixtures/example.json. */
const ACME = { id: '023e105f4ecef8ad9ca31a8372d0c353', name: 'Acme Corp' };
const GLOBEX = { id: '5a7805061c76ada191ed06f989cc3dac', name: 'Globex' };
const INITECH = { id: '9a7806061c88ada191ed06f989cc3dac', name: 'Initech' };
const GLOBEX_INVITE = '4f5f0c14a2a41d5063dd301b2f829f04';
const INITECH_INVITE = '6c2f0c14a2a41d5063dd301b2f829f05';

let t: TestApp;
let clock: ManualClock;

/** A fresh in-memory store with a clock at 2030-01-01T00:00:00Z for every test of the enclosing block. */
function useFreshStore(): void {
  beforeEach(async () => {
    clock = new ManualClock();
    t = await createTestApp({ clock });
  });
  afterEach(async () => {
    await t?.close();
  });
}

/** What a refused request must leave untouched: every view of the memberships, the invites, the audit log. */
async function stateOf(token: string = BOOTSTRAP.token) {
  const invites = await api<Invite[]>(t, 'GET', '/user/invites', { token });
  return {
    view: await membershipView(t, token),
    invites: invites.result,
    audit: await auditEntries(t, token),
  };
}

const idsOf = (items: { id: string }[]) => items.map((item) => item.id);

function expectMemberEverywhere(view: MembershipView, org: { id: string; name: string }, roles: string[]) {
  const asOrganization = expect.objectContaining({ id: org.id, name: org.name, roles, status: 'member' });
  expect(view.user).toContainEqual(asOrganization);
  expect(view.organizations).toContainEqual(asOrganization);
  expect(view.accounts).toContainEqual(expect.objectContaining({ id: org.id, name: org.name }));
  expect(view.memberships).toContainEqual(
    expect.objectContaining({ account: { id: org.id, name: org.name }, roles, status: 'accepted' }),
  );
}

function expectNotMemberAnywhere(view: MembershipView, orgId: string) {
  expect(idsOf(view.user)).not.toContain(orgId);
  expect(view.organizations.filter((o) => o.status === 'member').map((o) => o.id)).not.toContain(orgId);
  expect(idsOf(view.accounts)).not.toContain(orgId);
  expect(view.memberships.map((m) => m.account.id)).not.toContain(orgId);
}

/** An organization run by alice (its Super Administrator), which the bootstrap user is invited to. */
async function invitedOrganization(name: string, roles = ['Administrator', 'DNS'], enforceTwofactor = false) {
  const alice = await createUser(t, `${name.toLowerCase().replaceAll(' ', '-')}-owner@example.com`);
  const org = await createOrganization(t, name, [{ user: alice.email, roles: [SUPER_ADMINISTRATOR] }], {
    enforce_twofactor: enforceTwofactor,
  });
  const invite = await createInvite(t, { organization: org.id, to: t.userId, roles });
  return { alice, org, invite };
}

describe('GET /user/invites', () => {
  useFreshStore();

  it('lists every invite addressed to the user by id, newest first, with the full invite object', async () => {
    const alice = await createUser(t, 'alice@example.com');
    const acme = await createOrganization(
      t,
      'Acme Corp',
      [{ user: alice.email, roles: [SUPER_ADMINISTRATOR] }],
      {
        enforce_twofactor: true,
      },
    );
    const globex = await createOrganization(t, 'Globex');
    const older = await createInvite(t, { organization: acme.id, to: t.userId, roles: ['Administrator'] });
    clock.advance(60_000);
    const newer = await createInvite(t, {
      organization: 'Globex',
      to: BOOTSTRAP.email,
      roles: ['DNS', 'Billing'],
      invited_by: 'hr@globex.example',
    });

    const reply = await api<Invite[]>(t, 'GET', '/user/invites');
    expect(reply.status).toBe(200);
    expect(reply.body.success).toBe(true);
    expect(idsOf(reply.result)).toEqual([newer.id, older.id]);
    expect(reply.result[1]).toEqual({
      id: older.id,
      invited_member_id: t.userId,
      organization_id: acme.id,
      expires_on: '2030-01-08T00:00:00Z',
      invited_by: 'alice@example.com',
      invited_member_email: BOOTSTRAP.email,
      invited_on: '2030-01-01T00:00:00Z',
      organization_is_enforcing_twofactor: true,
      organization_name: 'Acme Corp',
      roles: ['Administrator'],
      status: 'pending',
    });
    expect(reply.result[0]).toMatchObject({
      organization_id: globex.id,
      organization_name: 'Globex',
      invited_member_id: t.userId,
      invited_by: 'hr@globex.example',
      organization_is_enforcing_twofactor: false,
      roles: ['DNS', 'Billing'],
      invited_on: '2030-01-01T00:01:00Z',
      status: 'pending',
    });
    expect(reply.body.result_info).toMatchObject({ count: 2, total_count: 2 });
  });

  it('lists an invite made to an email before its user existed once that user signs in, and shows it to no one else', async () => {
    const acme = await createOrganization(t, 'Acme Corp');
    const invite = await createInvite(t, {
      organization: acme.id,
      to: 'Carol@Example.com',
      roles: ['Analytics'],
    });
    expect(invite.invited_member_id).toBeNull();
    const carol = await createUser(t, 'carol@example.com');

    const carols = await api<Invite[]>(t, 'GET', '/user/invites', { token: carol.token });
    expect(carols.status).toBe(200);
    expect(carols.result).toEqual([
      expect.objectContaining({
        id: invite.id,
        invited_member_id: null,
        invited_member_email: 'carol@example.com',
        organization_id: acme.id,
        status: 'pending',
      }),
    ]);
    const mine = await api<Invite[]>(t, 'GET', '/user/invites');
    expect(mine.result).toEqual([]);
  });

  it('lists nothing addressed to other users, by id or by email', async () => {
    const alice = await createUser(t, 'alice@example.com');
    const acme = await createOrganization(t, 'Acme Corp');
    await createInvite(t, { organization: acme.id, to: alice.id, roles: ['DNS'] });
    await createInvite(t, { organization: acme.id, to: 'alice@example.com', roles: ['Billing'] });
    await createInvite(t, { organization: acme.id, to: 'nobody-yet@example.com', roles: ['Billing'] });
    const own = await createInvite(t, { organization: acme.id, to: BOOTSTRAP.email, roles: ['Analytics'] });

    const mine = await api<Invite[]>(t, 'GET', '/user/invites');
    expect(idsOf(mine.result)).toEqual([own.id]);
    const alices = await api<Invite[]>(t, 'GET', '/user/invites', { token: alice.token });
    expect(alices.result).toHaveLength(2);
    expect(alices.result.every((i) => i.invited_member_email === 'alice@example.com')).toBe(true);
  });

  it('answers an empty list, not an error, to a user with no invites', async () => {
    const reply = await api<Invite[]>(t, 'GET', '/user/invites');
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ success: true, errors: [], result: [] });
  });

  it('keeps answered and expired invites in the list with their status', async () => {
    const { invite: accepted } = await invitedOrganization('Accepted Org');
    const { invite: rejected } = await invitedOrganization('Rejected Org');
    const { invite: expired } = await invitedOrganization('Expired Org');
    expect(
      (await api(t, 'PATCH', `/user/invites/${accepted.id}`, { body: { status: 'accepted' } })).status,
    ).toBe(200);
    expect(
      (await api(t, 'PATCH', `/user/invites/${rejected.id}`, { body: { status: 'rejected' } })).status,
    ).toBe(200);
    clock.advance(8 * DAY);

    const reply = await api<Invite[]>(t, 'GET', '/user/invites');
    const statusOf = Object.fromEntries(reply.result.map((i) => [i.id, i.status]));
    expect(statusOf).toEqual({
      [accepted.id]: 'accepted',
      [rejected.id]: 'rejected',
      [expired.id]: 'expired',
    });
  });
});

describe('GET /user/invites/{invite_id}', () => {
  useFreshStore();

  it('returns an invite addressed to the user by id', async () => {
    const { invite, org } = await invitedOrganization('Acme Corp');
    const reply = await api<Invite>(t, 'GET', `/user/invites/${invite.id}`);
    expect(reply.status).toBe(200);
    expect(reply.result).toEqual(invite);
    expect(reply.result).toMatchObject({ organization_id: org.id, status: 'pending' });
  });

  it('returns an invite addressed by email before the user existed', async () => {
    const acme = await createOrganization(t, 'Acme Corp');
    const invite = await createInvite(t, { organization: acme.id, to: 'dave@example.com', roles: ['DNS'] });
    const dave = await createUser(t, 'dave@example.com');
    const reply = await api<Invite>(t, 'GET', `/user/invites/${invite.id}`, { token: dave.token });
    expect(reply.status).toBe(200);
    expect(reply.result).toMatchObject({ id: invite.id, invited_member_email: 'dave@example.com' });
  });

  it("answers someone else's invite with 404 7003+7000, exactly like a missing one", async () => {
    const alice = await createUser(t, 'alice@example.com');
    const acme = await createOrganization(t, 'Acme Corp');
    const hers = await createInvite(t, { organization: acme.id, to: alice.id, roles: ['DNS'] });
    const byEmail = await createInvite(t, { organization: acme.id, to: 'erin@example.com', roles: ['DNS'] });

    for (const id of [hers.id, byEmail.id, MISSING_ID]) {
      expectNoRoute(await api(t, 'GET', `/user/invites/${id}`), 404, `/user/invites/${id}`);
    }
    expect((await api(t, 'GET', `/user/invites/${hers.id}`, { token: alice.token })).status).toBe(200);
  });

  it.each([
    ['too short', 'abc123'],
    ['upper-case hex', 'ABCDEF0123456789ABCDEF0123456789'],
    ['33 characters', `${MISSING_ID}0`],
    ['not hex', 'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz'],
  ])('answers a malformed id (%s) with 400 7003+7000', async (_label, id) => {
    expectNoRoute(await api(t, 'GET', `/user/invites/${id}`), 400, `/user/invites/${id}`);
  });
});

describe('PATCH /user/invites/{invite_id}', () => {
  useFreshStore();

  it('accepts an invite: the answer is the accepted invite and the membership appears on every route, with the invite’s roles', async () => {
    const { invite, org } = await invitedOrganization('Acme Corp', ['Administrator', 'DNS']);
    const before = await auditEntries(t);
    const invitedView = await membershipView(t);
    expect(invitedView.organizations).toContainEqual(
      expect.objectContaining({ id: org.id, status: 'invited', roles: ['Administrator', 'DNS'] }),
    );
    expectNotMemberAnywhere(invitedView, org.id);

    clock.advance(3_600_000);
    const reply = await api<Invite>(t, 'PATCH', `/user/invites/${invite.id}`, {
      body: { status: 'accepted' },
    });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ success: true, errors: [], messages: [] });
    expect(reply.result).toEqual({ ...invite, status: 'accepted' });

    const view = await membershipView(t);
    expectMemberEverywhere(view, org, ['Administrator', 'DNS']);
    expect(view.organizations.filter((o) => o.id === org.id)).toHaveLength(1);
    const organization = view.user.find((o) => o.id === org.id) as Organization;
    expect(organization.permissions).toContain('#dns_records:edit');
    expect(organization.permissions).toEqual([...organization.permissions].sort());
    expect(view.memberships.find((m) => m.account.id === org.id)?.permissions).toEqual(
      organization.permissions,
    );
    expect((await api<Invite>(t, 'GET', `/user/invites/${invite.id}`)).result.status).toBe('accepted');

    const after = await auditEntries(t);
    expect(after).toHaveLength(before.length + 1);
    const entry = after.at(-1) as AuditEntry;
    expect(entry).toMatchObject({
      action: { result: true, type: 'accept' },
      actor: { id: t.userId, email: BOOTSTRAP.email, type: 'user' },
      owner: { id: t.userId },
      resource: { id: invite.id, type: 'invite' },
      when: '2030-01-01T01:00:00Z',
      metadata: expect.objectContaining({ organization_id: org.id }),
    });
    expect(JSON.parse(entry.oldValue as string)).toMatchObject({ status: 'pending' });
    expect(JSON.parse(entry.newValue as string)).toMatchObject({ status: 'accepted' });
  });

  it('accepts an invite made to an email before the user existed and records the user as the invitee', async () => {
    const acme = await createOrganization(t, 'Acme Corp');
    const invite = await createInvite(t, {
      organization: acme.id,
      to: 'frank@example.com',
      roles: ['Billing'],
    });
    const frank = await createUser(t, 'frank@example.com');

    const reply = await api<Invite>(t, 'PATCH', `/user/invites/${invite.id}`, {
      token: frank.token,
      body: { status: 'accepted' },
    });
    expect(reply.status).toBe(200);
    expect(reply.result).toMatchObject({ status: 'accepted', invited_member_id: frank.id });
    expectMemberEverywhere(await membershipView(t, frank.token), acme, ['Billing']);
  });

  it('rejects an invite: the answer is the rejected invite, no membership appears and the organization is no longer listed as invited', async () => {
    const { invite, org } = await invitedOrganization('Acme Corp');
    const before = await auditEntries(t);

    const reply = await api<Invite>(t, 'PATCH', `/user/invites/${invite.id}`, {
      body: { status: 'rejected' },
    });
    expect(reply.status).toBe(200);
    expect(reply.result).toEqual({ ...invite, status: 'rejected' });

    const view = await membershipView(t);
    expectNotMemberAnywhere(view, org.id);
    expect(idsOf(view.organizations)).not.toContain(org.id);
    expect((await api(t, 'GET', `/user/organizations/${org.id}`)).status).toBe(404);

    const after = await auditEntries(t);
    expect(after).toHaveLength(before.length + 1);
    expect(after.at(-1)).toMatchObject({
      action: { type: 'reject' },
      actor: { id: t.userId, type: 'user' },
      resource: { id: invite.id, type: 'invite' },
    });
  });

  it('adds the invite’s roles to an existing membership instead of creating a second one', async () => {
    const acme = await createOrganization(t, 'Acme Corp', [{ user: BOOTSTRAP.email, roles: ['DNS'] }]);
    const invite = await createInvite(t, { organization: acme.id, to: t.userId, roles: ['Billing', 'DNS'] });

    expect(
      (await api(t, 'PATCH', `/user/invites/${invite.id}`, { body: { status: 'accepted' } })).status,
    ).toBe(200);
    const view = await membershipView(t);
    expect(view.memberships.filter((m) => m.account.id === acme.id)).toHaveLength(1);
    expectMemberEverywhere(view, acme, ['DNS', 'Billing']);
  });

  it('reads an invite as expired from its expires_on instant on, and refuses to answer it with 400 and a clear error', async () => {
    const { invite, org } = await invitedOrganization('Acme Corp');
    clock.set('2030-01-07T23:59:59.999Z');
    expect((await api<Invite>(t, 'GET', `/user/invites/${invite.id}`)).result.status).toBe('pending');
    clock.set(invite.expires_on);
    expect((await api<Invite>(t, 'GET', `/user/invites/${invite.id}`)).result.status).toBe('expired');
    const before = await stateOf();
    expect(before.invites).toEqual([{ ...invite, status: 'expired' }]);
    expect(idsOf(before.view.organizations)).not.toContain(org.id);

    for (const status of ['accepted', 'rejected']) {
      const reply = await api(t, 'PATCH', `/user/invites/${invite.id}`, { body: { status } });
      expectFailure(reply, 400, 1101);
      expect(reply.errors[0]?.message).toBe(
        `Invite ${invite.id} expired on 2030-01-08T00:00:00Z and can no longer be answered`,
      );
    }
    expect(await stateOf()).toEqual(before);
  });

  it.each([
    ['accepted', 'accepted'],
    ['accepted', 'rejected'],
    ['rejected', 'accepted'],
    ['rejected', 'rejected'],
  ] as const)(
    'refuses to answer an invite already %s with %s: 400, and nothing changes',
    async (first, second) => {
      const { invite } = await invitedOrganization('Acme Corp');
      expect((await api(t, 'PATCH', `/user/invites/${invite.id}`, { body: { status: first } })).status).toBe(
        200,
      );
      const before = await stateOf();

      const reply = await api(t, 'PATCH', `/user/invites/${invite.id}`, { body: { status: second } });
      expectFailure(reply, 400, 1102);
      expect(reply.errors[0]?.message).toBe(
        `Invite ${invite.id} was already ${first}; it can be answered once`,
      );
      expect(await stateOf()).toEqual(before);
    },
  );

  it('still reads an answered invite as answered, not expired, after expires_on', async () => {
    const { invite } = await invitedOrganization('Acme Corp');
    expect(
      (await api(t, 'PATCH', `/user/invites/${invite.id}`, { body: { status: 'accepted' } })).status,
    ).toBe(200);
    clock.advance(30 * DAY);
    expect((await api<Invite>(t, 'GET', `/user/invites/${invite.id}`)).result.status).toBe('accepted');
  });

  it.each([
    ['pending', { status: 'pending' }],
    ['expired', { status: 'expired' }],
    ['upper case', { status: 'ACCEPTED' }],
    ['a number', { status: 1 }],
    ['null', { status: null }],
    ['missing', {}],
    ['missing, with another field', { state: 'accepted' }],
  ])(
    'refuses a status that is not accepted or rejected (%s) with 400 naming status, and nothing changes',
    async (_label, body) => {
      const { invite } = await invitedOrganization('Acme Corp');
      const before = await stateOf();
      expectFieldError(await api(t, 'PATCH', `/user/invites/${invite.id}`, { body }), 'status');
      expect(await stateOf()).toEqual(before);
    },
  );

  it('refuses a request without a body with 400, and nothing changes', async () => {
    const { invite } = await invitedOrganization('Acme Corp');
    const before = await stateOf();
    const reply = await api(t, 'PATCH', `/user/invites/${invite.id}`);
    expectFailure(reply, 400, 1004);
    expect(await stateOf()).toEqual(before);
  });

  it('refuses an empty JSON body with 400, and nothing changes', async () => {
    const { invite } = await invitedOrganization('Acme Corp');
    const before = await stateOf();
    expectFailure(await api(t, 'PATCH', `/user/invites/${invite.id}`, { body: '' }), 400, 1004);
    expect(await stateOf()).toEqual(before);
  });

  it('refuses malformed JSON with 400 6007, and nothing changes', async () => {
    const { invite } = await invitedOrganization('Acme Corp');
    const before = await stateOf();
    expectFailure(await api(t, 'PATCH', `/user/invites/${invite.id}`, { body: '{"status":' }), 400, 6007);
    expect(await stateOf()).toEqual(before);
  });

  it("refuses to answer someone else's invite with 404 7003+7000, and nothing changes for either user", async () => {
    const alice = await createUser(t, 'alice@example.com');
    const acme = await createOrganization(t, 'Acme Corp');
    const hers = await createInvite(t, { organization: acme.id, to: alice.id, roles: ['DNS'] });
    const mineBefore = await stateOf();
    const hersBefore = await stateOf(alice.token);

    for (const status of ['accepted', 'rejected']) {
      expectNoRoute(
        await api(t, 'PATCH', `/user/invites/${hers.id}`, { body: { status } }),
        404,
        `/user/invites/${hers.id}`,
      );
    }
    expect(await stateOf()).toEqual(mineBefore);
    expect(await stateOf(alice.token)).toEqual(hersBefore);
  });

  it('refuses a malformed invite id with 400 7003+7000', async () => {
    expectNoRoute(
      await api(t, 'PATCH', '/user/invites/not-an-id', { body: { status: 'accepted' } }),
      400,
      '/user/invites/not-an-id',
    );
  });
});

describe('GET /user/organizations filters, ordering and pages', () => {
  // Read-only tests over one store: four memberships, two pending invites, and organizations that
  // must never show (an expired invite, a rejected one, one the user has nothing to do with).
  const orgs: Record<string, { id: string; name: string }> = {};
  let alice: CreatedUser;

  beforeAll(async () => {
    clock = new ManualClock();
    t = await createTestApp({ clock });
    alice = await createUser(t, 'alice@example.com');
    const owner = { user: alice.email, roles: [SUPER_ADMINISTRATOR] };
    orgs.acmeCorp = await createOrganization(t, 'Acme Corp', [
      { user: BOOTSTRAP.email, roles: [SUPER_ADMINISTRATOR] },
      { user: alice.email, roles: ['Administrator'] },
    ]);
    orgs.acmeLabs = await createOrganization(t, 'acme labs', [
      owner,
      { user: BOOTSTRAP.email, roles: ['Administrator'] },
    ]);
    orgs.initech = await createOrganization(t, 'Initech', [{ user: BOOTSTRAP.email, roles: ['DNS'] }]);
    orgs.initrode = await createOrganization(t, 'Initrode', [{ user: BOOTSTRAP.email, roles: ['Billing'] }]);
    orgs.globex = await createOrganization(t, 'Globex', [owner]);
    await createInvite(t, {
      organization: orgs.globex.id,
      to: t.userId,
      roles: ['Administrator', 'Billing'],
    });
    orgs.umbrella = await createOrganization(t, 'Umbrella', [owner]);
    await createInvite(t, { organization: orgs.umbrella.id, to: BOOTSTRAP.email, roles: ['Analytics'] });
    orgs.hooli = await createOrganization(t, 'Hooli', [owner]);
    await createInvite(t, {
      organization: orgs.hooli.id,
      to: t.userId,
      roles: ['DNS'],
      invited_on: '2029-12-01T00:00:00Z',
      expires_on: '2029-12-08T00:00:00Z',
    });
    orgs.rejected = await createOrganization(t, 'Acme Rejected', [owner]);
    const rejected = await createInvite(t, { organization: orgs.rejected.id, to: t.userId, roles: ['DNS'] });
    const answer = await api(t, 'PATCH', `/user/invites/${rejected.id}`, { body: { status: 'rejected' } });
    expect(answer.status).toBe(200);
    orgs.foreign = await createOrganization(t, 'Acme Foreign', [owner]);
  });

  afterAll(async () => {
    await t?.close();
  });

  const list = (query: Record<string, string> = {}) =>
    api<Organization[]>(t, 'GET', '/user/organizations', { query });
  const names = (reply: { result: Organization[] }) => reply.result.map((o) => o.name);
  const byId = (a: Organization, b: Organization) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

  it('lists memberships as member and pending invites as invited, by name, with result_info', async () => {
    const reply = await list();
    expect(reply.status).toBe(200);
    expect(names(reply)).toEqual(['Acme Corp', 'acme labs', 'Globex', 'Initech', 'Initrode', 'Umbrella']);
    expect(reply.body.result_info).toEqual({
      page: 1,
      per_page: 20,
      count: 6,
      total_count: 6,
      total_pages: 1,
    });
    const find = (name: string) => reply.result.find((o) => o.name === name);
    expect(find('Initech')).toEqual({
      id: orgs.initech?.id,
      name: 'Initech',
      permissions: DNS_PERMISSIONS,
      roles: ['DNS'],
      status: 'member',
    });
    expect(find('Acme Corp')).toMatchObject({ roles: [SUPER_ADMINISTRATOR], status: 'member' });
    expect(find('Acme Corp')?.permissions).toContain('#organization:edit');
    expect(find('Globex')).toEqual({
      id: orgs.globex?.id,
      name: 'Globex',
      permissions: [],
      roles: ['Administrator', 'Billing'],
      status: 'invited',
    });
    expect(find('Umbrella')).toMatchObject({ roles: ['Analytics'], status: 'invited' });
  });

  it.each([
    ['ACME', ['Acme Corp', 'acme labs']],
    ['init', ['Initech', 'Initrode']],
    ['me l', ['acme labs']],
    ['BREL', ['Umbrella']],
    ['Hooli', []],
    ['Foreign', []],
  ])('filters by name %j as a case-insensitive substring', async (name, expected) => {
    const reply = await list({ name });
    expect(reply.status).toBe(200);
    expect(names(reply)).toEqual(expected);
    expect(reply.body.result_info).toMatchObject({ count: expected.length, total_count: expected.length });
  });

  it.each([
    ['member', ['Acme Corp', 'acme labs', 'Initech', 'Initrode']],
    ['invited', ['Globex', 'Umbrella']],
  ])('filters by status %s', async (status, expected) => {
    const reply = await list({ status });
    expect(names(reply)).toEqual(expected);
    expect(reply.result.every((o) => o.status === status)).toBe(true);
  });

  it('needs every filter to hold with match=all, and when match is not given', async () => {
    expect(names(await list({ name: 'acme', status: 'invited', match: 'all' }))).toEqual([]);
    expect(names(await list({ name: 'acme', status: 'invited' }))).toEqual([]);
    expect(names(await list({ name: 'acme', status: 'member', match: 'all' }))).toEqual([
      'Acme Corp',
      'acme labs',
    ]);
  });

  it('needs one filter to hold with match=any', async () => {
    expect(names(await list({ name: 'acme', status: 'invited', match: 'any' }))).toEqual([
      'Acme Corp',
      'acme labs',
      'Globex',
      'Umbrella',
    ]);
    expect(names(await list({ name: 'initech', status: 'member', match: 'any' }))).toHaveLength(4);
    expect(names(await list({ match: 'any' }))).toHaveLength(6);
  });

  it('orders by name in either direction', async () => {
    const ascending = ['Acme Corp', 'acme labs', 'Globex', 'Initech', 'Initrode', 'Umbrella'];
    expect(names(await list({ order: 'name', direction: 'asc' }))).toEqual(ascending);
    expect(names(await list({ order: 'name', direction: 'desc' }))).toEqual([...ascending].reverse());
    expect(names(await list({ direction: 'desc' }))).toEqual([...ascending].reverse());
  });

  it('orders by id in either direction', async () => {
    const all = (await list()).result;
    const ascending = idsOf([...all].sort(byId));
    expect(idsOf((await list({ order: 'id' })).result)).toEqual(ascending);
    expect(idsOf((await list({ order: 'id', direction: 'desc' })).result)).toEqual([...ascending].reverse());
  });

  it('orders by status, invited before member ascending and after it descending, ties by id', async () => {
    const all = (await list()).result;
    const ascending = idsOf([
      ...all.filter((o) => o.status === 'invited').sort(byId),
      ...all.filter((o) => o.status === 'member').sort(byId),
    ]);
    expect(idsOf((await list({ order: 'status' })).result)).toEqual(ascending);
    expect(idsOf((await list({ order: 'status', direction: 'desc' })).result)).toEqual(
      [...ascending].reverse(),
    );
  });

  it('pages with page and per_page, and answers a page past the end with 200 and an empty result', async () => {
    const first = await list({ per_page: '5' });
    expect(names(first)).toEqual(['Acme Corp', 'acme labs', 'Globex', 'Initech', 'Initrode']);
    expect(first.body.result_info).toEqual({
      page: 1,
      per_page: 5,
      count: 5,
      total_count: 6,
      total_pages: 2,
    });
    const second = await list({ per_page: '5', page: '2' });
    expect(names(second)).toEqual(['Umbrella']);
    expect(second.body.result_info).toEqual({
      page: 2,
      per_page: 5,
      count: 1,
      total_count: 6,
      total_pages: 2,
    });
    const past = await list({ per_page: '5', page: '3' });
    expect(past.status).toBe(200);
    expect(past.body).toMatchObject({ success: true, result: [] });
    expect(past.body.result_info).toEqual({ page: 3, per_page: 5, count: 0, total_count: 6, total_pages: 2 });
    expect((await list({ page: '999' })).result).toEqual([]);
  });

  it('pages after filtering and ordering', async () => {
    const reply = await list({
      status: 'member',
      order: 'name',
      direction: 'desc',
      per_page: '5',
      page: '1',
    });
    expect(names(reply)).toEqual(['Initrode', 'Initech', 'acme labs', 'Acme Corp']);
    expect(reply.body.result_info).toMatchObject({ count: 4, total_count: 4, total_pages: 1 });
  });

  it.each(['5', '50'])('accepts per_page=%s, the edge of its range', async (perPage) => {
    const reply = await list({ per_page: perPage });
    expect(reply.status).toBe(200);
    expect(reply.body.result_info.per_page).toBe(Number(perPage));
  });

  it.each([
    ['per_page', '4'],
    ['per_page', '51'],
    ['per_page', '0'],
    ['per_page', 'twenty'],
    ['per_page', '5.5'],
    ['page', '0'],
    ['page', '-1'],
    ['page', 'two'],
    ['order', 'created_on'],
    ['direction', 'up'],
    ['match', 'some'],
    ['status', 'pending'],
    ['name', 'x'.repeat(101)],
  ])('refuses %s=%s with 400 naming the parameter', async (parameter, value) => {
    expectFieldError(await list({ [parameter]: value }), parameter);
  });

  it('names the range in the per_page error', async () => {
    const reply = await list({ per_page: '51' });
    expect(reply.errors[0]?.message).toBe('per_page: must be an integer between 5 and 50');
  });
});

describe('GET /user/organizations with several invites to one organization', () => {
  useFreshStore();

  it('lists an organization with two pending invites once, as invited', async () => {
    const acme = await createOrganization(t, 'Acme Corp');
    await createInvite(t, { organization: acme.id, to: t.userId, roles: ['DNS'] });
    clock.advance(60_000);
    await createInvite(t, { organization: acme.id, to: BOOTSTRAP.email, roles: ['Billing'] });
    const reply = await api<Organization[]>(t, 'GET', '/user/organizations');
    expect(reply.result).toEqual([expect.objectContaining({ id: acme.id, status: 'invited' })]);
    expect(reply.body.result_info).toMatchObject({ count: 1, total_count: 1 });
  });

  it('lists an organization the user is a member of once, as member, despite a pending invite to it', async () => {
    const acme = await createOrganization(t, 'Acme Corp', [{ user: BOOTSTRAP.email, roles: ['DNS'] }]);
    await createInvite(t, { organization: acme.id, to: t.userId, roles: ['Billing'] });
    const reply = await api<Organization[]>(t, 'GET', '/user/organizations');
    expect(reply.result).toEqual([
      expect.objectContaining({ id: acme.id, status: 'member', roles: ['DNS'] }),
    ]);
    expect((await api<Organization>(t, 'GET', `/user/organizations/${acme.id}`)).result.status).toBe(
      'member',
    );
  });
});

describe('GET /user/organizations/{organization_id}', () => {
  useFreshStore();

  it('returns an organization the user is a member of', async () => {
    const acme = await createOrganization(t, 'Acme Corp', [{ user: BOOTSTRAP.email, roles: ['DNS'] }]);
    const reply = await api<Organization>(t, 'GET', `/user/organizations/${acme.id}`);
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ success: true, errors: [], messages: [] });
    expect(reply.result).toEqual({
      id: acme.id,
      name: 'Acme Corp',
      permissions: DNS_PERMISSIONS,
      roles: ['DNS'],
      status: 'member',
    });
  });

  it('returns an organization the user has a pending invite to, as invited', async () => {
    const { org } = await invitedOrganization('Globex', ['Billing']);
    const reply = await api<Organization>(t, 'GET', `/user/organizations/${org.id}`);
    expect(reply.status).toBe(200);
    expect(reply.result).toEqual({
      id: org.id,
      name: 'Globex',
      permissions: [],
      roles: ['Billing'],
      status: 'invited',
    });
  });

  it('answers 404 7003+7000 for an organization of others, one whose invite expired, and one that does not exist', async () => {
    const alice = await createUser(t, 'alice@example.com');
    const foreign = await createOrganization(t, 'Foreign', [
      { user: alice.email, roles: [SUPER_ADMINISTRATOR] },
    ]);
    const { org: expired } = await invitedOrganization('Expired');
    clock.advance(7 * DAY);
    for (const id of [foreign.id, expired.id, MISSING_ID]) {
      expectNoRoute(await api(t, 'GET', `/user/organizations/${id}`), 404, `/user/organizations/${id}`);
    }
    expect((await api(t, 'GET', `/user/organizations/${foreign.id}`, { token: alice.token })).status).toBe(
      200,
    );
  });

  it('answers a malformed id with 400 7003+7000', async () => {
    expectNoRoute(await api(t, 'GET', '/user/organizations/acme'), 400, '/user/organizations/acme');
  });
});

describe('DELETE /user/organizations/{organization_id}', () => {
  useFreshStore();

  it('leaves an organization: the answer is the bare {id}, and the membership is gone from every route', async () => {
    const alice = await createUser(t, 'alice@example.com');
    const acme = await createOrganization(t, 'Acme Corp', [
      { user: alice.email, roles: [SUPER_ADMINISTRATOR] },
      { user: BOOTSTRAP.email, roles: ['Administrator'] },
    ]);
    const other = await createOrganization(t, 'Other', [{ user: BOOTSTRAP.email, roles: ['DNS'] }]);
    expectMemberEverywhere(await membershipView(t), acme, ['Administrator']);
    const before = await auditEntries(t);

    const response = await t.app.inject({
      method: 'DELETE',
      url: `/client/v4/user/organizations/${acme.id}`,
      headers: { authorization: `Bearer ${BOOTSTRAP.token}` },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json()).toEqual({ id: acme.id });

    const view = await membershipView(t);
    expectNotMemberAnywhere(view, acme.id);
    expect(idsOf(view.organizations)).not.toContain(acme.id);
    expectMemberEverywhere(view, other, ['DNS']);
    expectNoRoute(
      await api(t, 'GET', `/user/organizations/${acme.id}`),
      404,
      `/user/organizations/${acme.id}`,
    );
    // Alice stays.
    expectMemberEverywhere(await membershipView(t, alice.token), acme, [SUPER_ADMINISTRATOR]);

    const after = await auditEntries(t);
    expect(after).toHaveLength(before.length + 1);
    const entry = after.at(-1) as AuditEntry;
    expect(entry).toMatchObject({
      action: { result: true, type: 'leave' },
      actor: { id: t.userId, type: 'user' },
      owner: { id: t.userId },
      resource: { id: acme.id, type: 'organization' },
    });
    expect(JSON.parse(entry.oldValue as string)).toEqual({ roles: ['Administrator'] });
  });

  it('refuses to let the last Super Administrator leave with 400 and a clear message, and nothing changes', async () => {
    const alice = await createUser(t, 'alice@example.com');
    const solo = await createOrganization(t, 'Solo', [
      { user: BOOTSTRAP.email, roles: [SUPER_ADMINISTRATOR] },
    ]);
    const team = await createOrganization(t, 'Team', [
      { user: BOOTSTRAP.email, roles: [SUPER_ADMINISTRATOR, 'Billing'] },
      { user: alice.email, roles: ['Administrator'] },
    ]);
    for (const org of [solo, team]) {
      const before = await stateOf();
      const reply = await api(t, 'DELETE', `/user/organizations/${org.id}`);
      expectFailure(reply, 400, 1103);
      expect(reply.errors[0]?.message).toBe(
        `You are the last Super Administrator of ${org.name}: make another member Super Administrator before leaving`,
      );
      expect(await stateOf()).toEqual(before);
    }
  });

  it('lets a Super Administrator leave while a second one remains, and then refuses the one left', async () => {
    const alice = await createUser(t, 'alice@example.com');
    const acme = await createOrganization(t, 'Acme Corp', [
      { user: BOOTSTRAP.email, roles: [SUPER_ADMINISTRATOR] },
      { user: alice.email, roles: [SUPER_ADMINISTRATOR] },
    ]);
    const left = await api(t, 'DELETE', `/user/organizations/${acme.id}`);
    expect(left.status).toBe(200);
    expect(left.body).toEqual({ id: acme.id });
    expectNotMemberAnywhere(await membershipView(t), acme.id);

    const before = await stateOf(alice.token);
    expectFailure(
      await api(t, 'DELETE', `/user/organizations/${acme.id}`, { token: alice.token }),
      400,
      1103,
    );
    expect(await stateOf(alice.token)).toEqual(before);
  });

  it('lets a member who is not a Super Administrator leave even when no Super Administrator exists', async () => {
    const org = await createOrganization(t, 'Ownerless', [{ user: BOOTSTRAP.email, roles: ['DNS'] }]);
    expect((await api(t, 'DELETE', `/user/organizations/${org.id}`)).body).toEqual({ id: org.id });
  });

  it('answers 404 7003+7000 for an organization the user is not in, only invited to, or already left; nothing changes', async () => {
    const alice = await createUser(t, 'alice@example.com');
    const foreign = await createOrganization(t, 'Foreign', [
      { user: alice.email, roles: [SUPER_ADMINISTRATOR] },
    ]);
    const { org: invited } = await invitedOrganization('Invited');
    const formerly = await createOrganization(t, 'Formerly', [{ user: BOOTSTRAP.email, roles: ['DNS'] }]);
    expect((await api(t, 'DELETE', `/user/organizations/${formerly.id}`)).status).toBe(200);

    const mine = await stateOf();
    const hers = await stateOf(alice.token);
    for (const id of [foreign.id, invited.id, formerly.id, MISSING_ID]) {
      expectNoRoute(await api(t, 'DELETE', `/user/organizations/${id}`), 404, `/user/organizations/${id}`);
    }
    expect(await stateOf()).toEqual(mine);
    expect(await stateOf(alice.token)).toEqual(hers);
  });

  it('answers a malformed id with 400 7003+7000', async () => {
    expectNoRoute(await api(t, 'DELETE', '/user/organizations/xyz'), 400, '/user/organizations/xyz');
  });
});

describe('the invite → membership → leave cycle', () => {
  useFreshStore();

  it('shows the organization as invited, then as a membership everywhere, then nowhere, with one audit entry per step', async () => {
    const { alice, org, invite } = await invitedOrganization('Acme Corp', ['Administrator', 'Billing'], true);
    const roles = ['Administrator', 'Billing'];
    const twoFactorLocked = async () =>
      (await api<{ two_factor_authentication_locked: boolean }>(t, 'GET', '/user')).result
        .two_factor_authentication_locked;
    expect(
      (await api<Invite[]>(t, 'GET', '/user/invites')).result[0]?.organization_is_enforcing_twofactor,
    ).toBe(true);

    // Invited: only /user/organizations knows, as invited.
    const invited = await membershipView(t);
    expect(invited.organizations).toEqual([
      { id: org.id, name: 'Acme Corp', permissions: [], roles, status: 'invited' },
    ]);
    expect(invited.user).toEqual([]);
    expect(invited.accounts).toEqual([]);
    expect(invited.memberships).toEqual([]);
    expect(await twoFactorLocked()).toBe(false);

    // Accepted: a member everywhere, once.
    clock.advance(60_000);
    expect(
      (await api(t, 'PATCH', `/user/invites/${invite.id}`, { body: { status: 'accepted' } })).status,
    ).toBe(200);
    const member = await membershipView(t);
    expectMemberEverywhere(member, org, roles);
    for (const list of [member.user, member.organizations, member.accounts]) expect(list).toHaveLength(1);
    expect(member.memberships).toHaveLength(1);
    // The organization enforces two-factor authentication, which now binds the user (REFERENCE §2.1).
    expect(await twoFactorLocked()).toBe(true);
    // The organization's Super Administrator sees the new member only through their own eyes: theirs is unchanged.
    expectMemberEverywhere(await membershipView(t, alice.token), org, [SUPER_ADMINISTRATOR]);

    // Left: nowhere.
    clock.advance(60_000);
    const left = await api(t, 'DELETE', `/user/organizations/${org.id}`);
    expect(left.body).toEqual({ id: org.id });
    expect(await membershipView(t)).toEqual({ user: [], organizations: [], accounts: [], memberships: [] });
    expect(await twoFactorLocked()).toBe(false);
    expect((await api<Invite>(t, 'GET', `/user/invites/${invite.id}`)).result.status).toBe('accepted');

    const trail = (await auditEntries(t)).filter(
      (e) => e.resource.id === invite.id || e.resource.id === org.id,
    );
    expect(trail.map((e) => [e.action.type, e.resource.type, e.actor.type, e.when])).toEqual([
      ['invite', 'invite', 'admin', '2030-01-01T00:00:00Z'],
      ['accept', 'invite', 'user', '2030-01-01T00:01:00Z'],
      ['leave', 'organization', 'user', '2030-01-01T00:02:00Z'],
    ]);
    expect(trail.slice(1).every((e) => e.actor.id === t.userId && e.owner.id === t.userId)).toBe(true);
  });

  it('a rejected invite leaves no trace on any membership route', async () => {
    const { org, invite } = await invitedOrganization('Acme Corp');
    expect(
      (await api(t, 'PATCH', `/user/invites/${invite.id}`, { body: { status: 'rejected' } })).status,
    ).toBe(200);
    expect(await membershipView(t)).toEqual({ user: [], organizations: [], accounts: [], memberships: [] });
    expectNoRoute(
      await api(t, 'DELETE', `/user/organizations/${org.id}`),
      404,
      `/user/organizations/${org.id}`,
    );
  });
});

describe('permissions of the invites and organizations routes', () => {
  useFreshStore();

  let invite: Invite;
  let org: { id: string; name: string };
  let member: { id: string; name: string };

  beforeEach(async () => {
    ({ invite, org } = await invitedOrganization('Acme Corp'));
    member = await createOrganization(t, 'Member Org', [{ user: BOOTSTRAP.email, roles: ['DNS'] }]);
  });

  const reads = () =>
    [
      ['GET', '/user/invites'],
      ['GET', `/user/invites/${invite.id}`],
      ['GET', '/user/organizations'],
      ['GET', `/user/organizations/${member.id}`],
      ['GET', `/user/organizations/${org.id}`],
    ] as const;

  it.each([
    ['Memberships Read', GROUP.membershipsRead],
    ['Memberships Write', GROUP.membershipsWrite],
  ])('lets a token holding only %s read invites and organizations', async (_name, group) => {
    const token = await tokenWith(t, group);
    for (const [method, path] of reads()) {
      expect((await api(t, method, path, { token })).status, `${method} ${path}`).toBe(200);
    }
  });

  it('refuses every invites and organizations route with 403 10000 to a token without a Memberships group', async () => {
    const token = await tokenWith(t, GROUP.userDetailsRead);
    const before = await stateOf();
    const writes = [
      ['PATCH', `/user/invites/${invite.id}`],
      ['DELETE', `/user/organizations/${member.id}`],
    ] as const;
    for (const [method, path] of [...reads(), ...writes]) {
      const reply = await api(t, method, path, {
        token,
        ...(method === 'PATCH' ? { body: { status: 'accepted' } } : {}),
      });
      expectFailure(reply, 403, 10000);
      expect(reply.errors[0]?.message).toBe('Authentication error');
    }
    expect(await stateOf()).toEqual(before);
  });

  it('refuses to answer an invite with 403 10000 to a token holding only Memberships Read, and nothing changes', async () => {
    const token = await tokenWith(t, GROUP.membershipsRead);
    const before = await stateOf();
    for (const status of ['accepted', 'rejected']) {
      expectFailure(
        await api(t, 'PATCH', `/user/invites/${invite.id}`, { token, body: { status } }),
        403,
        10000,
      );
    }
    expect(await stateOf()).toEqual(before);
  });

  it('refuses to leave an organization with 403 10000 to a token holding only Memberships Read, and nothing changes', async () => {
    const token = await tokenWith(t, GROUP.membershipsRead);
    const before = await stateOf();
    expectFailure(await api(t, 'DELETE', `/user/organizations/${member.id}`, { token }), 403, 10000);
    expect(await stateOf()).toEqual(before);
  });

  it('checks the permission before the input: a Memberships Read token gets 403 10000 for a bad body or a malformed id', async () => {
    const token = await tokenWith(t, GROUP.membershipsRead);
    expectFailure(
      await api(t, 'PATCH', `/user/invites/${invite.id}`, { token, body: { status: 'maybe' } }),
      403,
      10000,
    );
    expectFailure(await api(t, 'PATCH', `/user/invites/${invite.id}`, { token }), 403, 10000);
    expectFailure(
      await api(t, 'PATCH', '/user/invites/bad', { token, body: { status: 'accepted' } }),
      403,
      10000,
    );
    expectFailure(await api(t, 'DELETE', '/user/organizations/bad', { token }), 403, 10000);
  });

  it('refuses every invites and organizations route without credentials with 400 9106', async () => {
    for (const [method, path] of [
      ...reads(),
      ['PATCH', `/user/invites/${invite.id}`],
      ['DELETE', `/user/organizations/${member.id}`],
    ] as const) {
      expectFailure(await api(t, method, path, { headers: {} }), 400, 9106);
    }
  });

  it('lets a token holding only Memberships Write answer an invite and leave an organization', async () => {
    const token = await tokenWith(t, GROUP.membershipsWrite);
    const accepted = await api<Invite>(t, 'PATCH', `/user/invites/${invite.id}`, {
      token,
      body: { status: 'accepted' },
    });
    expect(accepted.status).toBe(200);
    expect(accepted.result.status).toBe('accepted');
    const left = await api(t, 'DELETE', `/user/organizations/${member.id}`, { token });
    expect(left.status).toBe(200);
    expect(left.body).toEqual({ id: member.id });
    const entries = await auditEntries(t);
    const tokenId = (entries.find((e) => e.action.type === 'accept') as AuditEntry).metadata.token_id;
    expect(typeof tokenId).toBe('string');
    expect(entries.find((e) => e.action.type === 'leave')?.metadata.token_id).toBe(tokenId);
  });

  it('lets the global API key answer invites and leave organizations', async () => {
    const headers = globalKey();
    expect(
      (await api(t, 'PATCH', `/user/invites/${invite.id}`, { headers, body: { status: 'rejected' } })).status,
    ).toBe(200);
    expect((await api(t, 'DELETE', `/user/organizations/${member.id}`, { headers })).body).toEqual({
      id: member.id,
    });
  });
});

describe('the official SDK against invites and organizations', () => {
  let server: TestServer;

  beforeEach(async () => {
    server = await startTestServer();
    t = server;
  });

  afterEach(async () => {
    await server?.close();
  });

  const cf = (options: { fetch?: typeof fetch } = {}) =>
    new Cloudflare({ apiToken: BOOTSTRAP.token, baseURL: server.baseURL, maxRetries: 0, ...options });

  it('walks every organization exactly once with for await over pages of 5, then stops', async () => {
    const created: string[] = [];
    for (let i = 1; i <= 12; i++) {
      const name = `Org ${String(i).padStart(2, '0')}`;
      created.push((await createOrganization(t, name, [{ user: BOOTSTRAP.email, roles: ['DNS'] }])).id);
    }
    const requested: string[] = [];
    const recording: typeof fetch = (input, init) => {
      requested.push(String(input instanceof Request ? input.url : input));
      return fetch(input, init);
    };

    const seen: string[] = [];
    for await (const organization of cf({ fetch: recording }).user.organizations.list({ per_page: 5 })) {
      seen.push(organization.id as string);
      expect(organization.status).toBe('member');
      if (seen.length > 100) throw new Error('pagination did not stop');
    }
    expect(seen).toEqual(created);
    expect(new Set(seen).size).toBe(12);
    // Pages of 5, 5 and 2, then an empty page 4 ends the walk.
    expect(requested.map((url) => new URL(url).searchParams.get('page'))).toEqual([null, '2', '3', '4']);
  });

  it('sends the SDK’s filters so that the server applies them', async () => {
    await createOrganization(t, 'Cloudflare, Inc.', [{ user: BOOTSTRAP.email, roles: ['DNS'] }]);
    await createOrganization(t, 'Other Org', [{ user: BOOTSTRAP.email, roles: ['DNS'] }]);
    await invitedOrganization('Invited Org');
    const query = { name: 'cloudflare, inc.', per_page: 5, direction: 'desc' } as const;
    const names = async (extra: Record<string, string>) =>
      (await cf().user.organizations.list({ ...query, ...extra })).result.map((o) => o.name);
    expect(await names({ status: 'member', match: 'all' })).toEqual(['Cloudflare, Inc.']);
    expect(await names({ status: 'invited', match: 'any', order: 'status' })).toEqual([
      'Cloudflare, Inc.',
      'Invited Org',
    ]);
    expect(await names({ status: 'invited', match: 'all' })).toEqual([]);
  });

  it('returns the bare {id} from organizations.delete', async () => {
    const acme = await createOrganization(t, 'Acme Corp', [{ user: BOOTSTRAP.email, roles: ['DNS'] }]);
    const result = await cf().user.organizations.delete(acme.id);
    expect(result).toEqual({ id: acme.id });
    expect(
      await cf()
        .user.organizations.list()
        .then((page) => page.result),
    ).toEqual([]);
  });

  it('lists, reads and accepts an invite, then reads the organization', async () => {
    const { invite, org } = await invitedOrganization('Acme Corp', ['DNS']);
    const page = await cf().user.invites.list();
    expect(page.result.map((i) => i.id)).toEqual([invite.id]);
    expect(page.hasNextPage()).toBe(false);
    expect(await cf().user.invites.get(invite.id)).toMatchObject({ id: invite.id, status: 'pending' });

    const accepted = await cf().user.invites.edit(invite.id, { status: 'accepted' });
    expect(accepted).toMatchObject({ id: invite.id, status: 'accepted', invited_member_id: server.userId });
    expect(await cf().user.organizations.get(org.id)).toEqual({
      id: org.id,
      name: 'Acme Corp',
      permissions: DNS_PERMISSIONS,
      roles: ['DNS'],
      status: 'member',
    });
    expect((await cf().user.get()).organizations?.map((o) => o.id)).toEqual([org.id]);
  });

  it('raises NotFoundError with 7003 for someone else’s invite and BadRequestError for a second answer', async () => {
    const alice = await createUser(t, 'alice@example.com');
    const acme = await createOrganization(t, 'Acme Corp');
    const hers = await createInvite(t, { organization: acme.id, to: alice.id, roles: ['DNS'] });
    const notFound = await cf()
      .user.invites.get(hers.id)
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(notFound).toBeInstanceOf(Cloudflare.NotFoundError);
    expect((notFound as InstanceType<typeof Cloudflare.NotFoundError>).errors.map((e) => e.code)).toEqual([
      7003, 7000,
    ]);

    const { invite } = await invitedOrganization('Globex');
    await cf().user.invites.edit(invite.id, { status: 'rejected' });
    const twice = await cf()
      .user.invites.edit(invite.id, { status: 'accepted' })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(twice).toBeInstanceOf(Cloudflare.BadRequestError);
  });
});

// wrangler 4.86.0, unchanged, as a child process pointed at a listening server (CLIENTS §2, §9).

const WRANGLER = resolve(import.meta.dirname, '../../../node_modules/.bin/wrangler');
const WRANGLER_TIMEOUT_MS = 60_000;

/** Preloaded into wrangler: refuses any connection that is not to loopback (CLIENTS §2). */
const NETWORK_GUARD = `
const net = require('node:net');
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  const options = first !== null && typeof first === 'object' ? first : undefined;
  const host = options ? (options.host ?? 'localhost') : typeof args[1] === 'string' ? args[1] : 'localhost';
  if (!(options && options.path) && !['127.0.0.1', 'localhost', '::1'].includes(host)) {
    throw new Error('userflare test: outside network connection to ' + host + ' refused');
  }
  return connect.apply(this, args);
};
`;

describe('wrangler whoami against memberships from the example fixture', () => {
  let server: TestServer;
  let scratch: string;

  beforeAll(async () => {
    server = await startTestServer();
    t = server;
    await seed(server, EXAMPLE_FIXTURE);
    scratch = mkdtempSync(join(tmpdir(), 'userflare-memberships-'));
    writeFileSync(join(scratch, 'network-guard.cjs'), NETWORK_GUARD);
  });

  afterAll(async () => {
    await server?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  function wrangler(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const home = mkdtempSync(join(scratch, 'home-'));
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: home,
      XDG_CONFIG_HOME: join(home, '.config'),
      CLOUDFLARE_API_BASE_URL: server.baseURL,
      CLOUDFLARE_API_TOKEN: BOOTSTRAP.token,
      WRANGLER_SEND_METRICS: 'false',
      WRANGLER_SEND_ERROR_REPORTS: 'false',
      WRANGLER_HIDE_BANNER: 'true',
      CI: 'true',
      NO_COLOR: '1',
      NODE_OPTIONS: `--require ${join(scratch, 'network-guard.cjs')}`,
    };
    return new Promise((done) => {
      execFile(
        WRANGLER,
        args,
        { env, cwd: home, timeout: WRANGLER_TIMEOUT_MS - 5_000, maxBuffer: 10 * 1024 * 1024 },
        (error, stdout, stderr) => {
          done({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
        },
      );
    });
  }

  it(
    'lists the accounts the fixture makes the bootstrap user a member of, and not those it is only invited to',
    async () => {
      const run = await wrangler(['whoami']);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain(BOOTSTRAP.email);
      expect(run.stdout).toContain(ACME.name);
      expect(run.stdout).toContain(ACME.id);
      for (const absent of [GLOBEX, INITECH]) {
        expect(run.stdout).not.toContain(absent.name);
        expect(run.stdout).not.toContain(absent.id);
      }
    },
    WRANGLER_TIMEOUT_MS,
  );

  it(
    'prints the membership roles in an account with whoami --account',
    async () => {
      const run = await wrangler(['whoami', '--account', ACME.id]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain(`Membership roles in "${ACME.name}"`);
      expect(run.stdout).toContain(`- ${SUPER_ADMINISTRATOR}`);
    },
    WRANGLER_TIMEOUT_MS,
  );

  it(
    'prints the roles of an accepted invite with whoami --account once the fixture’s pending invite is accepted',
    async () => {
      const invites = await api<Invite[]>(server, 'GET', '/user/invites');
      expect(Object.fromEntries(invites.result.map((i) => [i.id, i.status]))).toEqual({
        [GLOBEX_INVITE]: 'pending',
        [INITECH_INVITE]: 'expired',
      });
      expectFailure(
        await api(server, 'PATCH', `/user/invites/${INITECH_INVITE}`, { body: { status: 'accepted' } }),
        400,
        1101,
      );
      const accepted = await api(server, 'PATCH', `/user/invites/${GLOBEX_INVITE}`, {
        body: { status: 'accepted' },
      });
      expect(accepted.status).toBe(200);

      const run = await wrangler(['whoami', '--account', GLOBEX.id]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain(GLOBEX.name);
      expect(run.stdout).toContain(`Membership roles in "${GLOBEX.name}"`);
      expect(run.stdout).toContain('- Administrator');
      expect(run.stdout).toContain('- Billing');
      expect(run.stdout).not.toContain(INITECH.name);
    },
    WRANGLER_TIMEOUT_MS,
  );
});
