import {
  PagedEnvelopeSchema,
  type Token,
  TokenSchema,
  type TokenWithValue,
  type VerifiedToken,
} from '@userflare/contract';
import fastJsonStringify from 'fast-json-stringify';
import { describe, expect, it } from 'vitest';
import { RECENTLY_EXPIRED_DAYS } from '../src/modules/tokens/tokens.service.js';
import { storeTables } from './helpers/store-digest.js';
import { BOOTSTRAP } from './helpers/test-server.js';
import {
  type ApiReply,
  bootstrapTokenId,
  call,
  countTokens,
  createToken,
  DAY,
  GROUP,
  HEX32,
  HOUR,
  insertAccount,
  insertOtherUser,
  MINUTE,
  newId,
  type OtherUser,
  policy,
  type Resources,
  SECOND,
  TOKEN_VALUE_PATTERN,
  tokenBody,
  userResource,
  useTestApp,
} from './helpers/tokens-fixtures.js';

const VALID_MESSAGE = { code: 10000, message: 'This API Token is valid and active', type: null };

/** The 7003 + 7000 pair of REFERENCE §9, for an unknown id (404) or a malformed one (400). */
function expectNoRoute(reply: ApiReply<unknown>, status: 400 | 404, path: string): void {
  expect(reply.status).toBe(status);
  expect(reply.body).toEqual({
    success: false,
    errors: [
      { code: 7003, message: `Could not route to ${path}, perhaps your object identifier is invalid?` },
      { code: 7000, message: 'No route for that URI' },
    ],
    messages: [],
    result: null,
  });
}

/** A 400 with an error item whose message is `<field>: <why>` (REFERENCE §9). */
function expectFieldError(
  reply: ApiReply<unknown>,
  field: string,
  options: { pointer?: string; mentions?: string } = {},
): void {
  expect(reply.status, reply.payload).toBe(400);
  expect(reply.body.success).toBe(false);
  expect(reply.body.result).toBeNull();
  const item = reply.body.errors.find(
    (e) =>
      e.message.startsWith(field) &&
      (options.pointer === undefined || e.source?.pointer === options.pointer) &&
      (options.mentions === undefined || e.message.includes(options.mentions)),
  );
  expect(item, `an error naming ${field} in ${reply.payload}`).toBeDefined();
  expect(item?.code).toBeGreaterThanOrEqual(1000);
}

function expectError(reply: ApiReply<unknown>, status: number, code: number, message: string): void {
  expect(reply.status, reply.payload).toBe(status);
  expect(reply.body.success).toBe(false);
  expect(reply.body.errors[0]).toMatchObject({ code, message });
}

function withoutModificationTimes(token: Token): Omit<Token, 'modified_on' | 'last_used_on'> {
  const { modified_on: _modified, last_used_on: _used, ...rest } = token;
  return rest;
}

