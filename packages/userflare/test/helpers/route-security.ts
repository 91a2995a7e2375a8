import { randomBytes } from 'node:crypto';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PermissionGroupId as G } from '../../src/modules/permission-groups/permission-groups.service.js';
import { FakeClock } from './fake-clock.js';
import { BOOTSTRAP, bearer, createTestApp, globalKey, type TestApp } from './test-server.js';

/**
 * The common authentication and authorization tests, run against every route of the API (the unkey
 * style: one helper, one table). Each route says which credential it needs (REFERENCE §2, §3, §8.7–8.8).
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export type RouteAccessUnderTest =
  /** `GET /user/tokens/verify`: Bearer only, no permission group, 401 1000 for a bad token. */
  | { kind: 'verify' }
  /** Any valid credential will do (`/accounts`, `/memberships`). */
  | { kind: 'authenticated' }
  /** One of `groups` on the caller's user (`user`) or on `com.cloudflare.api.account.*` (`account`). */
  | { kind: 'permission'; scope: 'user' | 'account'; groups: readonly string[] };

export interface RouteUnderTest {
  method: HttpMethod;
  /** Relative to the API root. `{token_id}` is replaced by a fresh token of the caller's for every request. */
  path: string;
  /** A valid body, built for the bootstrap user. */
  body?: (userId: string) => unknown;
  /** Creates, through the admin plane, the resource the path names: `{"invite_id": "…"}`. */
  prepare?: (app: TestApp) => Promise<Record<string, string>>;
  access: RouteAccessUnderTest;
}

async function admin(app: TestApp, url: string, payload: object): Promise<{ id: string }> {
  const response = await app.app.inject({
    method: 'POST',
    url: `/__userflare${url}`,
    headers: { 'x-admin-key': BOOTSTRAP.adminKey },
    payload,
  });
  if (response.statusCode !== 200) throw new Error(`admin ${url} answered ${response.body}`);
  return response.json().result;
}

const freshName = () => `org ${randomBytes(4).toString('hex')}`;

/** A pending invite to the bootstrap user. */
async function freshInvite(app: TestApp) {
  const organization = await admin(app, '/organizations', { name: freshName() });
  const invite = await admin(app, '/invites', {
    organization: organization.id,
    to: BOOTSTRAP.email,
    roles: ['DNS'],
  });
  return { invite_id: invite.id };
}

/** An organization the bootstrap user may leave (not its last Super Administrator). */
async function freshMembership(app: TestApp) {
  const organization = await admin(app, '/organizations', {
    name: freshName(),
    members: [{ user: BOOTSTRAP.email, roles: ['Administrator'] }],
  });
  return { organization_id: organization.id };
}

async function freshSubscription(app: TestApp) {
  const subscription = await admin(app, '/subscriptions', {
    user: BOOTSTRAP.email,
    rate_plan: 'pro',
    zone: { name: `${randomBytes(4).toString('hex')}.example.com` },
  });
  return { identifier: subscription.id };
}

/** Permission group names, for test names. */
export const GROUP_NAMES: Record<string, string> = {
  [G.apiTokensRead]: 'API Tokens Read',
  [G.apiTokensWrite]: 'API Tokens Write',
  [G.membershipsRead]: 'Memberships Read',
  [G.membershipsWrite]: 'Memberships Write',
  [G.userDetailsRead]: 'User Details Read',
  [G.userDetailsWrite]: 'User Details Write',
  [G.accountSettingsRead]: 'Account Settings Read',
  [G.accountSettingsWrite]: 'Account Settings Write',
  [G.billingRead]: 'Billing Read',
  [G.billingWrite]: 'Billing Write',
};

const USER_GROUPS: readonly string[] = [
  G.apiTokensRead,
  G.apiTokensWrite,
  G.membershipsRead,
  G.membershipsWrite,
  G.userDetailsRead,
  G.userDetailsWrite,
];
const ACCOUNT_GROUPS: readonly string[] = [
  G.accountSettingsRead,
  G.accountSettingsWrite,
  G.billingRead,
  G.billingWrite,
];

