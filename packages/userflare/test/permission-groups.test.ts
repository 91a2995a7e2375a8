import type { PermissionGroup } from '@userflare/contract';
import { describe, expect, it } from 'vitest';
import { BOOTSTRAP } from './helpers/test-server.js';
import {
  type ApiReply,
  call,
  createToken,
  GROUP,
  HEX32,
  policy,
  userResource,
  useTestApp,
} from './helpers/tokens-fixtures.js';

const URL = '/user/tokens/permission_groups';

const SCOPES = [
  'com.cloudflare.api.account',
  'com.cloudflare.api.account.zone',
  'com.cloudflare.api.user',
  'com.cloudflare.edge.r2.bucket',
];

/** The user-scoped groups of REFERENCE §5.1. */
const USER_GROUPS = [
  { id: '0cc3a61731504c89b99ec1be78b77aa0', name: 'API Tokens Read', scopes: ['com.cloudflare.api.user'] },
  { id: '686d18d5ac6c441c867cbf6771e58a0a', name: 'API Tokens Write', scopes: ['com.cloudflare.api.user'] },
  { id: '3518d0f75557482e952c6762d3e64903', name: 'Memberships Read', scopes: ['com.cloudflare.api.user'] },
  { id: '9201bc6f42d440968aaab0c6f17ebb1d', name: 'Memberships Write', scopes: ['com.cloudflare.api.user'] },
  { id: '8acbe5bb0d54464ab867149d7f7cf8ac', name: 'User Details Read', scopes: ['com.cloudflare.api.user'] },
  { id: '55a5e17cc99e4a3fa1f3432d262f2e55', name: 'User Details Write', scopes: ['com.cloudflare.api.user'] },
];

function names(reply: ApiReply<PermissionGroup[]>): string[] {
  return reply.body.result.map((group) => group.name);
}

function expectError(reply: ApiReply<unknown>, status: number, code: number, message: string): void {
  expect(reply.status, reply.payload).toBe(status);
  expect(reply.body.success).toBe(false);
  expect(reply.body.errors[0]).toMatchObject({ code, message });
}

describe('permission groups: happy paths', () => {
  const h = useTestApp();
  const list = (query = '') => call<PermissionGroup[]>(h.t, 'GET', `${URL}${query}`);

  it('lists all 311 groups in one page without filters', async () => {
    const reply = await list();
    expect(reply.status).toBe(200);
    expect(reply.body.success).toBe(true);
    expect(reply.body.errors).toEqual([]);
    expect(reply.body.messages).toEqual([]);
    expect(reply.body.result).toHaveLength(311);
    expect(reply.body.result_info).toMatchObject({ page: 1, count: 311, total_count: 311, total_pages: 1 });
  });

  it('shapes every item as {id, name, scopes} with a 32-hex id and known scopes', async () => {
    const reply = await list();
    for (const group of reply.body.result) {
      expect(Object.keys(group).sort()).toEqual(['id', 'name', 'scopes']);
      expect(group.id).toMatch(HEX32);
      expect(typeof group.name).toBe('string');
      expect(group.name.length).toBeGreaterThan(0);
      expect(group.scopes.length).toBeGreaterThan(0);
      for (const scope of group.scopes) expect(SCOPES).toContain(scope);
    }
    expect(new Set(reply.body.result.map((group) => group.id)).size).toBe(311);
  });

  it('never repeats a name within one scope', async () => {
    const reply = await list();
    const pairs = reply.body.result.flatMap((group) => group.scopes.map((scope) => `${scope} ${group.name}`));
    expect(new Set(pairs).size).toBe(pairs.length);
  });

  it('includes the six user-scoped groups with their real ids', async () => {
    const reply = await list();
    for (const group of USER_GROUPS) expect(reply.body.result).toContainEqual(group);
  });

  it('filters by exact name, URL-encoded as the SDK sends it', async () => {
    const reply = await list('?name=Account%20Settings%20Write');
    expect(reply.status).toBe(200);
    expect(reply.body.result).toEqual([
      {
        id: GROUP.accountSettingsWrite,
        name: 'Account Settings Write',
        scopes: ['com.cloudflare.api.account'],
      },
    ]);
    expect(reply.body.result_info).toMatchObject({ count: 1, total_count: 1 });
  });

  it('matches the name exactly, not as a prefix or substring', async () => {
    for (const query of [
      '?name=Account%20Settings',
      '?name=Settings%20Write',
      '?name=account%20settings%20write',
    ]) {
      const reply = await list(query);
      expect(reply.status).toBe(200);
      expect(reply.body.result).toEqual([]);
    }
  });

  it.each([
    { scope: 'com.cloudflare.api.user', count: 6 },
    { scope: 'com.cloudflare.api.account', count: 217 },
    { scope: 'com.cloudflare.api.account.zone', count: 86 },
    { scope: 'com.cloudflare.edge.r2.bucket', count: 2 },
  ])('filters by scope $scope', async ({ scope, count }) => {
    const reply = await list(`?scope=${scope}`);
    expect(reply.status).toBe(200);
    expect(reply.body.result).toHaveLength(count);
    for (const group of reply.body.result) expect(group.scopes).toContain(scope);
  });

  it('tells apart a name that repeats across scopes by name and scope', async () => {
    const both = await list('?name=Logs%20Read');
    expect(both.body.result).toHaveLength(2);
    expect(both.body.result.map((group) => group.scopes).sort()).toEqual([
      ['com.cloudflare.api.account'],
      ['com.cloudflare.api.account.zone'],
    ]);
    const [first, second] = both.body.result;
    expect(first?.id).not.toBe(second?.id);

    const account = await list('?name=Logs%20Read&scope=com.cloudflare.api.account');
    const zone = await list('?name=Logs%20Read&scope=com.cloudflare.api.account.zone');
    expect(account.body.result).toEqual([
      { id: '6a315a56f18441e59ed03352369ae956', name: 'Logs Read', scopes: ['com.cloudflare.api.account'] },
    ]);
    expect(zone.body.result).toEqual([
      {
        id: 'c4a30cd58c5d42619c86a3c36c441e2d',
        name: 'Logs Read',
        scopes: ['com.cloudflare.api.account.zone'],
      },
    ]);
  });

  it('combines name and scope as the SDK does for Zone Read', async () => {
    const reply = await list('?name=Zone%20Read&scope=com.cloudflare.api.account.zone');
    expect(reply.body.result).toEqual([
      { id: GROUP.zoneRead, name: 'Zone Read', scopes: ['com.cloudflare.api.account.zone'] },
    ]);
    const wrongScope = await list('?name=Zone%20Read&scope=com.cloudflare.api.user');
    expect(wrongScope.status).toBe(200);
    expect(wrongScope.body.result).toEqual([]);
  });

  it('answers an unknown name or scope with an empty list', async () => {
    expect((await list('?name=No%20Such%20Group')).body.result).toEqual([]);
    const scope = await list('?scope=com.cloudflare.api.nothing');
    expect(scope.status).toBe(200);
    expect(scope.body.result).toEqual([]);
  });

  it('returns every group in one page even when a client sends per_page=1000', async () => {
    const reply = await list('?per_page=1000');
    expect(reply.status).toBe(200);
    expect(reply.body.result).toHaveLength(311);
  });

  it('is served under /client/v4 and not taken for a token id', async () => {
    const reply = await call<PermissionGroup[]>(h.t, 'GET', `/client/v4${URL}?name=API%20Tokens%20Read`);
    expect(reply.status).toBe(200);
    expect(names(reply)).toEqual(['API Tokens Read']);
  });
});