describe('user tokens: happy paths', () => {
  describe('GET /user/tokens', () => {
    const h = useTestApp();
    const values: string[] = [];

    // 24 tokens a minute apart, after the bootstrap token: 25 in all, in a known issue order.
    it('creates the tokens the listing tests page through', async () => {
      for (let i = 1; i <= 24; i++) {
        h.clock.advance(MINUTE);
        const token = await createToken(
          h.t,
          tokenBody(h.t.userId, { name: `token ${String(i).padStart(2, '0')}` }),
        );
        values.push(token.value);
      }
      expect(await countTokens(h.t)).toBe(25);
    });

    it('returns 20 tokens per page by default with result_info', async () => {
      const reply = await call<Token[]>(h.t, 'GET', '/user/tokens');
      expect(reply.status).toBe(200);
      expect(reply.body.success).toBe(true);
      expect(reply.body.errors).toEqual([]);
      expect(reply.body.messages).toEqual([]);
      expect(reply.body.result).toHaveLength(20);
      expect(reply.body.result_info).toEqual({
        page: 1,
        per_page: 20,
        count: 20,
        total_count: 25,
        total_pages: 2,
      });
    });

    it('pages with per_page and page, with result_info describing each page', async () => {
      const seen: string[] = [];
      for (const [page, count] of [
        [1, 10],
        [2, 10],
        [3, 5],
      ] as const) {
        const reply = await call<Token[]>(h.t, 'GET', `/user/tokens?per_page=10&page=${page}`);
        expect(reply.status).toBe(200);
        expect(reply.body.result).toHaveLength(count);
        expect(reply.body.result_info).toEqual({
          page,
          per_page: 10,
          count,
          total_count: 25,
          total_pages: 3,
        });
        seen.push(...reply.body.result.map((token) => token.id));
      }
      expect(new Set(seen).size).toBe(25);
    });

    it('answers a page past the end with 200 and an empty result', async () => {
      const reply = await call<Token[]>(h.t, 'GET', '/user/tokens?per_page=10&page=4');
      expect(reply.status).toBe(200);
      expect(reply.body.success).toBe(true);
      expect(reply.body.result).toEqual([]);
      expect(reply.body.result_info).toEqual({
        page: 4,
        per_page: 10,
        count: 0,
        total_count: 25,
        total_pages: 3,
      });
    });

    it('accepts per_page at its bounds of 5 and 50', async () => {
      const five = await call<Token[]>(h.t, 'GET', '/user/tokens?per_page=5');
      expect(five.status).toBe(200);
      expect(five.body.result).toHaveLength(5);
      expect(five.body.result_info?.total_pages).toBe(5);
      const fifty = await call<Token[]>(h.t, 'GET', '/user/tokens?per_page=50');
      expect(fifty.status).toBe(200);
      expect(fifty.body.result).toHaveLength(25);
      expect(fifty.body.result_info).toMatchObject({ per_page: 50, count: 25, total_pages: 1 });
    });

    it('orders tokens by issue time, oldest first by default and with direction=asc', async () => {
      const byDefault = await call<Token[]>(h.t, 'GET', '/user/tokens?per_page=50');
      const asc = await call<Token[]>(h.t, 'GET', '/user/tokens?per_page=50&direction=asc');
      const names = byDefault.body.result.map((token) => token.name);
      expect(names[0]).toBe('userflare bootstrap token');
      expect(names.slice(1)).toEqual(
        Array.from({ length: 24 }, (_, i) => `token ${String(i + 1).padStart(2, '0')}`),
      );
      const issued = byDefault.body.result.map((token) => token.issued_on);
      expect(issued).toEqual([...issued].sort());
      expect(asc.body.result.map((token) => token.id)).toEqual(
        byDefault.body.result.map((token) => token.id),
      );
    });

    it('orders tokens newest first with direction=desc', async () => {
      const asc = await call<Token[]>(h.t, 'GET', '/user/tokens?per_page=50&direction=asc');
      const desc = await call<Token[]>(h.t, 'GET', '/user/tokens?per_page=50&direction=desc');
      expect(desc.status).toBe(200);
      expect(desc.body.result.map((token) => token.id)).toEqual(
        asc.body.result.map((token) => token.id).reverse(),
      );
      const first = await call<Token[]>(h.t, 'GET', '/user/tokens?per_page=5&direction=desc');
      expect(first.body.result[0]?.name).toBe('token 24');
    });

    it('never includes a value in listed tokens', async () => {
      const reply = await call<Token[]>(h.t, 'GET', '/user/tokens?per_page=50');
      for (const token of reply.body.result) expect(token).not.toHaveProperty('value');
      for (const value of values) expect(reply.payload).not.toContain(value);
      expect(reply.payload).not.toContain(BOOTSTRAP.token);
    });

    it('serves the same listing under /client/v4', async () => {
      const root = await call<Token[]>(h.t, 'GET', '/user/tokens?per_page=50');
      const prefixed = await call<Token[]>(h.t, 'GET', '/client/v4/user/tokens?per_page=50');
      expect(prefixed.status).toBe(200);
      expect(prefixed.body.result.map((token) => token.id)).toEqual(
        root.body.result.map((token) => token.id),
      );
    });
  });

  describe("GET /user/tokens bodies, built from each token's kept JSON", () => {
    const h = useTestApp();
    const serializePage = fastJsonStringify(PagedEnvelopeSchema(TokenSchema));
    const listed = async (url: string) => {
      const reply = await call<Token[]>(h.t, 'GET', url);
      expect(reply.status, reply.payload).toBe(200);
      return reply;
    };

    it('answers byte for byte what serializing the whole page by its schema gives', async () => {
      for (let i = 0; i < 5; i++) await createToken(h.t, tokenBody(h.t.userId, { name: `plain ${i}` }));
      h.clock.advance(SECOND);
      await createToken(
        h.t,
        tokenBody(h.t.userId, {
          name: 'jeton « spécial » ✓ 🔑',
          not_before: '2020-01-01T00:00:00Z',
          expires_on: '2099-01-01T00:00:00Z',
          condition: { request_ip: { in: ['192.0.2.0/24'], not_in: ['192.0.2.7/32'] } },
        }),
      );
      for (const url of [
        '/user/tokens',
        '/user/tokens?per_page=5&page=2',
        '/user/tokens?page=9',
        '/user/tokens?direction=desc',
      ]) {
        const reply = await listed(url);
        expect(reply.payload).toBe(serializePage(JSON.parse(reply.payload)));
      }
    });

    it('shows each use of a listed token: a kept body is not reused once an item changes', async () => {
      const other = await createToken(h.t, tokenBody(h.t.userId, { name: 'used in between' }));
      const before = await listed('/user/tokens');
      const lastUsed = () => before.body.result.find((token) => token.id === other.id)?.last_used_on;
      expect(lastUsed()).toBeUndefined();
      h.clock.advance(MINUTE);
      await call(h.t, 'GET', '/user/tokens/verify', { token: other.value });
      const after = await listed('/user/tokens');
      const usedAt = after.body.result.find((token) => token.id === other.id)?.last_used_on;
      expect(usedAt).toBe(h.clock.now().toISOString().replace('.000Z', 'Z'));
      h.clock.advance(MINUTE);
      await call(h.t, 'GET', '/user/tokens/verify', { token: other.value });
      const again = await listed('/user/tokens');
      expect(again.body.result.find((token) => token.id === other.id)?.last_used_on).not.toBe(usedAt);
      expect(again.payload).toBe(serializePage(JSON.parse(again.payload)));
    });

    it('shows a token as expired once the clock passes its expiry, with no write in between', async () => {
      const expiring = await createToken(
        h.t,
        tokenBody(h.t.userId, {
          name: 'expires soon',
          expires_on: new Date(h.clock.now().getTime() + HOUR).toISOString(),
        }),
      );
      const statusOf = async (url: string) =>
        (await listed(url)).body.result.find((token) => token.id === expiring.id)?.status;
      expect(await statusOf('/user/tokens?include_expired=true')).toBe('active');
      h.clock.advance(2 * HOUR);
      expect(await statusOf('/user/tokens?include_expired=true')).toBe('expired');
      expect(await statusOf('/user/tokens')).toBeUndefined();
    });
  });

  describe('GET /user/tokens with expired tokens', () => {
    const h = useTestApp();
    const start = Date.parse('2030-01-01T00:00:00Z');
    // Evaluated RECENTLY_EXPIRED_DAYS + 2 days after the start.
    const evaluatedAt = start + (RECENTLY_EXPIRED_DAYS + 2) * DAY;
    const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

    it('lists every token while none has expired', async () => {
      for (const [name, expiresOn] of [
        ['long expired', start + HOUR],
        ['recently expired', evaluatedAt - DAY],
        ['still valid', evaluatedAt + 10 * DAY],
        ['never expires', undefined],
      ] as const) {
        h.clock.advance(SECOND);
        await createToken(
          h.t,
          tokenBody(h.t.userId, { name, ...(expiresOn === undefined ? {} : { expires_on: iso(expiresOn) }) }),
        );
      }
      const reply = await call<Token[]>(h.t, 'GET', '/user/tokens');
      expect(reply.body.result.map((token) => token.name)).toEqual([
        'userflare bootstrap token',
        'long expired',
        'recently expired',
        'still valid',
        'never expires',
      ]);
      h.clock.advance(evaluatedAt - h.clock.now().getTime());
    });

    it('leaves expired tokens out by default and with include_expired=false', async () => {
      for (const url of ['/user/tokens', '/user/tokens?include_expired=false']) {
        const reply = await call<Token[]>(h.t, 'GET', url);
        expect(reply.status).toBe(200);
        expect(reply.body.result.map((token) => token.name)).toEqual([
          'userflare bootstrap token',
          'still valid',
          'never expires',
        ]);
        expect(reply.body.result_info).toMatchObject({ count: 3, total_count: 3, total_pages: 1 });
      }
    });

    it('adds only recently expired tokens, marked expired, with include_expired=true', async () => {
      const reply = await call<Token[]>(h.t, 'GET', '/user/tokens?include_expired=true');
      expect(reply.status).toBe(200);
      expect(reply.body.result.map((token) => [token.name, token.status])).toEqual([
        ['userflare bootstrap token', 'active'],
        ['recently expired', 'expired'],
        ['still valid', 'active'],
        ['never expires', 'active'],
      ]);
      expect(reply.body.result_info).toMatchObject({ count: 4, total_count: 4 });
    });
  });

  describe('GET /user/tokens/{token_id}', () => {
    const h = useTestApp();

    it('returns the token with generated policy ids, permission group names and condition {} when none', async () => {
      const created = await createToken(h.t, {
        name: 'details',
        policies: [
          policy([GROUP.apiTokensRead, GROUP.userDetailsRead], userResource(h.t.userId)),
          policy([GROUP.zoneRead], { 'com.cloudflare.api.account.zone.*': '*' }, 'deny'),
        ],
      });
      const reply = await call<Token>(h.t, 'GET', `/user/tokens/${created.id}`);
      expect(reply.status).toBe(200);
      expect(reply.body.success).toBe(true);
      expect(reply.body.errors).toEqual([]);
      expect(reply.body.messages).toEqual([]);
      const token = reply.body.result;
      expect(Object.keys(token).sort()).toEqual([
        'condition',
        'id',
        'issued_on',
        'modified_on',
        'name',
        'policies',
        'status',
      ]);
      expect(token).toMatchObject({
        id: created.id,
        name: 'details',
        status: 'active',
        issued_on: h.clock.iso(),
        modified_on: h.clock.iso(),
        condition: {},
      });
      expect(token.id).toMatch(HEX32);
      expect(token.policies).toEqual([
        {
          id: expect.stringMatching(HEX32),
          effect: 'allow',
          permission_groups: [
            { id: GROUP.apiTokensRead, name: 'API Tokens Read' },
            { id: GROUP.userDetailsRead, name: 'User Details Read' },
          ],
          resources: userResource(h.t.userId),
        },
        {
          id: expect.stringMatching(HEX32),
          effect: 'deny',
          permission_groups: [{ id: GROUP.zoneRead, name: 'Zone Read' }],
          resources: { 'com.cloudflare.api.account.zone.*': '*' },
        },
      ]);
      expect(token.policies[0]?.id).not.toBe(token.policies[1]?.id);
      expect(token.policies).toEqual(created.policies);
    });

    it('includes not_before, expires_on and the condition when they are set', async () => {
      const condition = { request_ip: { in: ['192.0.2.0/24', '2001:db8::/32'], not_in: ['192.0.2.128/25'] } };
      const created = await createToken(
        h.t,
        tokenBody(h.t.userId, {
          condition,
          not_before: '2029-12-01T00:00:00Z',
          expires_on: '2031-01-01T00:00:00Z',
        }),
      );
      const reply = await call<Token>(h.t, 'GET', `/user/tokens/${created.id}`);
      expect(reply.status).toBe(200);
      expect(reply.body.result).toMatchObject({
        not_before: '2029-12-01T00:00:00Z',
        expires_on: '2031-01-01T00:00:00Z',
        condition,
      });
      expect(reply.body.result).not.toHaveProperty('value');
      expect(reply.payload).not.toContain(created.value);
    });

    it('answers under /client/v4 as at the root', async () => {
      const created = await createToken(h.t, tokenBody(h.t.userId));
      const reply = await call<Token>(h.t, 'GET', `/client/v4/user/tokens/${created.id}`);
      expect(reply.status).toBe(200);
      expect(reply.body.result.id).toBe(created.id);
    });
  });

  describe('POST /user/tokens', () => {
    const h = useTestApp();
    let accountId = '';

    it('returns the value once, in the cfut_ format of 51 characters, and never again', async () => {
      accountId = await insertAccount(h.t, h.t.userId);
      const reply = await call<TokenWithValue>(h.t, 'POST', '/user/tokens', { body: tokenBody(h.t.userId) });
      expect(reply.status).toBe(200);
      expect(reply.body.success).toBe(true);
      const { value } = reply.body.result;
      expect(value).toMatch(TOKEN_VALUE_PATTERN);
      expect(value).toHaveLength(51);
      expect(value.length).toBeGreaterThanOrEqual(40);
      expect(value.length).toBeLessThanOrEqual(80);
      expect(reply.body.result).toMatchObject({ name: 'test token', status: 'active' });

      const get = await call<Token>(h.t, 'GET', `/user/tokens/${reply.body.result.id}`);
      expect(get.body.result).not.toHaveProperty('value');
      expect(get.payload).not.toContain(value);
      const list = await call<Token[]>(h.t, 'GET', '/user/tokens?per_page=50');
      expect(list.payload).not.toContain(value);
      const update = await call<Token>(h.t, 'PUT', `/user/tokens/${reply.body.result.id}`, {
        body: tokenBody(h.t.userId, { name: 'renamed' }),
      });
      expect(update.status).toBe(200);
      expect(update.body.result).not.toHaveProperty('value');
      expect(update.payload).not.toContain(value);
    });

    it('generates a different value and id for every token', async () => {
      const a = await createToken(h.t, tokenBody(h.t.userId));
      const b = await createToken(h.t, tokenBody(h.t.userId));
      expect(a.value).not.toBe(b.value);
      expect(a.id).not.toBe(b.id);
    });

    const resourceForms: {
      label: string;
      resources: (ids: { userId: string; accountId: string }) => Resources;
    }[] = [
      { label: 'its own user', resources: ({ userId }) => userResource(userId) },
      { label: 'all accounts', resources: () => ({ 'com.cloudflare.api.account.*': '*' }) },
      {
        label: 'one account it belongs to',
        resources: ({ accountId }) => ({ [`com.cloudflare.api.account.${accountId}`]: '*' }),
      },
      {
        label: 'all zones of one account it belongs to (nested)',
        resources: ({ accountId }) => ({
          [`com.cloudflare.api.account.${accountId}`]: { 'com.cloudflare.api.account.zone.*': '*' },
        }),
      },
      {
        label: 'one zone of one account it belongs to (nested)',
        resources: ({ accountId }) => ({
          [`com.cloudflare.api.account.${accountId}`]: {
            'com.cloudflare.api.account.zone.023e105f4ecef8ad9ca31a8372d0c353': '*',
          },
        }),
      },
      {
        label: 'a single zone',
        resources: () => ({ 'com.cloudflare.api.account.zone.023e105f4ecef8ad9ca31a8372d0c353': '*' }),
      },
      { label: 'all zones of all accounts', resources: () => ({ 'com.cloudflare.api.account.zone.*': '*' }) },
    ];

    it.each(resourceForms)('accepts a policy on $label', async ({ resources }) => {
      const wanted = resources({ userId: h.t.userId, accountId });
      const created = await createToken(h.t, {
        name: 'resource form',
        policies: [policy([GROUP.zoneRead], wanted)],
      });
      expect(created.policies[0]?.resources).toEqual(wanted);
      const get = await call<Token>(h.t, 'GET', `/user/tokens/${created.id}`);
      expect(get.body.result.policies[0]?.resources).toEqual(wanted);
    });

    it('fills in permission group names from the catalogue and ignores names and policy ids sent', async () => {
      const sentPolicyId = newId();
      const created = await createToken(h.t, {
        name: 'names',
        policies: [
          {
            id: sentPolicyId,
            effect: 'allow',
            permission_groups: [
              { id: GROUP.apiTokensRead, name: 'Bogus Name', meta: { key: 'k', value: 'v' } },
            ],
            resources: userResource(h.t.userId),
          },
        ],
      });
      expect(created.policies[0]?.id).toMatch(HEX32);
      expect(created.policies[0]?.id).not.toBe(sentPolicyId);
      expect(created.policies[0]?.permission_groups).toEqual([
        { id: GROUP.apiTokensRead, name: 'API Tokens Read', meta: { key: 'k', value: 'v' } },
      ]);
    });

    it('accepts a name of exactly 120 characters', async () => {
      const name = 'n'.repeat(120);
      const created = await createToken(h.t, tokenBody(h.t.userId, { name }));
      expect(created.name).toBe(name);
    });

    it('accepts a not_before in the past and echoes date-times as sent', async () => {
      const created = await createToken(
        h.t,
        tokenBody(h.t.userId, { not_before: '2020-01-01T00:00:00Z', expires_on: '2040-06-30T12:34:56Z' }),
      );
      expect(created).toMatchObject({
        not_before: '2020-01-01T00:00:00Z',
        expires_on: '2040-06-30T12:34:56Z',
      });
      const verify = await call<VerifiedToken>(h.t, 'GET', '/user/tokens/verify', { token: created.value });
      expect(verify.status).toBe(200);
    });
  });

  describe('PUT /user/tokens/{token_id}', () => {
    const h = useTestApp();

    it('replaces name and policies wholesale', async () => {
      const created = await createToken(h.t, {
        name: 'before',
        policies: [
          policy([GROUP.apiTokensRead], userResource(h.t.userId)),
          policy([GROUP.zoneRead], { 'com.cloudflare.api.account.zone.*': '*' }),
        ],
      });
      const reply = await call<Token>(h.t, 'PUT', `/user/tokens/${created.id}`, {
        body: { name: 'after', policies: [policy([GROUP.userDetailsRead], userResource(h.t.userId))] },
      });
      expect(reply.status).toBe(200);
      expect(reply.body.result.name).toBe('after');
      expect(reply.body.result.policies).toEqual([
        {
          id: expect.stringMatching(HEX32),
          effect: 'allow',
          permission_groups: [{ id: GROUP.userDetailsRead, name: 'User Details Read' }],
          resources: userResource(h.t.userId),
        },
      ]);
      const get = await call<Token>(h.t, 'GET', `/user/tokens/${created.id}`);
      expect(get.body.result).toEqual(reply.body.result);
    });

    it('clears condition, not_before and expires_on when they are omitted', async () => {
      const created = await createToken(
        h.t,
        tokenBody(h.t.userId, {
          condition: { request_ip: { in: ['10.0.0.0/8'] } },
          not_before: '2029-01-01T00:00:00Z',
          expires_on: '2031-01-01T00:00:00Z',
        }),
      );
      const reply = await call<Token>(h.t, 'PUT', `/user/tokens/${created.id}`, {
        body: { name: created.name, policies: created.policies },
      });
      expect(reply.status).toBe(200);
      expect(reply.body.result.condition).toEqual({});
      expect(reply.body.result).not.toHaveProperty('not_before');
      expect(reply.body.result).not.toHaveProperty('expires_on');
      const verify = await call<VerifiedToken>(h.t, 'GET', '/user/tokens/verify', { token: created.value });
      expect(verify.body.result).toEqual({ id: created.id, status: 'active' });
    });

    it('keeps the ids of policies sent back and generates ids for new ones', async () => {
      const created = await createToken(h.t, tokenBody(h.t.userId));
      const kept = created.policies[0];
      if (!kept) throw new Error('created token has no policy');
      const madeUp = newId();
      const reply = await call<Token>(h.t, 'PUT', `/user/tokens/${created.id}`, {
        body: {
          name: created.name,
          policies: [
            kept,
            policy([GROUP.zoneRead], { 'com.cloudflare.api.account.zone.*': '*' }),
            { ...policy([GROUP.userDetailsRead], userResource(h.t.userId)), id: madeUp },
          ],
        },
      });
      expect(reply.status).toBe(200);
      const ids = reply.body.result.policies.map((p) => p.id);
      expect(ids[0]).toBe(kept.id);
      expect(ids[1]).toMatch(HEX32);
      expect(ids[2]).toMatch(HEX32);
      expect(ids[2]).not.toBe(madeUp);
      expect(new Set(ids).size).toBe(3);
    });

    it('gives distinct ids to policies that repeat one id in the body', async () => {
      const created = await createToken(h.t, tokenBody(h.t.userId));
      const kept = created.policies[0];
      if (!kept) throw new Error('created token has no policy');
      const reply = await call<Token>(h.t, 'PUT', `/user/tokens/${created.id}`, {
        body: {
          name: created.name,
          policies: [kept, { ...kept, permission_groups: [{ id: GROUP.userDetailsRead }] }],
        },
      });
      expect(reply.status).toBe(200);
      const ids = reply.body.result.policies.map((p) => p.id);
      expect(ids[0]).toBe(kept.id);
      expect(ids[1]).toMatch(HEX32);
      expect(ids[1]).not.toBe(kept.id);
    });

    it('ignores read-only fields sent in the body', async () => {
      const created = await createToken(h.t, tokenBody(h.t.userId));
      h.clock.advance(MINUTE);
      const reply = await call<Token>(h.t, 'PUT', `/user/tokens/${created.id}`, {
        body: {
          ...tokenBody(h.t.userId, { name: 'read-only fields' }),
          id: newId(),
          issued_on: '2000-01-01T00:00:00Z',
          modified_on: '2000-01-01T00:00:00Z',
          last_used_on: '2000-01-01T00:00:00Z',
          value: 'cfut_notarealvaluenotarealvaluenotarealvaluenotareal',
        },
      });
      expect(reply.status).toBe(200);
      expect(reply.body.result).toMatchObject({
        id: created.id,
        name: 'read-only fields',
        issued_on: created.issued_on,
        modified_on: h.clock.iso(),
      });
      expect(reply.body.result).not.toHaveProperty('value');
      expect(reply.body.result).not.toHaveProperty('last_used_on');
      const verify = await call(h.t, 'GET', '/user/tokens/verify', { token: created.value });
      expect(verify.status).toBe(200);
    });

    it('moves modified_on to the time of the update and keeps issued_on', async () => {
      const created = await createToken(h.t, tokenBody(h.t.userId));
      h.clock.advance(HOUR);
      const reply = await call<Token>(h.t, 'PUT', `/user/tokens/${created.id}`, {
        body: tokenBody(h.t.userId, { name: 'later' }),
      });
      expect(reply.body.result.issued_on).toBe(created.issued_on);
      expect(reply.body.result.modified_on).toBe(h.clock.iso());
      expect(reply.body.result.modified_on).not.toBe(created.modified_on);
    });

    it('leaves the stored status when status expired is sent back', async () => {
      const active = await createToken(h.t, tokenBody(h.t.userId, { name: 'active' }));
      const reply = await call<Token>(h.t, 'PUT', `/user/tokens/${active.id}`, {
        body: tokenBody(h.t.userId, { name: 'active', status: 'expired' }),
      });
      expect(reply.status).toBe(200);
      expect(reply.body.result.status).toBe('active');
      expect((await call(h.t, 'GET', '/user/tokens/verify', { token: active.value })).status).toBe(200);

      const disabled = await createToken(h.t, tokenBody(h.t.userId, { name: 'disabled' }));
      await call(h.t, 'PUT', `/user/tokens/${disabled.id}`, {
        body: tokenBody(h.t.userId, { name: 'disabled', status: 'disabled' }),
      });
      const back = await call<Token>(h.t, 'PUT', `/user/tokens/${disabled.id}`, {
        body: tokenBody(h.t.userId, { name: 'disabled', status: 'expired' }),
      });
      expect(back.body.result.status).toBe('disabled');
    });

    it('keeps the status when none is sent', async () => {
      const token = await createToken(h.t, tokenBody(h.t.userId));
      await call(h.t, 'PUT', `/user/tokens/${token.id}`, {
        body: tokenBody(h.t.userId, { status: 'disabled' }),
      });
      const reply = await call<Token>(h.t, 'PUT', `/user/tokens/${token.id}`, {
        body: tokenBody(h.t.userId),
      });
      expect(reply.body.result.status).toBe('disabled');
    });
  });

  describe('DELETE /user/tokens/{token_id}', () => {
    const h = useTestApp();

    it('answers result {id} and the token is gone', async () => {
      const created = await createToken(h.t, tokenBody(h.t.userId));
      const before = await countTokens(h.t);
      const reply = await call(h.t, 'DELETE', `/user/tokens/${created.id}`);
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ success: true, errors: [], messages: [], result: { id: created.id } });
      expect(await countTokens(h.t)).toBe(before - 1);
      expectNoRoute(await call(h.t, 'GET', `/user/tokens/${created.id}`), 404, `/user/tokens/${created.id}`);
    });
  });

  describe('GET /user/tokens/verify', () => {
    const h = useTestApp();

    it('answers the real success message with only id and status when no dates are set', async () => {
      const reply = await call<VerifiedToken>(h.t, 'GET', '/user/tokens/verify');
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({
        success: true,
        errors: [],
        messages: [VALID_MESSAGE],
        result: { id: await bootstrapTokenId(h.t), status: 'active' },
      });
    });

    it('adds not_before and expires_on to the result when they are set', async () => {
      const created = await createToken(
        h.t,
        tokenBody(h.t.userId, { not_before: '2029-06-01T00:00:00Z', expires_on: '2030-06-01T00:00:00Z' }),
      );
      const reply = await call<VerifiedToken>(h.t, 'GET', '/client/v4/user/tokens/verify', {
        token: created.value,
      });
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({
        success: true,
        errors: [],
        messages: [VALID_MESSAGE],
        result: {
          id: created.id,
          status: 'active',
          not_before: '2029-06-01T00:00:00Z',
          expires_on: '2030-06-01T00:00:00Z',
        },
      });
    });

    it('needs no permission group', async () => {
      const created = await createToken(h.t, {
        name: 'zone only',
        policies: [policy([GROUP.zoneRead], { 'com.cloudflare.api.account.zone.*': '*' })],
      });
      const reply = await call<VerifiedToken>(h.t, 'GET', '/user/tokens/verify', { token: created.value });
      expect(reply.status).toBe(200);
      expect(reply.body.result).toEqual({ id: created.id, status: 'active' });
    });
  });

  describe('PUT /user/tokens/{token_id}/value', () => {
    const h = useTestApp();

    const bodies: { label: string; body?: unknown; headers?: Record<string, string> }[] = [
      { label: 'no body and no content-type' },
      { label: 'the body {}', body: {} },
      {
        label: 'an empty body labelled application/json',
        body: '',
        headers: { 'content-type': 'application/json' },
      },
    ];

    it.each(bodies)(
      'rolls the value when sent $label, answering a bare string',
      async ({ body, headers }) => {
        const created = await createToken(h.t, tokenBody(h.t.userId));
        const reply = await call<string>(h.t, 'PUT', `/user/tokens/${created.id}/value`, {
          ...(body === undefined ? {} : { body }),
          ...(headers === undefined ? {} : { headers }),
        });
        expect(reply.status, reply.payload).toBe(200);
        expect(reply.body).toEqual({ success: true, errors: [], messages: [], result: expect.any(String) });
        expect(reply.body.result).toMatch(TOKEN_VALUE_PATTERN);
        expect(reply.body.result).toHaveLength(51);
        expect(reply.body.result).not.toBe(created.value);
      },
    );

    it('keeps the id, policies and condition of the token', async () => {
      const created = await createToken(
        h.t,
        tokenBody(h.t.userId, {
          condition: { request_ip: { in: ['127.0.0.0/8'] } },
          expires_on: '2031-01-01T00:00:00Z',
        }),
      );
      const before = await call<Token>(h.t, 'GET', `/user/tokens/${created.id}`);
      h.clock.advance(MINUTE);
      const roll = await call<string>(h.t, 'PUT', `/user/tokens/${created.id}/value`);
      expect(roll.status).toBe(200);
      const after = await call<Token>(h.t, 'GET', `/user/tokens/${created.id}`);
      expect(withoutModificationTimes(after.body.result)).toEqual(
        withoutModificationTimes(before.body.result),
      );
      const verify = await call<VerifiedToken>(h.t, 'GET', '/user/tokens/verify', {
        token: roll.body.result,
      });
      expect(verify.body.result.id).toBe(created.id);
    });
  });
});