const userResource = (userId: string) => `com.cloudflare.api.user.${userId}`;
const ALL_ACCOUNTS = 'com.cloudflare.api.account.*';

/** The resource on which a group of this kind grants the bootstrap user's own routes. */
function ownResource(group: string, userId: string): string {
  return ACCOUNT_GROUPS.includes(group) ? ALL_ACCOUNTS : userResource(userId);
}

/** Every route of the API (REFERENCE §2; `/accounts` and `/memberships` for wrangler, CLIENTS §9). */
export const API_ROUTES: RouteUnderTest[] = [
  {
    method: 'GET',
    path: '/user',
    access: { kind: 'permission', scope: 'user', groups: [G.userDetailsRead, G.userDetailsWrite] },
  },
  {
    method: 'PATCH',
    path: '/user',
    body: () => ({ first_name: 'Route Security' }),
    access: { kind: 'permission', scope: 'user', groups: [G.userDetailsWrite] },
  },
  {
    method: 'GET',
    path: '/user/audit_logs',
    access: {
      kind: 'permission',
      scope: 'account',
      groups: [G.accountSettingsRead, G.accountSettingsWrite],
    },
  },
  {
    method: 'GET',
    path: '/user/tokens',
    access: { kind: 'permission', scope: 'user', groups: [G.apiTokensRead, G.apiTokensWrite] },
  },
  {
    method: 'POST',
    path: '/user/tokens',
    // Grants only what a caller holding API Tokens Write has, so no escalation check can refuse it.
    body: (userId) => ({
      name: 'created by the route security suite',
      policies: [
        {
          effect: 'allow',
          permission_groups: [{ id: G.apiTokensWrite }],
          resources: { [userResource(userId)]: '*' },
        },
      ],
    }),
    access: { kind: 'permission', scope: 'user', groups: [G.apiTokensWrite] },
  },
  {
    method: 'GET',
    path: '/user/tokens/permission_groups',
    access: { kind: 'permission', scope: 'user', groups: [G.apiTokensRead, G.apiTokensWrite] },
  },
  { method: 'GET', path: '/user/tokens/verify', access: { kind: 'verify' } },
  {
    method: 'GET',
    path: '/user/tokens/{token_id}',
    access: { kind: 'permission', scope: 'user', groups: [G.apiTokensRead, G.apiTokensWrite] },
  },
  {
    method: 'PUT',
    path: '/user/tokens/{token_id}',
    body: (userId) => ({
      name: 'renamed by the route security suite',
      policies: [
        {
          effect: 'allow',
          permission_groups: [{ id: G.apiTokensWrite }],
          resources: { [userResource(userId)]: '*' },
        },
      ],
    }),
    access: { kind: 'permission', scope: 'user', groups: [G.apiTokensWrite] },
  },
  {
    method: 'DELETE',
    path: '/user/tokens/{token_id}',
    access: { kind: 'permission', scope: 'user', groups: [G.apiTokensWrite] },
  },
  {
    method: 'PUT',
    path: '/user/tokens/{token_id}/value',
    access: { kind: 'permission', scope: 'user', groups: [G.apiTokensWrite] },
  },
  {
    method: 'GET',
    path: '/user/invites',
    access: { kind: 'permission', scope: 'user', groups: [G.membershipsRead, G.membershipsWrite] },
  },
  {
    method: 'GET',
    path: '/user/organizations',
    access: { kind: 'permission', scope: 'user', groups: [G.membershipsRead, G.membershipsWrite] },
  },
  {
    method: 'GET',
    path: '/user/subscriptions',
    access: { kind: 'permission', scope: 'account', groups: [G.billingRead, G.billingWrite] },
  },
  {
    method: 'GET',
    path: '/user/billing/history',
    access: { kind: 'permission', scope: 'account', groups: [G.billingRead, G.billingWrite] },
  },
  {
    method: 'GET',
    path: '/user/billing/profile',
    access: { kind: 'permission', scope: 'account', groups: [G.billingRead, G.billingWrite] },
  },
  {
    method: 'GET',
    path: '/user/invites/{invite_id}',
    prepare: freshInvite,
    access: { kind: 'permission', scope: 'user', groups: [G.membershipsRead, G.membershipsWrite] },
  },
  {
    method: 'PATCH',
    path: '/user/invites/{invite_id}',
    prepare: freshInvite,
    body: () => ({ status: 'accepted' }),
    access: { kind: 'permission', scope: 'user', groups: [G.membershipsWrite] },
  },
  {
    method: 'GET',
    path: '/user/organizations/{organization_id}',
    prepare: freshMembership,
    access: { kind: 'permission', scope: 'user', groups: [G.membershipsRead, G.membershipsWrite] },
  },
  {
    method: 'DELETE',
    path: '/user/organizations/{organization_id}',
    prepare: freshMembership,
    access: { kind: 'permission', scope: 'user', groups: [G.membershipsWrite] },
  },
  {
    method: 'PUT',
    path: '/user/subscriptions/{identifier}',
    prepare: freshSubscription,
    body: () => ({ frequency: 'yearly' }),
    access: { kind: 'permission', scope: 'account', groups: [G.billingWrite] },
  },
  {
    method: 'DELETE',
    path: '/user/subscriptions/{identifier}',
    prepare: freshSubscription,
    access: { kind: 'permission', scope: 'account', groups: [G.billingWrite] },
  },
  { method: 'GET', path: '/accounts', access: { kind: 'authenticated' } },
  { method: 'GET', path: '/memberships', access: { kind: 'authenticated' } },
];

