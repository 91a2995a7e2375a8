import { NotFoundError, type Userflare } from '@userflare/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BOOTSTRAP, clientFor, rejectionOf, startSeededServer, type TestServer } from './helpers/servers.js';

// Every SDK method against the real server over HTTP, on a fresh store loaded with fixtures/example.json.

const GROUP = {
  apiTokensRead: '0cc3a61731504c89b99ec1be78b77aa0',
  userDetailsRead: '8acbe5bb0d54464ab867149d7f7cf8ac',
} as const;

const FIXTURE = {
  acme: '023e105f4ecef8ad9ca31a8372d0c353',
  globex: '5a7805061c76ada191ed06f989cc3dac',
  globexInvite: '4f5f0c14a2a41d5063dd301b2f829f04',
  proSubscription: '506e3185e9c882d175a2d0cb0093d9f2',
  businessSubscription: '7e6e3185e9c882d175a2d0cb0093d9f3',
} as const;

let server: TestServer;
let client: Userflare;

beforeEach(async () => {
  server = await startSeededServer();
  client = clientFor(server);
});

afterEach(async () => {
  await server.close();
});

function userPolicy(...groups: string[]) {
  return {
    effect: 'allow' as const,
    permission_groups: groups.map((id) => ({ id })),
    resources: { [`com.cloudflare.api.user.${server.userId}`]: '*' },
  };
}

describe('client.user', () => {
  it('get() returns the bootstrap user, unwrapped from the envelope', async () => {
    const user = await client.user.get();
    expect(user.email).toBe(BOOTSTRAP.email);
    expect(user.id).toBe(server.userId);
    expect(user.organizations.map((org) => org.name)).toContain('Acme Corp');
  });

  it('edit() changes the given fields and clears one set to null', async () => {
    await client.user.edit({ first_name: 'Ada', country: 'GB', telephone: '+44 20' });
    const user = await client.user.edit({ telephone: null });
    expect(user).toMatchObject({ first_name: 'Ada', country: 'GB', telephone: null });
    expect((await client.user.get()).first_name).toBe('Ada');
  });

  it('authenticates with the global API key as well', async () => {
    const keyClient = clientFor(server, {
      apiToken: null,
      apiEmail: BOOTSTRAP.email,
      apiKey: BOOTSTRAP.apiKey,
    });
    expect((await keyClient.user.get()).email).toBe(BOOTSTRAP.email);
  });
});

describe('client.user.tokens', () => {
  it('create() returns the secret once; the new token authenticates and verify() names it', async () => {
    const created = await client.user.tokens.create({
      name: 'sdk reader',
      policies: [userPolicy(GROUP.userDetailsRead, GROUP.apiTokensRead)],
      condition: { request_ip: { in: ['127.0.0.0/8', '::1/128'] } },
      expires_on: '2099-01-01T00:00:00Z',
    });
    expect(created.value).toMatch(/^cfut_/);
    expect(created.status).toBe('active');

    const tokenClient = clientFor(server, { apiToken: created.value });
    const verified = await tokenClient.user.tokens.verify();
    expect(verified).toMatchObject({ id: created.id, status: 'active', expires_on: '2099-01-01T00:00:00Z' });
    expect((await tokenClient.user.get()).email).toBe(BOOTSTRAP.email);

    const read = await client.user.tokens.get(created.id);
    expect(read.name).toBe('sdk reader');
    expect(read).not.toHaveProperty('value');
  });

  it('list() returns a page with result and result_info', async () => {
    await client.user.tokens.create({ name: 'one', policies: [userPolicy(GROUP.userDetailsRead)] });
    const page = await client.user.tokens.list({ per_page: 5 });
    expect(page.result.map((token) => token.name)).toContain('one');
    expect(page.result_info).toMatchObject({ page: 1, per_page: 5 });
  });

  it('update() replaces the token; a disabled token no longer authenticates', async () => {
    const created = await client.user.tokens.create({
      name: 'before',
      policies: [userPolicy(GROUP.userDetailsRead)],
    });
    const updated = await client.user.tokens.update(created.id, {
      name: 'after',
      policies: [userPolicy(GROUP.userDetailsRead)],
      status: 'disabled',
    });
    expect(updated).toMatchObject({ id: created.id, name: 'after', status: 'disabled' });
    await expect(clientFor(server, { apiToken: created.value }).user.get()).rejects.toThrow();
  });

  it('delete() returns {id} and the token is gone', async () => {
    const created = await client.user.tokens.create({
      name: 'doomed',
      policies: [userPolicy(GROUP.userDetailsRead)],
    });
    expect(await client.user.tokens.delete(created.id)).toEqual({ id: created.id });
    expect(await rejectionOf(client.user.tokens.get(created.id))).toBeInstanceOf(NotFoundError);
  });

  it('value.update() rolls the secret: it resolves with the new string and the old one stops working', async () => {
    const created = await client.user.tokens.create({
      name: 'rolled',
      policies: [userPolicy(GROUP.userDetailsRead)],
    });
    const secret = await client.user.tokens.value.update(created.id);
    expect(typeof secret).toBe('string');
    expect(secret).not.toBe(created.value);
    expect((await clientFor(server, { apiToken: secret }).user.get()).email).toBe(BOOTSTRAP.email);
    await expect(clientFor(server, { apiToken: created.value }).user.get()).rejects.toThrow();
    // The official SDK's `{ body }` argument is accepted and ignored.
    expect(typeof (await client.user.tokens.value.update(created.id, { body: {} }))).toBe('string');
  });

  it('permissionGroups.list() filters by name and scope in one page', async () => {
    const all = await client.user.tokens.permissionGroups.list();
    expect(all.result.length).toBeGreaterThan(100);
    expect(all.hasNextPage()).toBe(false);
    const filtered = await client.user.tokens.permissionGroups.list({
      name: 'User Details Read',
      scope: 'com.cloudflare.api.user',
    });
    expect(filtered.result).toEqual([
      expect.objectContaining({ id: GROUP.userDetailsRead, name: 'User Details Read' }),
    ]);
  });
});