describe('permission groups: error cases', () => {
  const h = useTestApp();

  it('rejects a name filter over 200 characters with 400 naming name', async () => {
    const reply = await call(h.t, 'GET', `${URL}?name=${'a'.repeat(201)}`);
    expect(reply.status).toBe(400);
    expect(reply.body.errors.some((e) => e.message.startsWith('name: '))).toBe(true);
  });

  it('rejects a repeated name filter with 400 naming name', async () => {
    const reply = await call(h.t, 'GET', `${URL}?name=Zone%20Read&name=DNS%20Write`);
    expect(reply.status).toBe(400);
    expect(reply.body.errors.some((e) => e.message.startsWith('name: '))).toBe(true);
  });
});

describe('permission groups: security cases', () => {
  const h = useTestApp();

  it('refuses a request without credentials with 400 9106', async () => {
    expectError(
      await call(h.t, 'GET', URL, { token: null }),
      400,
      9106,
      'Missing X-Auth-Key, X-Auth-Email or Authorization headers',
    );
  });

  it('refuses an unknown token with 403 9109', async () => {
    expectError(
      await call(h.t, 'GET', URL, { token: 'abcdefghij0123456789abcdefghij0123456789' }),
      403,
      9109,
      'Invalid access token',
    );
  });

  it('admits a token with API Tokens Read or API Tokens Write on its user', async () => {
    for (const group of [GROUP.apiTokensRead, GROUP.apiTokensWrite]) {
      const token = await createToken(h.t, {
        name: 'groups',
        policies: [policy([group], userResource(h.t.userId))],
      });
      const reply = await call<PermissionGroup[]>(h.t, 'GET', URL, { token: token.value });
      expect(reply.status).toBe(200);
      expect(reply.body.result).toHaveLength(311);
    }
  });

  it('refuses a token without API Tokens Read or Write with 403 10000', async () => {
    const token = await createToken(h.t, {
      name: 'details only',
      policies: [policy([GROUP.userDetailsRead], userResource(h.t.userId))],
    });
    expectError(await call(h.t, 'GET', URL, { token: token.value }), 403, 10000, 'Authentication error');
  });

  it('refuses a token whose API Tokens Read is denied', async () => {
    const token = await createToken(h.t, {
      name: 'denied',
      policies: [
        policy([GROUP.apiTokensRead], userResource(h.t.userId)),
        policy([GROUP.apiTokensRead], userResource(h.t.userId), 'deny'),
      ],
    });
    expectError(await call(h.t, 'GET', URL, { token: token.value }), 403, 10000, 'Authentication error');
  });

  it('refuses an IP-restricted token from outside its range with 403 9109', async () => {
    const token = await createToken(h.t, {
      name: 'office only',
      policies: [policy([GROUP.apiTokensRead], userResource(h.t.userId))],
      condition: { request_ip: { in: ['10.0.0.0/8'] } },
    });
    expect((await call(h.t, 'GET', URL, { token: token.value, ip: '10.0.0.1' })).status).toBe(200);
    expectError(
      await call(h.t, 'GET', URL, { token: token.value, ip: '192.0.2.1' }),
      403,
      9109,
      'Cannot use the access token from location: 192.0.2.1',
    );
  });

  it('still answers the bootstrap token', async () => {
    const reply = await call(h.t, 'GET', URL, { token: BOOTSTRAP.token });
    expect(reply.status).toBe(200);
  });
});