describe('user tokens: error cases', () => {
  describe('GET /user/tokens query parameters', () => {
    const h = useTestApp();

    const badQueries = [
      { query: 'per_page=4', param: 'per_page', why: 'between 5 and 50' },
      { query: 'per_page=51', param: 'per_page', why: 'between 5 and 50' },
      { query: 'per_page=abc', param: 'per_page', why: 'integer' },
      { query: 'per_page=5.5', param: 'per_page', why: 'integer' },
      { query: 'page=0', param: 'page', why: 'between 1 and' },
      { query: 'page=-1', param: 'page', why: 'between 1 and' },
      { query: 'page=abc', param: 'page', why: 'integer' },
      { query: 'direction=up', param: 'direction', why: 'asc' },
      { query: 'direction=ASC', param: 'direction', why: 'asc' },
      { query: 'include_expired=maybe', param: 'include_expired', why: 'boolean' },
    ];

    it('never answers 500 to a page number too large to page to: an empty page or a 400 naming page', async () => {
      const reply = await call<Token[]>(h.t, 'GET', '/user/tokens?page=100000000000000000000');
      if (reply.status === 200) {
        expect(reply.body.result).toEqual([]);
      } else {
        expectFieldError(reply, 'page: ', { pointer: '/page' });
      }
    });

    it.each(badQueries)('rejects $query with 400 naming $param', async ({ query, param, why }) => {
      const reply = await call(h.t, 'GET', `/user/tokens?${query}`);
      expectFieldError(reply, `${param}: `, { pointer: `/${param}` });
      const item = reply.body.errors.find((e) => e.message.startsWith(`${param}: `));
      expect(item?.message).toContain(why);
    });
  });

  describe('GET /user/tokens/{token_id}', () => {
    const h = useTestApp();

    it('answers 404 with 7003 and 7000 for a well-formed unknown id', async () => {
      const id = newId();
      expectNoRoute(await call(h.t, 'GET', `/user/tokens/${id}`), 404, `/user/tokens/${id}`);
      expectNoRoute(
        await call(h.t, 'GET', `/client/v4/user/tokens/${id}`),
        404,
        `/client/v4/user/tokens/${id}`,
      );
    });

    it.each([
      { label: 'too short', id: 'abc123' },
      { label: 'too long', id: 'a'.repeat(33) },
      { label: 'upper-case hex', id: 'A'.repeat(32) },
      { label: 'not hex', id: 'z'.repeat(32) },
    ])('answers 400 with 7003 and 7000 for a malformed id ($label)', async ({ id }) => {
      expectNoRoute(await call(h.t, 'GET', `/user/tokens/${id}`), 400, `/user/tokens/${id}`);
    });
  });

  describe('POST /user/tokens', () => {
    const h = useTestApp();
    const ids = { userId: '', otherUserId: '', memberAccountId: '', foreignAccountId: '' };

    it('sets up another user and two accounts, one the owner belongs to', async () => {
      ids.userId = h.t.userId;
      ids.otherUserId = (await insertOtherUser(h.t)).userId;
      ids.memberAccountId = await insertAccount(h.t, h.t.userId);
      ids.foreignAccountId = await insertAccount(h.t, ids.otherUserId);
      expect(await countTokens(h.t)).toBe(2);
    });

    const withPolicy = (p: Record<string, unknown>) => (x: typeof ids) =>
      tokenBody(x.userId, { policies: [p] });
    const withResources = (resources: (x: typeof ids) => Resources) => (x: typeof ids) =>
      tokenBody(x.userId, { policies: [policy([GROUP.zoneRead], resources(x))] });

    const badBodies: {
      label: string;
      body: (x: typeof ids) => unknown;
      field: (x: typeof ids) => string;
      pointer?: (x: typeof ids) => string;
      mentions?: (x: typeof ids) => string;
    }[] = [
      {
        label: 'an unknown permission group id',
        body: (x) =>
          tokenBody(x.userId, {
            policies: [
              {
                effect: 'allow',
                permission_groups: [{ id: GROUP.apiTokensRead }, { id: 'ffffffffffffffffffffffffffffffff' }],
                resources: userResource(x.userId),
              },
            ],
          }),
        field: () => 'policies[0].permission_groups[1].id: ',
        pointer: () => '/policies/0/permission_groups/1/id',
      },
      {
        label: "another user's resource",
        body: withResources((x) => userResource(x.otherUserId)),
        field: () => 'policies[0].resources',
        pointer: (x) => `/policies/0/resources/com.cloudflare.api.user.${x.otherUserId}`,
        mentions: (x) => x.otherUserId,
      },
      {
        label: 'an account the owner is not a member of',
        body: withResources((x) => ({ [`com.cloudflare.api.account.${x.foreignAccountId}`]: '*' })),
        field: () => 'policies[0].resources',
        pointer: (x) => `/policies/0/resources/com.cloudflare.api.account.${x.foreignAccountId}`,
        mentions: (x) => x.foreignAccountId,
      },
      {
        label: 'an account that does not exist',
        body: withResources(() => ({ 'com.cloudflare.api.account.0123456789abcdef0123456789abcdef': '*' })),
        field: () => 'policies[0].resources',
        pointer: () => '/policies/0/resources/com.cloudflare.api.account.0123456789abcdef0123456789abcdef',
        mentions: () => '0123456789abcdef0123456789abcdef',
      },
      {
        label: 'zones nested under an account the owner is not a member of',
        body: withResources((x) => ({
          [`com.cloudflare.api.account.${x.foreignAccountId}`]: { 'com.cloudflare.api.account.zone.*': '*' },
        })),
        field: () => 'policies[0].resources',
        pointer: (x) => `/policies/0/resources/com.cloudflare.api.account.${x.foreignAccountId}`,
        mentions: (x) => x.foreignAccountId,
      },
      {
        label: 'a resource value other than "*"',
        body: withResources((x) => ({ [`com.cloudflare.api.user.${x.userId}`]: 'read' })),
        field: () => 'policies[0].resources',
        pointer: (x) => `/policies/0/resources/com.cloudflare.api.user.${x.userId}`,
      },
      {
        label: 'a nested zone value other than "*"',
        body: withResources((x) => ({
          [`com.cloudflare.api.account.${x.memberAccountId}`]: { 'com.cloudflare.api.account.zone.*': 'all' },
        })),
        field: () => 'policies[0].resources',
        pointer: (x) =>
          `/policies/0/resources/com.cloudflare.api.account.${x.memberAccountId}/com.cloudflare.api.account.zone.*`,
      },
      {
        label: 'a garbage resource key',
        body: withResources(() => ({ garbage: '*' })),
        field: () => 'policies[0].resources',
        pointer: () => '/policies/0/resources/garbage',
        mentions: () => 'garbage',
      },
      {
        label: 'a resource key with a malformed id',
        body: withResources(() => ({ 'com.cloudflare.api.account.not-an-id': '*' })),
        field: () => 'policies[0].resources',
        pointer: () => '/policies/0/resources/com.cloudflare.api.account.not-an-id',
      },
      {
        label: 'a non-account resource nesting zones',
        body: withResources(() => ({
          'com.cloudflare.api.account.zone.*': { 'com.cloudflare.api.account.zone.*': '*' },
        })),
        field: () => 'policies[0].resources',
        pointer: () => '/policies/0/resources/com.cloudflare.api.account.zone.*',
      },
      {
        label: 'empty resources',
        body: withResources(() => ({})),
        field: () => 'policies[0].resources: ',
        pointer: () => '/policies/0/resources',
      },
      {
        label: 'a bad CIDR in condition.request_ip.in',
        body: (x) => tokenBody(x.userId, { condition: { request_ip: { in: ['10.0.0.0/33'] } } }),
        field: () => 'condition.request_ip.in[0]: ',
        pointer: () => '/condition/request_ip/in/0',
      },
      {
        label: 'a bad CIDR in condition.request_ip.not_in',
        body: (x) =>
          tokenBody(x.userId, { condition: { request_ip: { not_in: ['10.0.0.0/8', 'not-a-cidr'] } } }),
        field: () => 'condition.request_ip.not_in[1]: ',
        pointer: () => '/condition/request_ip/not_in/1',
      },
      {
        label: 'a bare address without a prefix length in condition.request_ip.in',
        body: (x) => tokenBody(x.userId, { condition: { request_ip: { in: ['10.0.0.1'] } } }),
        field: () => 'condition.request_ip.in[0]: ',
      },
      {
        label: 'a bad IPv6 CIDR',
        body: (x) => tokenBody(x.userId, { condition: { request_ip: { in: ['2001:db8::/129'] } } }),
        field: () => 'condition.request_ip.in[0]: ',
      },
      {
        label: 'condition.request_ip.in that is not a list',
        body: (x) => tokenBody(x.userId, { condition: { request_ip: { in: '10.0.0.0/8' } } }),
        field: () => 'condition.request_ip.in: ',
      },
      {
        label: 'a bad expires_on date-time',
        body: (x) => tokenBody(x.userId, { expires_on: 'next tuesday' }),
        field: () => 'expires_on: ',
        pointer: () => '/expires_on',
      },
      {
        label: 'a bad not_before date-time',
        body: (x) => tokenBody(x.userId, { not_before: '2030-13-01T00:00:00Z' }),
        field: () => 'not_before: ',
        pointer: () => '/not_before',
      },
      {
        label: 'expires_on before not_before',
        body: (x) =>
          tokenBody(x.userId, { not_before: '2031-01-01T00:00:00Z', expires_on: '2030-06-01T00:00:00Z' }),
        field: () => 'expires_on: ',
      },
      {
        label: 'expires_on equal to not_before',
        body: (x) =>
          tokenBody(x.userId, { not_before: '2031-01-01T00:00:00Z', expires_on: '2031-01-01T00:00:00Z' }),
        field: () => 'expires_on: ',
      },
      {
        label: 'expires_on in the past',
        body: (x) => tokenBody(x.userId, { expires_on: '2029-12-31T00:00:00Z' }),
        field: () => 'expires_on: ',
      },
      {
        label: 'expires_on at the current instant',
        body: (x) => tokenBody(x.userId, { expires_on: '2030-01-01T00:00:00Z' }),
        field: () => 'expires_on: ',
      },
      {
        label: 'a missing name',
        body: (x) => ({ policies: [policy([GROUP.apiTokensRead], userResource(x.userId))] }),
        field: () => 'name: ',
        pointer: () => '/name',
      },
      { label: 'an empty name', body: (x) => tokenBody(x.userId, { name: '' }), field: () => 'name: ' },
      {
        label: 'a name of 121 characters',
        body: (x) => tokenBody(x.userId, { name: 'n'.repeat(121) }),
        field: () => 'name: ',
      },
      { label: 'a number as name', body: (x) => tokenBody(x.userId, { name: 5 }), field: () => 'name: ' },
      { label: 'missing policies', body: () => ({ name: 'no policies' }), field: () => 'policies: ' },
      {
        label: 'empty policies',
        body: (x) => tokenBody(x.userId, { policies: [] }),
        field: () => 'policies: ',
        pointer: () => '/policies',
      },
      {
        label: 'policies that are not a list',
        body: (x) => tokenBody(x.userId, { policies: 'all' }),
        field: () => 'policies: ',
      },
      {
        label: 'an effect other than allow or deny',
        body: (x) =>
          withPolicy({ ...policy([GROUP.apiTokensRead], userResource(x.userId)), effect: 'grant' })(x),
        field: () => 'policies[0].effect: ',
        pointer: () => '/policies/0/effect',
      },
      {
        label: 'a policy without permission groups',
        body: (x) =>
          withPolicy({ effect: 'allow', permission_groups: [], resources: userResource(x.userId) })(x),
        field: () => 'policies[0].permission_groups: ',
      },
      {
        label: 'a permission group id that is a number',
        body: (x) =>
          withPolicy({ effect: 'allow', permission_groups: [{ id: 42 }], resources: userResource(x.userId) })(
            x,
          ),
        field: () => 'policies[0].permission_groups[0].id: ',
      },
    ];

    it.each(badBodies)('rejects $label with 400 naming the field and creates nothing', async (bad) => {
      const before = await countTokens(h.t);
      const reply = await call(h.t, 'POST', '/user/tokens', { body: bad.body(ids) });
      expectFieldError(reply, bad.field(ids), {
        ...(bad.pointer ? { pointer: bad.pointer(ids) } : {}),
        ...(bad.mentions ? { mentions: bad.mentions(ids) } : {}),
      });
      expect(await countTokens(h.t)).toBe(before);
    });

    it('rejects malformed JSON with 400 and creates nothing', async () => {
      const before = await countTokens(h.t);
      const reply = await call(h.t, 'POST', '/user/tokens', {
        body: '{"name": "x",',
        headers: { 'content-type': 'application/json' },
      });
      expect(reply.status).toBe(400);
      expect(reply.body.success).toBe(false);
      expect(reply.body.errors[0]?.code).toBeGreaterThanOrEqual(1000);
      expect(await countTokens(h.t)).toBe(before);
    });

    it('reports every failing field of one body', async () => {
      const reply = await call(h.t, 'POST', '/user/tokens', {
        body: { name: '', policies: [] },
      });
      expectFieldError(reply, 'name: ');
      expectFieldError(reply, 'policies: ');
    });
  });

  describe('PUT /user/tokens/{token_id}', () => {
    const h = useTestApp();

    it('requires name and policies', async () => {
      const created = await createToken(h.t, tokenBody(h.t.userId, { name: 'unchanged' }));
      const url = `/user/tokens/${created.id}`;
      expectFieldError(await call(h.t, 'PUT', url, { body: { policies: created.policies } }), 'name: ', {
        pointer: '/name',
      });
      expectFieldError(await call(h.t, 'PUT', url, { body: { name: 'x' } }), 'policies: ', {
        pointer: '/policies',
      });
      expectFieldError(await call(h.t, 'PUT', url, { body: { name: 'x', policies: [] } }), 'policies: ');
      const get = await call<Token>(h.t, 'GET', url);
      expect(get.body.result.name).toBe('unchanged');
    });

    it('rejects an unknown permission group and leaves the token as it was', async () => {
      const created = await createToken(h.t, tokenBody(h.t.userId, { name: 'unchanged' }));
      const reply = await call(h.t, 'PUT', `/user/tokens/${created.id}`, {
        body: {
          name: 'changed',
          policies: [policy(['ffffffffffffffffffffffffffffffff'], userResource(h.t.userId))],
        },
      });
      expectFieldError(reply, 'policies[0].permission_groups[0].id: ');
      const get = await call<Token>(h.t, 'GET', `/user/tokens/${created.id}`);
      expect(get.body.result.name).toBe('unchanged');
      expect(get.body.result.policies).toEqual(created.policies);
    });

    it('rejects expires_on before not_before and a bad status', async () => {
      const created = await createToken(h.t, tokenBody(h.t.userId));
      const url = `/user/tokens/${created.id}`;
      expectFieldError(
        await call(h.t, 'PUT', url, {
          body: tokenBody(h.t.userId, {
            not_before: '2031-01-01T00:00:00Z',
            expires_on: '2030-06-01T00:00:00Z',
          }),
        }),
        'expires_on: ',
      );
      expectFieldError(
        await call(h.t, 'PUT', url, { body: tokenBody(h.t.userId, { status: 'paused' }) }),
        'status: ',
      );
    });

    it('answers 404 for a well-formed unknown id and 400 for a malformed one', async () => {
      const id = newId();
      expectNoRoute(
        await call(h.t, 'PUT', `/user/tokens/${id}`, { body: tokenBody(h.t.userId) }),
        404,
        `/user/tokens/${id}`,
      );
      expectNoRoute(
        await call(h.t, 'PUT', '/user/tokens/not-an-id', { body: tokenBody(h.t.userId) }),
        400,
        '/user/tokens/not-an-id',
      );
    });
  });

  describe('DELETE /user/tokens/{token_id}', () => {
    const h = useTestApp();

    it('answers 404 to a second delete of the same token', async () => {
      const created = await createToken(h.t, tokenBody(h.t.userId));
      expect((await call(h.t, 'DELETE', `/user/tokens/${created.id}`)).status).toBe(200);
      expectNoRoute(
        await call(h.t, 'DELETE', `/user/tokens/${created.id}`),
        404,
        `/user/tokens/${created.id}`,
      );
    });

    it('answers 400 for a malformed id', async () => {
      expectNoRoute(await call(h.t, 'DELETE', '/user/tokens/xyz'), 400, '/user/tokens/xyz');
    });
  });

  describe('PUT /user/tokens/{token_id}/value', () => {
    const h = useTestApp();

    it('answers 404 for a well-formed unknown id and 400 for a malformed one', async () => {
      const id = newId();
      expectNoRoute(await call(h.t, 'PUT', `/user/tokens/${id}/value`), 404, `/user/tokens/${id}/value`);
      expectNoRoute(await call(h.t, 'PUT', '/user/tokens/xyz/value'), 400, '/user/tokens/xyz/value');
    });
  });
});