interface PolicyInput {
  effect: 'allow' | 'deny';
  groups: readonly string[];
  resource: string;
}

interface TokenOptions {
  policies: PolicyInput[];
  condition?: { request_ip: { in?: string[]; not_in?: string[] } };
  expires_on?: string;
  not_before?: string;
}

interface CreatedToken {
  id: string;
  value: string;
  policies: { id: string; effect: string; permission_groups: { id: string }[]; resources: object }[];
}

const HOUR = 3_600_000;

/** A well-formed id that is nobody's: the "other user" and "other account" of the cross-tenant cases. */
const FOREIGN_ID = randomBytes(16).toString('hex');

/** The checks every refused request shares: the failure envelope with the status and the first error. */
export function expectFailure(
  response: LightMyRequestResponse,
  status: number,
  code: number,
  message?: string,
): { code: number; message: string; error_chain?: { code: number; message: string }[] }[] {
  expect(response.statusCode, response.body).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  const body = response.json();
  expect(body.success).toBe(false);
  expect(body.result).toBeNull();
  expect(body.messages).toEqual([]);
  expect(body.errors.length).toBeGreaterThan(0);
  expect(body.errors[0].code).toBe(code);
  if (message !== undefined) expect(body.errors[0].message).toBe(message);
  return body.errors;
}

function expectHeaderProblem(response: LightMyRequestResponse, chainCodes: number[]): void {
  const errors = expectFailure(response, 400, 6003, 'Invalid request headers');
  expect((errors[0]?.error_chain ?? []).map((item) => item.code).sort()).toEqual([...chainCodes].sort());
}