describe('client.user.invites', () => {
  it('list(), get() and edit() read and answer the fixture invitation', async () => {
    const page = await client.user.invites.list();
    expect(page.result.map((invite) => invite.id)).toContain(FIXTURE.globexInvite);
    const invite = await client.user.invites.get(FIXTURE.globexInvite);
    expect(invite).toMatchObject({ organization_name: 'Globex', status: 'pending' });
    const answered = await client.user.invites.edit(FIXTURE.globexInvite, { status: 'accepted' });
    expect(answered.status).toBe('accepted');
  });
});

describe('client.user.organizations', () => {
  it('list() and get() show the memberships; delete() leaves and returns the bare {id}', async () => {
    const page = await client.user.organizations.list({ status: 'member' });
    expect(page.result.map((org) => org.name)).toEqual(['Acme Corp']);
    expect((await client.user.organizations.get(FIXTURE.acme)).name).toBe('Acme Corp');

    // Admin is not the last Super Administrator of Globex once the invite is accepted.
    await client.user.invites.edit(FIXTURE.globexInvite, { status: 'accepted' });
    const left = await client.user.organizations.delete(FIXTURE.globex);
    expect(left).toEqual({ id: FIXTURE.globex });
    expect(await rejectionOf(client.user.organizations.get(FIXTURE.globex))).toBeInstanceOf(NotFoundError);
  });
});

describe('client.user.subscriptions', () => {
  it('get() lists, update() changes the frequency, delete() returns the bare {subscription_id}', async () => {
    const page = await client.user.subscriptions.get();
    expect(page.result.map((s) => s.id).sort()).toEqual(
      [FIXTURE.proSubscription, FIXTURE.businessSubscription].sort(),
    );
    const updated = await client.user.subscriptions.update(FIXTURE.proSubscription, { frequency: 'yearly' });
    expect(updated).toMatchObject({ id: FIXTURE.proSubscription, frequency: 'yearly' });
    const deleted = await client.user.subscriptions.delete(FIXTURE.businessSubscription);
    expect(deleted).toEqual({ subscription_id: FIXTURE.businessSubscription });
    expect((await client.user.subscriptions.get()).result.map((s) => s.id)).toEqual([
      FIXTURE.proSubscription,
    ]);
  });
});

describe('client.user.billing', () => {
  it('history.list() returns the fixture items and filters by type', async () => {
    const page = await client.user.billing.history.list({ per_page: 5 });
    expect(page.result).toHaveLength(3);
    const credits = await client.user.billing.history.list({ type: 'credit' });
    expect(credits.result.map((item) => item.description)).toEqual(['Card payment, thank you']);
  });

  it('profile.get() returns the fixture profile', async () => {
    const profile = await client.user.billing.profile.get();
    expect(profile).toMatchObject({ company: 'Acme Corp', city: 'San Francisco', card_number: '4242' });
  });
});

describe('client.user.auditLogs', () => {
  it('list() finds token events with the nested action and actor filters', async () => {
    const created = await client.user.tokens.create({
      name: 'audited',
      policies: [userPolicy(GROUP.userDetailsRead)],
    });
    await client.user.tokens.delete(created.id);
    const page = await client.user.auditLogs.list({
      action: { type: 'delete' },
      actor: { email: BOOTSTRAP.email },
      since: new Date(Date.now() - 3_600_000),
      per_page: 10,
    });
    expect(page.result).toHaveLength(1);
    expect(page.result[0]).toMatchObject({ action: { type: 'delete' }, resource: { id: created.id } });
  });
});