describe('user tokens: security cases', () => {
  describe('IP conditions', () => {
    const h = useTestApp();
    const list = (token: string, ip: string) => call(h.t, 'GET', '/user/tokens', { token, ip });
    const withCondition = async (request_ip: { in?: string[]; not_in?: string[] }) =>
      (await createToken(h.t, tokenBody(h.t.userId, { condition: { request_ip } }))).value;

    it('accepts a token restricted to 10.0.0.0/8 from 10.1.2.3 and refuses it elsewhere', async () => {
      const value = await withCondition({ in: ['10.0.0.0/8'] });
      expect((await list(value, '10.1.2.3')).status).toBe(200);
      expectError(
        await list(value, '192.0.2.1'),
        403,
        9109,
        'Cannot use the access token from location: 192.0.2.1',
      );
      expectError(
        await list(value, '127.0.0.1'),
        403,
        9109,
        'Cannot use the access token from location: 127.0.0.1',
      );
      expectError(
        await list(value, '2001:db8::1'),
        403,
        9109,
        'Cannot use the access token from location: 2001:db8::1',
      );
    });

    it('matches a client on an IPv4-mapped IPv6 address against the IPv4 range', async () => {
      const value = await withCondition({ in: ['10.0.0.0/8'] });
      expect((await list(value, '::ffff:10.1.2.3')).status).toBe(200);
      expectError(
        await list(value, '::ffff:192.0.2.1'),
        403,
        9109,
        'Cannot use the access token from location: 192.0.2.1',
      );
    });

    it('refuses addresses carved out by not_in inside an allowed range', async () => {
      const value = await withCondition({ in: ['10.0.0.0/8'], not_in: ['10.9.0.0/16', '10.1.2.3/32'] });
      expect((await list(value, '10.8.1.1')).status).toBe(200);
      expectError(
        await list(value, '10.9.1.1'),
        403,
        9109,
        'Cannot use the access token from location: 10.9.1.1',
      );
      expectError(
        await list(value, '10.1.2.3'),
        403,
        9109,
        'Cannot use the access token from location: 10.1.2.3',
      );
      expectError(
        await list(value, '::ffff:10.9.1.1'),
        403,
        9109,
        'Cannot use the access token from location: 10.9.1.1',
      );
    });

    it('refuses only the not_in ranges when there is no in list', async () => {
      const value = await withCondition({ not_in: ['203.0.113.0/24'] });
      expect((await list(value, '198.51.100.1')).status).toBe(200);
      expect((await list(value, '2001:db8::1')).status).toBe(200);
      expectError(
        await list(value, '203.0.113.7'),
        403,
        9109,
        'Cannot use the access token from location: 203.0.113.7',
      );
    });

    it('accepts a token restricted to 2001:db8::/32 only from inside that range', async () => {
      const value = await withCondition({ in: ['2001:db8::/32'], not_in: ['2001:db8:dead::/48'] });
      expect((await list(value, '2001:db8:1::5')).status).toBe(200);
      expectError(
        await list(value, '2001:db9::1'),
        403,
        9109,
        'Cannot use the access token from location: 2001:db9::1',
      );
      expectError(
        await list(value, '2001:db8:dead::1'),
        403,
        9109,
        'Cannot use the access token from location: 2001:db8:dead::1',
      );
      expectError(
        await list(value, '10.1.2.3'),
        403,
        9109,
        'Cannot use the access token from location: 10.1.2.3',
      );
    });

    it('never creates an unrestricted token from a condition under the legacy request.ip key', async () => {
      const reply = await call<TokenWithValue>(h.t, 'POST', '/user/tokens', {
        body: tokenBody(h.t.userId, { condition: { 'request.ip': { in: ['10.0.0.0/8'] } } }),
      });
      // REFERENCE §4.5: honour the older spelling, or refuse it; silently dropping it widens the token.
      if (reply.status === 200) {
        expect((await list(reply.body.result.value, '10.1.2.3')).status).toBe(200);
        expect((await list(reply.body.result.value, '192.0.2.1')).status).toBe(403);
      } else {
        expectFieldError(reply, 'condition');
      }
    });

    it('accepts a mixed IPv4 and IPv6 allow list from either family', async () => {
      const value = await withCondition({ in: ['10.0.0.0/8', '2001:db8::/32'] });
      expect((await list(value, '10.200.0.1')).status).toBe(200);
      expect((await list(value, '2001:db8::42')).status).toBe(200);
      expect((await list(value, '192.0.2.1')).status).toBe(403);
    });
  });

  describe('disabled, deleted and rolled tokens', () => {
    const h = useTestApp();

    it('refuses a disabled token (9109, or 1000 on verify) and accepts the same value once re-enabled', async () => {
      const token = await createToken(h.t, tokenBody(h.t.userId));
      const disabled = await call<Token>(h.t, 'PUT', `/user/tokens/${token.id}`, {
        body: tokenBody(h.t.userId, { status: 'disabled' }),
      });
      expect(disabled.body.result.status).toBe('disabled');
      expectError(
        await call(h.t, 'GET', '/user/tokens', { token: token.value }),
        403,
        9109,
        'Invalid access token',
      );
      expectError(
        await call(h.t, 'GET', '/user/tokens/verify', { token: token.value }),
        401,
        1000,
        'Invalid API Token',
      );

      const enabled = await call<Token>(h.t, 'PUT', `/user/tokens/${token.id}`, {
        body: tokenBody(h.t.userId, { status: 'active' }),
      });
      expect(enabled.body.result.status).toBe('active');
      expect((await call(h.t, 'GET', '/user/tokens', { token: token.value })).status).toBe(200);
      const verify = await call<VerifiedToken>(h.t, 'GET', '/user/tokens/verify', { token: token.value });
      expect(verify.body.result).toEqual({ id: token.id, status: 'active' });
    });

    it('stops authenticating a deleted token at once', async () => {
      const token = await createToken(h.t, tokenBody(h.t.userId));
      expect((await call(h.t, 'GET', '/user/tokens', { token: token.value })).status).toBe(200);
      expect((await call(h.t, 'DELETE', `/user/tokens/${token.id}`)).status).toBe(200);
      expectError(
        await call(h.t, 'GET', '/user/tokens', { token: token.value }),
        403,
        9109,
        'Invalid access token',
      );
      expectError(
        await call(h.t, 'GET', '/user/tokens/verify', { token: token.value }),
        401,
        1000,
        'Invalid API Token',
      );
    });

    it("rejects a rolled token's old value with 9109 and accepts the new one", async () => {
      const token = await createToken(h.t, tokenBody(h.t.userId));
      expect((await call(h.t, 'GET', '/user/tokens', { token: token.value })).status).toBe(200);
      const roll = await call<string>(h.t, 'PUT', `/user/tokens/${token.id}/value`);
      expect(roll.status).toBe(200);
      expectError(
        await call(h.t, 'GET', '/user/tokens', { token: token.value }),
        403,
        9109,
        'Invalid access token',
      );
      expectError(
        await call(h.t, 'GET', '/user/tokens/verify', { token: token.value }),
        401,
        1000,
        'Invalid API Token',
      );
      expect((await call(h.t, 'GET', '/user/tokens', { token: roll.body.result })).status).toBe(200);
      const verify = await call<VerifiedToken>(h.t, 'GET', '/user/tokens/verify', {
        token: roll.body.result,
      });
      expect(verify.body.result).toEqual({ id: token.id, status: 'active' });
    });

    it('lets a token roll its own value, after which its old value is refused', async () => {
      const token = await createToken(h.t, {
        name: 'self roller',
        policies: [policy([GROUP.apiTokensWrite], userResource(h.t.userId))],
      });
      const roll = await call<string>(h.t, 'PUT', `/user/tokens/${token.id}/value`, { token: token.value });
      expect(roll.status).toBe(200);
      expect((await call(h.t, 'GET', '/user/tokens/verify', { token: token.value })).status).toBe(401);
      expect((await call(h.t, 'GET', '/user/tokens/verify', { token: roll.body.result })).status).toBe(200);
    });
  });

  describe('validity window', () => {
    const h = useTestApp();

    it('refuses a token before its not_before and accepts it from then on', async () => {
      const token = await createToken(h.t, tokenBody(h.t.userId, { not_before: h.clock.iso(HOUR) }));
      expectError(
        await call(h.t, 'GET', '/user/tokens', { token: token.value }),
        403,
        9109,
        'Invalid access token',
      );
      expectError(
        await call(h.t, 'GET', '/user/tokens/verify', { token: token.value }),
        401,
        1000,
        'Invalid API Token',
      );
      h.clock.advance(HOUR);
      expect((await call(h.t, 'GET', '/user/tokens', { token: token.value })).status).toBe(200);
    });

    it('refuses a token from the instant of its expires_on and shows it expired', async () => {
      const token = await createToken(h.t, tokenBody(h.t.userId, { expires_on: h.clock.iso(HOUR) }));
      h.clock.advance(HOUR - SECOND);
      expect((await call(h.t, 'GET', '/user/tokens/verify', { token: token.value })).status).toBe(200);
      h.clock.advance(SECOND);
      expectError(
        await call(h.t, 'GET', '/user/tokens', { token: token.value }),
        403,
        9109,
        'Invalid access token',
      );
      expectError(
        await call(h.t, 'GET', '/user/tokens/verify', { token: token.value }),
        401,
        1000,
        'Invalid API Token',
      );
      const get = await call<Token>(h.t, 'GET', `/user/tokens/${token.id}`);
      expect(get.body.result.status).toBe('expired');
    });
  });

  describe('token values in storage', () => {
    const h = useTestApp();

    it('stores no token value in any column of any table, nor in the audit log', async () => {
      const created = await createToken(
        h.t,
        tokenBody(h.t.userId, { name: 'secret keeper', condition: { request_ip: { in: ['127.0.0.0/8'] } } }),
      );
      const updated = await call(h.t, 'PUT', `/user/tokens/${created.id}`, {
        body: tokenBody(h.t.userId, { name: 'secret keeper 2' }),
      });
      expect(updated.status).toBe(200);
      const roll = await call<string>(h.t, 'PUT', `/user/tokens/${created.id}/value`);
      const rolledAgain = await call<string>(h.t, 'PUT', `/user/tokens/${created.id}/value`, { body: {} });
      const deleted = await createToken(h.t, tokenBody(h.t.userId, { name: 'deleted' }));
      expect((await call(h.t, 'DELETE', `/user/tokens/${deleted.id}`)).status).toBe(200);
      // Flush the coalesced last_used_on writes so every column the server will write is in the store.
      await h.t.ctx.lastUsed.flush();
      const secrets = [
        created.value,
        roll.body.result,
        rolledAgain.body.result,
        deleted.value,
        BOOTSTRAP.token,
        BOOTSTRAP.apiKey,
      ];
      for (const secret of secrets) expect(secret.length).toBeGreaterThanOrEqual(37);

      const tables = await storeTables(h.t.store, { withKyselyTables: true });
      expect(tables).toEqual(expect.arrayContaining(['tokens', 'audit_logs', 'users']));
      let cells = 0;
      for (const table of tables) {
        const rows = await h.t.store.db
          .selectFrom(table as 'tokens')
          .selectAll()
          .execute();
        for (const row of rows) {
          for (const [column, cell] of Object.entries(row)) {
            cells++;
            const text = typeof cell === 'string' ? cell : JSON.stringify(cell);
            for (const secret of secrets) {
              expect(text?.includes(secret), `${table}.${column} holds a secret`).toBe(false);
            }
          }
        }
      }
      expect(cells).toBeGreaterThan(0);

      const audit = await h.t.store.db.selectFrom('audit_logs').selectAll().execute();
      expect(audit.map((entry) => entry.action_type)).toEqual(
        expect.arrayContaining(['create', 'update', 'roll', 'delete']),
      );
      const logs = await call(h.t, 'GET', '/user/audit_logs?per_page=1000');
      expect(logs.status).toBe(200);
      for (const secret of secrets) expect(logs.payload).not.toContain(secret);
    });
  });

  describe("another user's tokens", () => {
    const h = useTestApp();
    let other: OtherUser;
    let mine: TokenWithValue;

    it("is not found by id, and the owner's token is not found by the other user", async () => {
      other = await insertOtherUser(h.t);
      mine = await createToken(h.t, tokenBody(h.t.userId, { name: 'mine' }));
      expect((await call(h.t, 'GET', '/user/tokens/verify', { token: other.tokenValue })).status).toBe(200);
      const theirs = `/user/tokens/${other.tokenId}`;
      expectNoRoute(await call(h.t, 'GET', theirs), 404, theirs);
      expectNoRoute(
        await call(h.t, 'GET', `/user/tokens/${mine.id}`, { token: other.tokenValue }),
        404,
        `/user/tokens/${mine.id}`,
      );
    });

    it('cannot be updated, rolled or deleted, and keeps working', async () => {
      const theirs = `/user/tokens/${other.tokenId}`;
      expectNoRoute(
        await call(h.t, 'PUT', theirs, { body: tokenBody(h.t.userId, { status: 'disabled' }) }),
        404,
        theirs,
      );
      expectNoRoute(await call(h.t, 'PUT', `${theirs}/value`), 404, `${theirs}/value`);
      expectNoRoute(await call(h.t, 'DELETE', theirs), 404, theirs);
      const verify = await call<VerifiedToken>(h.t, 'GET', '/user/tokens/verify', {
        token: other.tokenValue,
      });
      expect(verify.body.result).toEqual({ id: other.tokenId, status: 'active' });

      const mineUrl = `/user/tokens/${mine.id}`;
      expectNoRoute(await call(h.t, 'DELETE', mineUrl, { token: other.tokenValue }), 404, mineUrl);
      expectNoRoute(
        await call(h.t, 'PUT', `${mineUrl}/value`, { token: other.tokenValue }),
        404,
        `${mineUrl}/value`,
      );
      expect((await call(h.t, 'GET', '/user/tokens/verify', { token: mine.value })).status).toBe(200);
    });

    it("is left out of each user's list", async () => {
      const own = await call<Token[]>(h.t, 'GET', '/user/tokens?per_page=50');
      expect(own.body.result.map((token) => token.id)).not.toContain(other.tokenId);
      const theirs = await call<Token[]>(h.t, 'GET', '/user/tokens?per_page=50', { token: other.tokenValue });
      expect(theirs.status).toBe(200);
      expect(theirs.body.result.map((token) => token.id)).toEqual([other.tokenId]);
      expect(theirs.body.result_info).toMatchObject({ total_count: 1 });
    });

    it("cannot be given the owner's user as a resource by the other user", async () => {
      const before = await countTokens(h.t);
      const reply = await call(h.t, 'POST', '/user/tokens', {
        token: other.tokenValue,
        body: tokenBody(h.t.userId),
      });
      expectFieldError(reply, 'policies[0].resources', {
        pointer: `/policies/0/resources/com.cloudflare.api.user.${h.t.userId}`,
      });
      expect(await countTokens(h.t)).toBe(before);
    });
  });

  describe('creating tokens with a token', () => {
    const h = useTestApp();
    const ids = { memberAccountId: '', foreignAccountId: '', otherUserId: '' };
    let writer: TokenWithValue;
    let reader: TokenWithValue;

    it("lets a token with API Tokens Write create tokens within its owner's reach", async () => {
      ids.memberAccountId = await insertAccount(h.t, h.t.userId);
      ids.otherUserId = (await insertOtherUser(h.t)).userId;
      ids.foreignAccountId = await insertAccount(h.t, ids.otherUserId);
      writer = await createToken(h.t, {
        name: 'writer',
        policies: [policy([GROUP.apiTokensWrite], userResource(h.t.userId))],
      });
      reader = await createToken(h.t, {
        name: 'reader',
        policies: [policy([GROUP.apiTokensRead], userResource(h.t.userId))],
      });
      for (const resources of [
        userResource(h.t.userId),
        { 'com.cloudflare.api.account.*': '*' },
        { [`com.cloudflare.api.account.${ids.memberAccountId}`]: '*' },
        { 'com.cloudflare.api.account.zone.*': '*' },
      ]) {
        const child = await createToken(
          h.t,
          { name: 'child', policies: [policy([GROUP.zoneRead], resources)] },
          { token: writer.value },
        );
        const get = await call<Token>(h.t, 'GET', `/user/tokens/${child.id}`);
        expect(get.status).toBe(200);
        expect(get.body.result.policies[0]?.resources).toEqual(resources);
      }
    });

    it("refuses a token with API Tokens Write resources beyond its owner's reach", async () => {
      const before = await countTokens(h.t);
      for (const [key, mentions] of [
        [`com.cloudflare.api.user.${ids.otherUserId}`, ids.otherUserId],
        [`com.cloudflare.api.account.${ids.foreignAccountId}`, ids.foreignAccountId],
      ] as const) {
        const reply = await call(h.t, 'POST', '/user/tokens', {
          token: writer.value,
          body: { name: 'too far', policies: [policy([GROUP.zoneRead], { [key]: '*' })] },
        });
        expectFieldError(reply, 'policies[0].resources', {
          pointer: `/policies/0/resources/${key}`,
          mentions,
        });
      }
      expect(await countTokens(h.t)).toBe(before);
    });

    it('refuses create, update, delete and roll to a token with only API Tokens Read (10000)', async () => {
      const before = await countTokens(h.t);
      const target = `/user/tokens/${writer.id}`;
      const attempts: [Parameters<typeof call>[1], string, unknown][] = [
        ['POST', '/user/tokens', tokenBody(h.t.userId)],
        ['PUT', target, tokenBody(h.t.userId, { status: 'disabled' })],
        ['DELETE', target, undefined],
        ['PUT', `${target}/value`, undefined],
      ];
      for (const [method, url, body] of attempts) {
        const reply = await call(h.t, method, url, {
          token: reader.value,
          ...(body === undefined ? {} : { body }),
        });
        expectError(reply, 403, 10000, 'Authentication error');
      }
      expect(await countTokens(h.t)).toBe(before);
      expect((await call(h.t, 'GET', '/user/tokens', { token: reader.value })).status).toBe(200);
      expect((await call(h.t, 'GET', target, { token: reader.value })).status).toBe(200);
      expect((await call(h.t, 'GET', '/user/tokens/verify', { token: writer.value })).status).toBe(200);
    });

    it('refuses reads to a token without API Tokens Read or Write (10000)', async () => {
      const details = await createToken(h.t, {
        name: 'user details only',
        policies: [policy([GROUP.userDetailsRead], userResource(h.t.userId))],
      });
      for (const url of ['/user/tokens', `/user/tokens/${writer.id}`, '/user/tokens/permission_groups']) {
        expectError(
          await call(h.t, 'GET', url, { token: details.value }),
          403,
          10000,
          'Authentication error',
        );
      }
    });

    it('refuses a token whose API Tokens group names only another resource (10000)', async () => {
      const elsewhere = await createToken(h.t, {
        name: 'tokens on an account',
        policies: [policy([GROUP.apiTokensRead], { 'com.cloudflare.api.account.*': '*' })],
      });
      expectError(
        await call(h.t, 'GET', '/user/tokens', { token: elsewhere.value }),
        403,
        10000,
        'Authentication error',
      );
    });

    it('lets a matching deny policy win over an allow', async () => {
      const denied = await createToken(h.t, {
        name: 'allow then deny',
        policies: [
          policy([GROUP.apiTokensRead], userResource(h.t.userId)),
          policy([GROUP.apiTokensRead], userResource(h.t.userId), 'deny'),
        ],
      });
      expectError(
        await call(h.t, 'GET', '/user/tokens', { token: denied.value }),
        403,
        10000,
        'Authentication error',
      );
    });
  });

  describe('credentials', () => {
    const h = useTestApp();

    it('refuses token routes without credentials with 400 9106', async () => {
      for (const [method, url] of [
        ['GET', '/user/tokens'],
        ['POST', '/user/tokens'],
        ['GET', `/user/tokens/${newId()}`],
      ] as const) {
        expectError(
          await call(h.t, method, url, { token: null }),
          400,
          9106,
          'Missing X-Auth-Key, X-Auth-Email or Authorization headers',
        );
      }
    });

    it('refuses an unknown token and a cfut_ value with a bad checksum with 403 9109', async () => {
      const created = await createToken(h.t, tokenBody(h.t.userId));
      const last = created.value.at(-1) === 'A' ? 'B' : 'A';
      const tampered = `${created.value.slice(0, -1)}${last}`;
      for (const value of ['0123456789abcdef0123456789abcdef01234567', tampered]) {
        expectError(
          await call(h.t, 'GET', '/user/tokens', { token: value }),
          403,
          9109,
          'Invalid access token',
        );
        expectError(
          await call(h.t, 'GET', '/user/tokens/verify', { token: value }),
          401,
          1000,
          'Invalid API Token',
        );
      }
    });

    it('answers verify with a global API key with 400 1001', async () => {
      const reply = await call(h.t, 'GET', '/user/tokens/verify', {
        token: null,
        headers: { 'x-auth-email': BOOTSTRAP.email, 'x-auth-key': BOOTSTRAP.apiKey },
      });
      expectError(reply, 400, 1001, 'Missing "Authorization" header');
    });

    it('checks credentials before validating the body', async () => {
      const before = await countTokens(h.t);
      const reply = await call(h.t, 'POST', '/user/tokens', { token: null, body: { name: 5 } });
      expectError(reply, 400, 9106, 'Missing X-Auth-Key, X-Auth-Email or Authorization headers');
      expect(await countTokens(h.t)).toBe(before);
    });
  });
});