/** Registers the security suite of one route: one app per route, the same cases under both prefixes. */
export function describeRouteSecurity(route: RouteUnderTest): void {
  describe(`${route.method} ${route.path}`, () => {
    const clock = new FakeClock(new Date('2031-05-01T12:00:00Z'));
    let t: TestApp;

    beforeAll(async () => {
      t = await createTestApp({ clock });
    });
    afterAll(async () => {
      await t.close();
    });

    async function createToken(options: TokenOptions): Promise<CreatedToken> {
      const response = await t.app.inject({
        method: 'POST',
        url: '/client/v4/user/tokens',
        headers: bearer(BOOTSTRAP.token),
        payload: {
          name: 'route security fixture',
          policies: options.policies.map((policy) => ({
            effect: policy.effect,
            permission_groups: policy.groups.map((id) => ({ id })),
            resources: { [policy.resource]: '*' },
          })),
          ...(options.condition ? { condition: options.condition } : {}),
          ...(options.expires_on ? { expires_on: options.expires_on } : {}),
          ...(options.not_before ? { not_before: options.not_before } : {}),
        },
      });
      expect(response.statusCode, response.body).toBe(200);
      return response.json().result;
    }

    /** A token that satisfies the route: all its groups on the right resource, or some group when none is needed. */
    function grantingPolicies(): PolicyInput[] {
      if (route.access.kind !== 'permission')
        return [{ effect: 'allow', groups: [G.userDetailsRead], resource: userResource(t.userId) }];
      const groups = route.access.groups;
      return [{ effect: 'allow', groups, resource: ownResource(groups[0] ?? '', t.userId) }];
    }

    async function grantingToken(options: Omit<TokenOptions, 'policies'> = {}): Promise<CreatedToken> {
      return createToken({ ...options, policies: grantingPolicies() });
    }

    async function request(
      prefix: string,
      headers: Record<string, string>,
      extra: Partial<InjectOptions> = {},
    ): Promise<LightMyRequestResponse> {
      let path = route.path;
      if (path.includes('{token_id}')) {
        const victim = await createToken({
          policies: [{ effect: 'allow', groups: [G.apiTokensRead], resource: userResource(t.userId) }],
        });
        path = path.replace('{token_id}', victim.id);
      }
      for (const [name, id] of Object.entries((await route.prepare?.(t)) ?? {}))
        path = path.replace(`{${name}}`, id);
      const body = route.body?.(t.userId);
      return t.app.inject({
        method: route.method,
        url: `${prefix}${path}`,
        headers,
        ...(body === undefined ? {} : { payload: body as InjectOptions['payload'] }),
        ...extra,
      });
    }

    function expectPassed(response: LightMyRequestResponse): void {
      expect(response.statusCode, response.body).toBe(200);
      // The two leave/cancel DELETEs answer a bare body without `success` (REFERENCE §2.11, §2.14).
      expect(response.json().success ?? true).toBe(true);
    }

    async function withClockAt<T>(instant: Date, run: () => Promise<T>): Promise<T> {
      const saved = clock.now();
      clock.set(instant);
      try {
        return await run();
      } finally {
        clock.set(saved);
      }
    }

    const isVerify = route.access.kind === 'verify';
    const unusable = isVerify ? '401 1000' : '403 9109';
    /** A token that is not usable answers 401 1000 on verify and 403 9109 elsewhere (REFERENCE §9). */
    const expectUnusableToken = (response: LightMyRequestResponse) =>
      isVerify
        ? expectFailure(response, 401, 1000, 'Invalid API Token')
        : expectFailure(response, 403, 9109, 'Invalid access token');

    for (const prefix of ['/client/v4', '']) {
      describe(prefix === '' ? 'at the root' : `under ${prefix}`, () => {
        it('refuses a request without credentials with 400 9106', async () => {
          expectFailure(
            await request(prefix, {}),
            400,
            9106,
            'Missing X-Auth-Key, X-Auth-Email or Authorization headers',
          );
        });

        it('refuses a Bearer value of 37 hex characters (a global key) with 400 6003 and error_chain 6111', async () => {
          expectHeaderProblem(await request(prefix, { authorization: `Bearer ${BOOTSTRAP.apiKey}` }), [6111]);
        });

        it('refuses an Authorization header of another scheme with 400 6003 and error_chain 6111', async () => {
          expectHeaderProblem(await request(prefix, { authorization: 'Basic x' }), [6111]);
        });

        it('refuses an Authorization header with an empty Bearer value with 400 6003 and error_chain 6111', async () => {
          expectHeaderProblem(await request(prefix, { authorization: 'Bearer ' }), [6111]);
        });

        it(`refuses a well-formed token value that names no token with ${unusable}`, async () => {
          expectUnusableToken(await request(prefix, bearer('A'.repeat(40))));
        });

        it(`refuses a scannable token value whose checksum does not match with ${unusable}`, async () => {
          const { value } = await grantingToken();
          const corrupted = `${value.slice(0, -1)}${value.endsWith('A') ? 'B' : 'A'}`;
          expectUnusableToken(await request(prefix, bearer(corrupted)));
        });

        it(`refuses the value of a deleted token with ${unusable}`, async () => {
          const token = await grantingToken();
          const deleted = await t.app.inject({
            method: 'DELETE',
            url: `/client/v4/user/tokens/${token.id}`,
            headers: bearer(BOOTSTRAP.token),
          });
          expect(deleted.statusCode).toBe(200);
          expectUnusableToken(await request(prefix, bearer(token.value)));
        });

        it(`refuses a disabled token with ${unusable}`, async () => {
          const token = await grantingToken();
          const disabled = await t.app.inject({
            method: 'PUT',
            url: `/client/v4/user/tokens/${token.id}`,
            headers: bearer(BOOTSTRAP.token),
            payload: { name: 'disabled', policies: token.policies, status: 'disabled' },
          });
          expect(disabled.statusCode, disabled.body).toBe(200);
          expectUnusableToken(await request(prefix, bearer(token.value)));
        });

        it(`refuses a token once its expires_on instant is reached with ${unusable}`, async () => {
          const expiresOn = new Date(clock.now().getTime() + HOUR);
          const token = await grantingToken({ expires_on: expiresOn.toISOString() });
          await withClockAt(expiresOn, async () => {
            expectUnusableToken(await request(prefix, bearer(token.value)));
          });
        });

        it(`refuses a token before its not_before with ${unusable}`, async () => {
          const token = await grantingToken({
            not_before: new Date(clock.now().getTime() + HOUR).toISOString(),
          });
          expectUnusableToken(await request(prefix, bearer(token.value)));
        });

        it('accepts a token once its not_before instant is reached', async () => {
          const notBefore = new Date(clock.now().getTime() + HOUR);
          const token = await grantingToken({ not_before: notBefore.toISOString() });
          await withClockAt(notBefore, async () => {
            expectPassed(await request(prefix, bearer(token.value)));
          });
        });

        it('refuses a token whose request_ip.in excludes the caller with 403 9109 naming the address', async () => {
          const token = await grantingToken({ condition: { request_ip: { in: ['192.0.2.0/24'] } } });
          expectFailure(
            await request(prefix, bearer(token.value), { remoteAddress: '198.51.100.7' }),
            403,
            9109,
            'Cannot use the access token from location: 198.51.100.7',
          );
        });

        it('refuses a token whose request_ip.not_in names the caller with 403 9109 naming the address', async () => {
          const token = await grantingToken({
            condition: { request_ip: { in: ['198.51.100.0/24'], not_in: ['198.51.100.7/32'] } },
          });
          expectFailure(
            await request(prefix, bearer(token.value), { remoteAddress: '198.51.100.7' }),
            403,
            9109,
            'Cannot use the access token from location: 198.51.100.7',
          );
        });

        it('accepts a token whose request_ip.in contains the caller', async () => {
          const token = await grantingToken({ condition: { request_ip: { in: ['192.0.2.0/24'] } } });
          expectPassed(await request(prefix, bearer(token.value), { remoteAddress: '192.0.2.10' }));
        });

        if (isVerify) {
          it('refuses X-Auth-Email and X-Auth-Key with 400 1001: verify takes a Bearer token only', async () => {
            expectFailure(await request(prefix, globalKey()), 400, 1001, 'Missing "Authorization" header');
          });

          it('refuses a lone X-Auth-Key with 400 1001', async () => {
            expectFailure(
              await request(prefix, { 'x-auth-key': BOOTSTRAP.apiKey }),
              400,
              1001,
              'Missing "Authorization" header',
            );
          });

          it('verifies a valid token that holds no user permission group at all', async () => {
            const token = await createToken({
              policies: [{ effect: 'allow', groups: [G.billingRead], resource: ALL_ACCOUNTS }],
            });
            const response = await request(prefix, bearer(token.value));
            expectPassed(response);
            expect(response.json().result).toEqual({ id: token.id, status: 'active' });
            expect(response.json().messages).toEqual([
              { code: 10000, message: 'This API Token is valid and active', type: null },
            ]);
          });

          it('lets the Bearer token decide when X-Auth-Email and X-Auth-Key are sent too: a valid token verifies', async () => {
            const token = await grantingToken();
            const response = await request(prefix, { ...bearer(token.value), ...globalKey() });
            expectPassed(response);
            expect(response.json().result.id).toBe(token.id);
          });

          it('lets the Bearer token decide when X-Auth-Email and X-Auth-Key are sent too: an unknown token gets 401 1000', async () => {
            expectFailure(
              await request(prefix, { ...bearer('A'.repeat(40)), ...globalKey() }),
              401,
              1000,
              'Invalid API Token',
            );
          });
          return;
        }

        it('refuses X-Auth-Email without X-Auth-Key with 400 9106', async () => {
          expectFailure(await request(prefix, { 'x-auth-email': BOOTSTRAP.email }), 400, 9106);
        });

        it('refuses X-Auth-Key without X-Auth-Email with 400 9106', async () => {
          expectFailure(await request(prefix, { 'x-auth-key': BOOTSTRAP.apiKey }), 400, 9106);
        });

        it('refuses a malformed X-Auth-Key with 400 6003 and error_chain 6103', async () => {
          expectHeaderProblem(await request(prefix, globalKey(BOOTSTRAP.email, 'not-a-global-key')), [6103]);
        });

        it('refuses a token value sent as X-Auth-Key with 400 6003 and error_chain 6103', async () => {
          expectHeaderProblem(await request(prefix, globalKey(BOOTSTRAP.email, BOOTSTRAP.token)), [6103]);
        });

        it('refuses a malformed X-Auth-Email with 400 6003 and error_chain 6102', async () => {
          expectHeaderProblem(await request(prefix, globalKey('not-an-email', BOOTSTRAP.apiKey)), [6102]);
        });

        it('names both header problems when X-Auth-Email and X-Auth-Key are both malformed', async () => {
          expectHeaderProblem(await request(prefix, globalKey('not-an-email', 'not-a-key')), [6102, 6103]);
        });

        it('refuses a well-formed but wrong global API key with 403 9103', async () => {
          expectFailure(
            await request(prefix, globalKey(BOOTSTRAP.email, 'f'.repeat(37))),
            403,
            9103,
            'Unknown X-Auth-Key or X-Auth-Email',
          );
        });

        it('refuses the right global API key under an unknown email with 403 9103', async () => {
          expectFailure(
            await request(prefix, globalKey('nobody@example.com', BOOTSTRAP.apiKey)),
            403,
            9103,
            'Unknown X-Auth-Key or X-Auth-Email',
          );
        });

        it('accepts the global API key, which carries all of the user’s rights', async () => {
          expectPassed(await request(prefix, globalKey()));
        });

        it('lets the Bearer token decide when X-Auth-Email and X-Auth-Key are sent too: an unknown token gets 9109 despite a valid key', async () => {
          expectFailure(
            await request(prefix, { ...bearer('A'.repeat(40)), ...globalKey() }),
            403,
            9109,
            'Invalid access token',
          );
        });

        it('lets the Bearer token decide when X-Auth-Email and X-Auth-Key are sent too: a valid token passes despite a wrong key', async () => {
          const token = await grantingToken();
          expectPassed(
            await request(prefix, { ...bearer(token.value), ...globalKey(BOOTSTRAP.email, 'f'.repeat(37)) }),
          );
        });

        const { access } = route;
        if (access.kind === 'authenticated') {
          it('accepts any valid token, whatever its permission groups', async () => {
            const token = await createToken({
              policies: [{ effect: 'allow', groups: [G.billingRead], resource: ALL_ACCOUNTS }],
            });
            expectPassed(await request(prefix, bearer(token.value)));
          });
          return;
        }
        if (access.kind !== 'permission') return;
        const [firstGroup = ''] = access.groups;
        const resource = () => ownResource(firstGroup, t.userId);
        const [unrelated = ''] = [...USER_GROUPS, ...ACCOUNT_GROUPS].filter(
          (g) => !access.groups.includes(g),
        );

        it('lets the Bearer token decide when X-Auth-Email and X-Auth-Key are sent too: a token without the group gets 10000 despite a valid key', async () => {
          const token = await createToken({
            policies: [{ effect: 'allow', groups: [unrelated], resource: ownResource(unrelated, t.userId) }],
          });
          expectFailure(
            await request(prefix, { ...bearer(token.value), ...globalKey() }),
            403,
            10000,
            'Authentication error',
          );
        });

        it('refuses with 403 10000 a token holding every other permission group but none of the route’s', async () => {
          const others = [...USER_GROUPS, ...ACCOUNT_GROUPS].filter((g) => !access.groups.includes(g));
          const token = await createToken({
            policies: [
              {
                effect: 'allow',
                groups: others.filter((g) => USER_GROUPS.includes(g)),
                resource: userResource(t.userId),
              },
              {
                effect: 'allow',
                groups: others.filter((g) => ACCOUNT_GROUPS.includes(g)),
                resource: ALL_ACCOUNTS,
              },
            ].filter((policy) => policy.groups.length > 0) as PolicyInput[],
          });
          expectFailure(await request(prefix, bearer(token.value)), 403, 10000, 'Authentication error');
        });

        it('refuses with 403 10000 a token that allows the group but also denies it explicitly', async () => {
          const token = await createToken({
            policies: [
              { effect: 'allow', groups: [firstGroup], resource: resource() },
              { effect: 'deny', groups: [firstGroup], resource: resource() },
            ],
          });
          expectFailure(await request(prefix, bearer(token.value)), 403, 10000, 'Authentication error');
        });

        it('accepts a token that allows the group and denies only an unrelated group', async () => {
          const token = await createToken({
            policies: [
              { effect: 'allow', groups: [firstGroup], resource: resource() },
              { effect: 'deny', groups: [unrelated], resource: ownResource(unrelated, t.userId) },
            ],
          });
          expectPassed(await request(prefix, bearer(token.value)));
        });

        it(`refuses with 403 10000 a token whose policy grants the group on ${
          access.scope === 'user' ? 'another user' : 'an account the user is not a member of'
        }`, async () => {
          const token = await createToken({
            policies: [{ effect: 'allow', groups: access.groups, resource: resource() }],
          });
          // The API refuses to create such a policy (REFERENCE §9), so the stored token is rewritten.
          const foreign =
            access.scope === 'user' ? userResource(FOREIGN_ID) : `com.cloudflare.api.account.${FOREIGN_ID}`;
          const policies = token.policies.map((policy) => ({ ...policy, resources: { [foreign]: '*' } }));
          await t.store.db
            .updateTable('tokens')
            .set({ policies: JSON.stringify(policies) })
            .where('id', '=', token.id)
            .execute();
          expectFailure(await request(prefix, bearer(token.value)), 403, 10000, 'Authentication error');
        });

        it(`refuses with 403 10000 a token whose policy grants the group on ${
          access.scope === 'user' ? 'accounts instead of the user' : 'the user instead of accounts'
        }`, async () => {
          const token = await createToken({
            policies: [
              {
                effect: 'allow',
                groups: access.groups,
                resource: access.scope === 'user' ? ALL_ACCOUNTS : userResource(t.userId),
              },
            ],
          });
          expectFailure(await request(prefix, bearer(token.value)), 403, 10000, 'Authentication error');
        });

        for (const group of access.groups) {
          it(`accepts a token holding only ${GROUP_NAMES[group] ?? group}`, async () => {
            const token = await createToken({
              policies: [{ effect: 'allow', groups: [group], resource: ownResource(group, t.userId) }],
            });
            expectPassed(await request(prefix, bearer(token.value)));
          });
        }
      });
    }
  });
}

export { FakeClock };
