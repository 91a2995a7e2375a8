import Cloudflare from 'cloudflare';
import type { InjectOptions } from 'fastify';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ALL_ACCOUNTS,
  type AuditLogEntry,
  type AuditLogPage,
  allAuditLogs,
  countAuditRows,
  createToken,
  csvRecords,
  FakeClock,
  GROUP,
  getAuditLogs,
  insertAuditRow,
  readAuditLogsPolicy,
} from './helpers/audit-fixtures.js';
import {
  BOOTSTRAP,
  bearer,
  createTestApp,
  globalKey,
  startTestServer,
  type TestApp,
  type TestServer,
} from './helpers/test-server.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const UNKNOWN_TOKEN_ID = 'ffffffffffffffffffffffffffffffff';

/** The id of the token a value authenticates, from `/user/tokens/verify`. */
async function tokenIdOf(app: TestApp, value: string): Promise<string> {
  const response = await app.app.inject({
    method: 'GET',
    url: '/user/tokens/verify',
    headers: bearer(value),
  });
  return response.json<{ result: { id: string } }>().result.id;
}

describe('GET /user/audit_logs: what each mutation records', () => {
  let clock: FakeClock;
  let app: TestApp;
  let bootstrapTokenId: string;

  beforeEach(async () => {
    clock = new FakeClock('2024-03-01T10:00:00Z');
    app = await createTestApp({ clock });
    bootstrapTokenId = await tokenIdOf(app, BOOTSTRAP.token);
  });
  afterEach(async () => {
    await app.close();
  });

  /** Runs one successful mutation a minute later and returns the single entry it added. */
  async function mutateOnce(request: InjectOptions) {
    const before = await allAuditLogs(app);
    clock.advance(60_000);
    const response = await app.app.inject(request);
    expect(response.statusCode, response.body).toBe(200);
    const after = await allAuditLogs(app);
    expect(after).toHaveLength(before.length + 1);
    expect(after.slice(1)).toEqual(before);
    const entry = after[0] as AuditLogEntry;
    return { response, entry };
  }

  function expectActorAndOwner(entry: AuditLogEntry, ip: string, tokenId = bootstrapTokenId): void {
    expect(entry.id).toMatch(UUID);
    expect(entry.action.result).toBe(true);
    expect(entry.actor).toEqual({ id: app.userId, email: BOOTSTRAP.email, ip, type: 'user' });
    expect(entry.interface).toBe('API');
    expect(entry.owner).toEqual({ id: app.userId });
    expect(entry.metadata.token_id).toBe(tokenId);
    expect(entry.when).toMatch(RFC3339_UTC);
    expect(entry.when).toBe(clock.now().toISOString().replace('.000Z', 'Z'));
  }

  it('records PATCH /user as one update of the user, with the profile before and after as strings', async () => {
    await app.app.inject({
      method: 'PATCH',
      url: '/user',
      headers: bearer(BOOTSTRAP.token),
      payload: { last_name: 'Lovelace' },
    });
    const { entry } = await mutateOnce({
      method: 'PATCH',
      url: '/client/v4/user',
      headers: bearer(BOOTSTRAP.token),
      remoteAddress: '203.0.113.9',
      payload: { first_name: 'Ada', country: 'GB' },
    });
    expectActorAndOwner(entry, '203.0.113.9');
    expect(entry.when).toBe('2024-03-01T10:01:00Z');
    expect(entry.action.type).toBe('update');
    expect(entry.resource).toEqual({ id: app.userId, type: 'user' });
    expect(typeof entry.oldValue).toBe('string');
    expect(typeof entry.newValue).toBe('string');
    expect(JSON.parse(entry.oldValue ?? '')).toMatchObject({
      first_name: null,
      last_name: 'Lovelace',
      country: null,
    });
    expect(JSON.parse(entry.newValue ?? '')).toMatchObject({
      first_name: 'Ada',
      last_name: 'Lovelace',
      country: 'GB',
    });
  });

  it('records POST /user/tokens as one create of the new token, with the token as newValue and no oldValue', async () => {
    const { response, entry } = await mutateOnce({
      method: 'POST',
      url: '/client/v4/user/tokens',
      headers: bearer(BOOTSTRAP.token),
      remoteAddress: '198.51.100.20',
      payload: { name: 'audit reader', policies: readAuditLogsPolicy() },
    });
    const created = response.json<{ result: { id: string; value: string } }>().result;
    expectActorAndOwner(entry, '198.51.100.20');
    expect(entry.action.type).toBe('create');
    expect(entry.resource).toEqual({ id: created.id, type: 'token' });
    expect(entry.oldValue).toBeUndefined();
    expect(typeof entry.newValue).toBe('string');
    const newValue = JSON.parse(entry.newValue ?? '');
    expect(newValue).toMatchObject({ id: created.id, name: 'audit reader', status: 'active' });
    expect(newValue).not.toHaveProperty('value');
  });

  it('records PUT /user/tokens/{id} as one update of the token, with the token before and after', async () => {
    const token = await createToken(app, 'before rename', [
      { effect: 'allow', groups: [GROUP.accountSettingsRead], resource: ALL_ACCOUNTS },
    ]);
    const { entry } = await mutateOnce({
      method: 'PUT',
      url: `/client/v4/user/tokens/${token.id}`,
      headers: bearer(BOOTSTRAP.token),
      remoteAddress: '198.51.100.21',
      payload: { name: 'after rename', policies: readAuditLogsPolicy(), status: 'disabled' },
    });
    expectActorAndOwner(entry, '198.51.100.21');
    expect(entry.action.type).toBe('update');
    expect(entry.resource).toEqual({ id: token.id, type: 'token' });
    expect(JSON.parse(entry.oldValue ?? '')).toMatchObject({ name: 'before rename', status: 'active' });
    expect(JSON.parse(entry.newValue ?? '')).toMatchObject({ name: 'after rename', status: 'disabled' });
  });

  it('records DELETE /user/tokens/{id} as one delete of the token, with the deleted token as oldValue', async () => {
    const token = await createToken(app, 'short lived', [
      { effect: 'allow', groups: [GROUP.accountSettingsRead], resource: ALL_ACCOUNTS },
    ]);
    const { entry } = await mutateOnce({
      method: 'DELETE',
      url: `/client/v4/user/tokens/${token.id}`,
      headers: bearer(BOOTSTRAP.token),
      remoteAddress: '198.51.100.22',
    });
    expectActorAndOwner(entry, '198.51.100.22');
    expect(entry.action.type).toBe('delete');
    expect(entry.resource).toEqual({ id: token.id, type: 'token' });
    expect(JSON.parse(entry.oldValue ?? '')).toMatchObject({ id: token.id, name: 'short lived' });
    expect(entry.newValue).toBeUndefined();
  });

  it('records PUT /user/tokens/{id}/value as one roll of the token that holds neither the old nor the new value', async () => {
    const token = await createToken(app, 'rolled', [
      { effect: 'allow', groups: [GROUP.accountSettingsRead], resource: ALL_ACCOUNTS },
    ]);
    const { response, entry } = await mutateOnce({
      method: 'PUT',
      url: `/client/v4/user/tokens/${token.id}/value`,
      headers: bearer(BOOTSTRAP.token),
      remoteAddress: '198.51.100.23',
    });
    const rolled = response.json<{ result: string }>().result;
    expectActorAndOwner(entry, '198.51.100.23');
    expect(entry.action.type).toBe('roll');
    expect(entry.resource).toEqual({ id: token.id, type: 'token' });
    expect(entry.oldValue).toBeUndefined();
    expect(entry.newValue).toBeUndefined();
    const text = JSON.stringify(entry);
    expect(text).not.toContain(rolled);
    expect(text).not.toContain(token.value);
  });

  it('records the token that made the change, not the bootstrap token, in metadata.token_id', async () => {
    const editor = await createToken(app, 'profile editor', [
      {
        effect: 'allow',
        groups: [GROUP.userDetailsWrite],
        resource: `com.cloudflare.api.user.${app.userId}`,
      },
    ]);
    const { entry } = await mutateOnce({
      method: 'PATCH',
      url: '/user',
      headers: bearer(editor.value),
      remoteAddress: '192.0.2.44',
      payload: { zipcode: '10001' },
    });
    expectActorAndOwner(entry, '192.0.2.44', editor.id);
  });

  it('records a change made with the global API key with the user as actor and no token_id', async () => {
    const { entry } = await mutateOnce({
      method: 'PATCH',
      url: '/user',
      headers: globalKey(),
      remoteAddress: '192.0.2.45',
      payload: { telephone: '+1 555 0100' },
    });
    expect(entry.actor).toEqual({ id: app.userId, email: BOOTSTRAP.email, ip: '192.0.2.45', type: 'user' });
    expect(entry.metadata).not.toHaveProperty('token_id');
  });

  it('records an IPv4-mapped client address as IPv4 and an IPv6 one in canonical form', async () => {
    const mapped = await mutateOnce({
      method: 'PATCH',
      url: '/user',
      headers: bearer(BOOTSTRAP.token),
      remoteAddress: '::ffff:192.0.2.1',
      payload: { first_name: 'Mapped' },
    });
    expect(mapped.entry.actor.ip).toBe('192.0.2.1');
    const v6 = await mutateOnce({
      method: 'PATCH',
      url: '/user',
      headers: bearer(BOOTSTRAP.token),
      remoteAddress: '2001:DB8:0:0:0:0:0:1',
      payload: { first_name: 'Six' },
    });
    expect(v6.entry.actor.ip).toBe('2001:db8::1');
  });

  it('never writes a token value, the global API key or a stored token hash into any entry', async () => {
    const first = await createToken(app, 'first', [
      { effect: 'allow', groups: [GROUP.accountSettingsRead], resource: ALL_ACCOUNTS },
    ]);
    const second = await createToken(app, 'second', [
      { effect: 'allow', groups: [GROUP.accountSettingsRead], resource: ALL_ACCOUNTS },
    ]);
    await app.app.inject({
      method: 'PUT',
      url: `/user/tokens/${first.id}`,
      headers: bearer(BOOTSTRAP.token),
      payload: { name: 'first renamed', policies: readAuditLogsPolicy() },
    });
    const roll = await app.app.inject({
      method: 'PUT',
      url: `/user/tokens/${first.id}/value`,
      headers: bearer(BOOTSTRAP.token),
    });
    const rolledValue = roll.json<{ result: string }>().result;
    await app.app.inject({
      method: 'PATCH',
      url: '/user',
      headers: globalKey(),
      payload: { first_name: 'K' },
    });
    const hashes = await app.store.db.selectFrom('tokens').select('value_hash').execute();
    await app.app.inject({
      method: 'DELETE',
      url: `/user/tokens/${second.id}`,
      headers: bearer(BOOTSTRAP.token),
    });
    const user = await app.store.db
      .selectFrom('users')
      .select('api_key_hash')
      .where('id', '=', app.userId)
      .executeTakeFirstOrThrow();

    const secrets = [
      BOOTSTRAP.token,
      BOOTSTRAP.apiKey,
      first.value,
      second.value,
      rolledValue,
      ...hashes.map((h) => h.value_hash),
      ...(user.api_key_hash ? [user.api_key_hash] : []),
    ];
    const entries = await allAuditLogs(app);
    expect(entries.map((e) => e.action.type).sort()).toEqual(
      ['create', 'create', 'delete', 'roll', 'update', 'update'].sort(),
    );
    const json = JSON.stringify(entries);
    const csv = (await getAuditLogs(app, { export: 'true' })).body;
    for (const secret of secrets) {
      expect(json).not.toContain(secret);
      expect(csv).not.toContain(secret);
    }
  });

  describe('a rejected request writes no entry', () => {
    let readOnly: { id: string; value: string };
    let existing: { id: string; value: string };

    beforeEach(async () => {
      readOnly = await createToken(app, 'read only', [
        {
          effect: 'allow',
          groups: [GROUP.userDetailsRead],
          resource: `com.cloudflare.api.user.${app.userId}`,
        },
      ]);
      existing = await createToken(app, 'existing', [
        { effect: 'allow', groups: [GROUP.accountSettingsRead], resource: ALL_ACCOUNTS },
      ]);
    });

    const cases: { name: string; status: number; request: () => InjectOptions }[] = [
      {
        name: 'PATCH /user with a number for first_name (400)',
        status: 400,
        request: () => ({
          method: 'PATCH',
          url: '/user',
          headers: bearer(BOOTSTRAP.token),
          payload: { first_name: 5 },
        }),
      },
      {
        name: 'PATCH /user with a token that lacks User Details Write (403)',
        status: 403,
        request: () => ({
          method: 'PATCH',
          url: '/user',
          headers: bearer(readOnly.value),
          payload: { first_name: 'Nope' },
        }),
      },
      {
        name: 'PATCH /user with an unknown token (403)',
        status: 403,
        request: () => ({
          method: 'PATCH',
          url: '/user',
          headers: bearer('A'.repeat(40)),
          payload: { first_name: 'Nope' },
        }),
      },
      {
        name: 'POST /user/tokens naming an unknown permission group (400)',
        status: 400,
        request: () => ({
          method: 'POST',
          url: '/user/tokens',
          headers: bearer(BOOTSTRAP.token),
          payload: {
            name: 'bad group',
            policies: [
              {
                effect: 'allow',
                permission_groups: [{ id: 'f'.repeat(32) }],
                resources: { [ALL_ACCOUNTS]: '*' },
              },
            ],
          },
        }),
      },
      {
        name: 'POST /user/tokens with an expires_on in the past (400)',
        status: 400,
        request: () => ({
          method: 'POST',
          url: '/user/tokens',
          headers: bearer(BOOTSTRAP.token),
          payload: { name: 'expired', policies: readAuditLogsPolicy(), expires_on: '2020-01-01T00:00:00Z' },
        }),
      },
      {
        name: 'POST /user/tokens with a token that lacks API Tokens Write (403)',
        status: 403,
        request: () => ({
          method: 'POST',
          url: '/user/tokens',
          headers: bearer(readOnly.value),
          payload: { name: 'nope', policies: readAuditLogsPolicy() },
        }),
      },
      {
        name: 'PUT /user/tokens/{id} of an existing token with an empty name (400)',
        status: 400,
        request: () => ({
          method: 'PUT',
          url: `/user/tokens/${existing.id}`,
          headers: bearer(BOOTSTRAP.token),
          payload: { name: '', policies: readAuditLogsPolicy() },
        }),
      },
      {
        name: 'PUT /user/tokens/{id} of an existing token with a policy beyond its owner (400)',
        status: 400,
        request: () => ({
          method: 'PUT',
          url: `/user/tokens/${existing.id}`,
          headers: bearer(BOOTSTRAP.token),
          payload: {
            name: 'reach',
            policies: [
              {
                effect: 'allow',
                permission_groups: [{ id: GROUP.userDetailsRead }],
                resources: { [`com.cloudflare.api.user.${'e'.repeat(32)}`]: '*' },
              },
            ],
          },
        }),
      },
      {
        name: 'PUT /user/tokens/{id} of an unknown token (404)',
        status: 404,
        request: () => ({
          method: 'PUT',
          url: `/user/tokens/${UNKNOWN_TOKEN_ID}`,
          headers: bearer(BOOTSTRAP.token),
          payload: { name: 'ghost', policies: readAuditLogsPolicy() },
        }),
      },
      {
        name: 'DELETE /user/tokens/{id} of an unknown token (404)',
        status: 404,
        request: () => ({
          method: 'DELETE',
          url: `/user/tokens/${UNKNOWN_TOKEN_ID}`,
          headers: bearer(BOOTSTRAP.token),
        }),
      },
      {
        name: 'DELETE /user/tokens/{id} with a malformed id (400)',
        status: 400,
        request: () => ({
          method: 'DELETE',
          url: '/user/tokens/not-an-id',
          headers: bearer(BOOTSTRAP.token),
        }),
      },
      {
        name: 'DELETE /user/tokens/{id} with a token that lacks API Tokens Write (403)',
        status: 403,
        request: () => ({
          method: 'DELETE',
          url: `/user/tokens/${existing.id}`,
          headers: bearer(readOnly.value),
        }),
      },
      {
        name: 'PUT /user/tokens/{id}/value of an unknown token (404)',
        status: 404,
        request: () => ({
          method: 'PUT',
          url: `/user/tokens/${UNKNOWN_TOKEN_ID}/value`,
          headers: bearer(BOOTSTRAP.token),
        }),
      },
    ];

    it.each(cases)('$name', async ({ status, request }) => {
      const before = await countAuditRows(app);
      clock.advance();
      const response = await app.app.inject(request());
      expect(response.statusCode, response.body).toBe(status);
      expect(await countAuditRows(app)).toBe(before);
    });
  });
});

/**
 * One history for every filter test, oldest first. Rows marked `direct` are written into the store:
 * zone entries and another actor, which no route of this server produces.
 */
const HISTORY = [
  { label: 'patchAda', when: '2019-04-29T23:59:59Z', ip: '10.1.2.3' },
  { label: 'createA', when: '2019-04-30T00:00:00Z', ip: '10.200.0.1' },
  { label: 'zoneSetting', when: '2019-04-30T06:00:00Z', ip: '198.51.100.5', direct: true },
  { label: 'createB', when: '2019-04-30T12:00:00Z', ip: '2001:db8::7' },
  { label: 'updateA', when: '2019-04-30T18:30:00Z', ip: '192.0.2.10' },
  { label: 'rollA', when: '2019-05-01T00:00:00Z', ip: '2001:db8:ffff::1' },
  { label: 'deleteB', when: '2019-05-01T09:00:00Z', ip: '2001:db9::1' },
  { label: 'zoneOther', when: '2019-05-01T12:00:00Z', ip: '198.51.100.77', direct: true },
  { label: 'patchLast', when: '2019-05-02T00:00:00Z', ip: '::ffff:10.1.2.3' },
] as const;
type Label = (typeof HISTORY)[number]['label'];
const OLDEST_FIRST: Label[] = HISTORY.map((h) => h.label);
const NEWEST_FIRST: Label[] = [...OLDEST_FIRST].reverse();
const except = (...labels: Label[]) => NEWEST_FIRST.filter((l) => !labels.includes(l));

describe('GET /user/audit_logs: filters', () => {
  let app: TestApp;
  const ids = {} as Record<Label, string>;
  let otherOwnersEntry: string;

  beforeAll(async () => {
    const clock = new FakeClock('2019-04-29T00:00:00Z');
    app = await createTestApp({ clock });
    let tokenA = '';
    let tokenB = '';
    const requests: Record<Exclude<Label, 'zoneSetting' | 'zoneOther'>, () => InjectOptions> = {
      patchAda: () => ({ method: 'PATCH', url: '/user', payload: { first_name: 'Ada' } }),
      createA: () => ({
        method: 'POST',
        url: '/user/tokens',
        payload: { name: 'A', policies: readAuditLogsPolicy() },
      }),
      createB: () => ({
        method: 'POST',
        url: '/user/tokens',
        payload: { name: 'B', policies: readAuditLogsPolicy() },
      }),
      updateA: () => ({
        method: 'PUT',
        url: `/user/tokens/${tokenA}`,
        payload: { name: 'A2', policies: readAuditLogsPolicy() },
      }),
      rollA: () => ({ method: 'PUT', url: `/user/tokens/${tokenA}/value` }),
      deleteB: () => ({ method: 'DELETE', url: `/user/tokens/${tokenB}` }),
      patchLast: () => ({ method: 'PATCH', url: '/user', payload: { last_name: 'Lovelace' } }),
    };
    for (const step of HISTORY) {
      clock.set(step.when);
      if (step.label === 'zoneSetting') {
        ids.zoneSetting = await insertAuditRow(app, {
          ownerId: app.userId,
          when: step.when,
          actorEmail: 'ops@example.net',
          actorId: 'a'.repeat(32),
          actorType: 'admin',
          actorIp: step.ip,
          zoneName: 'example.com',
          metadata: { zone_name: 'example.com', name: 'security_level' },
        });
        continue;
      }
      if (step.label === 'zoneOther') {
        ids.zoneOther = await insertAuditRow(app, {
          ownerId: app.userId,
          when: step.when,
          actorIp: step.ip,
          zoneName: 'other.example',
          metadata: { zone_name: 'other.example' },
        });
        continue;
      }
      const response = await app.app.inject({
        ...requests[step.label](),
        headers: bearer(BOOTSTRAP.token),
        remoteAddress: step.ip,
      });
      if (response.statusCode !== 200) throw new Error(`${step.label}: ${response.body}`);
      if (step.label === 'createA') tokenA = response.json<{ result: { id: string } }>().result.id;
      if (step.label === 'createB') tokenB = response.json<{ result: { id: string } }>().result.id;
    }
    otherOwnersEntry = await insertAuditRow(app, {
      ownerId: 'b'.repeat(32),
      when: '2019-04-30T10:00:00Z',
      actorEmail: 'someone@example.org',
      zoneName: 'example.com',
    });
    for (const entry of await allAuditLogs(app)) {
      const step = HISTORY.find((h) => new Date(h.when).getTime() === new Date(entry.when).getTime());
      if (step) ids[step.label] = entry.id;
    }
  });
  afterAll(async () => {
    await app.close();
  });

  async function labelsFor(query: Record<string, string>): Promise<Label[]> {
    const response = await getAuditLogs(app, query);
    expect(response.statusCode, response.body).toBe(200);
    const page = response.json<AuditLogPage>();
    expect(page.result_info.count).toBe(page.result.length);
    expect(page.result_info.total_count).toBe(page.result.length);
    return page.result.map((entry) => {
      const label = (Object.keys(ids) as Label[]).find((l) => ids[l] === entry.id);
      return label ?? (`unexpected ${entry.id}` as Label);
    });
  }

  it('lists every entry of the caller, newest first, and none of another owner', async () => {
    expect(await labelsFor({})).toEqual(NEWEST_FIRST);
  });

  it('records the actions and resource types the history was built from', async () => {
    const entries = await allAuditLogs(app);
    const byLabel = (label: Label) => entries.find((e) => e.id === ids[label]);
    expect(byLabel('patchAda')?.action.type).toBe('update');
    expect(byLabel('patchAda')?.resource.type).toBe('user');
    expect(byLabel('createA')?.action.type).toBe('create');
    expect(byLabel('updateA')?.action.type).toBe('update');
    expect(byLabel('rollA')?.action.type).toBe('roll');
    expect(byLabel('deleteB')?.action.type).toBe('delete');
    expect(byLabel('deleteB')?.resource.type).toBe('token');
    expect(byLabel('patchLast')?.actor.ip).toBe('10.1.2.3');
  });

  const alone: { name: string; query: Record<string, string>; expected: Label[] }[] = [
    { name: 'id finds exactly that entry', query: { id: 'createB' }, expected: ['createB'] },
    {
      name: 'action.type=update keeps the updates of the user and of tokens',
      query: { 'action.type': 'update' },
      expected: ['patchLast', 'updateA', 'patchAda'],
    },
    {
      name: 'action.type=create keeps the token creations',
      query: { 'action.type': 'create' },
      expected: ['createB', 'createA'],
    },
    { name: 'action.type with no match yields nothing', query: { 'action.type': 'login' }, expected: [] },
    {
      name: 'actor.email keeps the entries of that actor',
      query: { 'actor.email': 'ops@example.net' },
      expected: ['zoneSetting'],
    },
    {
      name: 'actor.email of the user leaves out the other actor',
      query: { 'actor.email': BOOTSTRAP.email },
      expected: except('zoneSetting'),
    },
    {
      name: 'actor.ip as an exact IPv4 address matches IPv4 and IPv4-mapped clients',
      query: { 'actor.ip': '10.1.2.3' },
      expected: ['patchLast', 'patchAda'],
    },
    {
      name: 'actor.ip as an IPv6 address matches whatever its spelling',
      query: { 'actor.ip': '2001:DB8:0:0:0:0:0:7' },
      expected: ['createB'],
    },
    {
      name: 'actor.ip as an IPv4 CIDR matches the addresses inside it',
      query: { 'actor.ip': '10.0.0.0/8' },
      expected: ['patchLast', 'createA', 'patchAda'],
    },
    {
      name: 'actor.ip as another IPv4 CIDR matches only its own range',
      query: { 'actor.ip': '198.51.100.0/24' },
      expected: ['zoneOther', 'zoneSetting'],
    },
    {
      name: 'actor.ip as a CIDR with host bits set means its whole network',
      query: { 'actor.ip': '10.9.9.9/8' },
      expected: ['patchLast', 'createA', 'patchAda'],
    },
    {
      name: 'actor.ip as an IPv6 CIDR matches the addresses inside it',
      query: { 'actor.ip': '2001:db8::/32' },
      expected: ['rollA', 'createB'],
    },
    {
      name: 'since as a full-date keeps entries after midnight UTC of that day, exclusive',
      query: { since: '2019-04-30' },
      expected: except('createA', 'patchAda'),
    },
    {
      name: 'before as a full-date keeps entries before midnight UTC of that day, exclusive',
      query: { before: '2019-04-30' },
      expected: ['patchAda'],
    },
    {
      name: 'since as a date-time is exclusive',
      query: { since: '2019-04-30T12:00:00Z' },
      expected: ['patchLast', 'zoneOther', 'deleteB', 'rollA', 'updateA'],
    },
    {
      name: 'since as a date-time with an offset compares in UTC',
      query: { since: '2019-04-30T14:00:00+02:00' },
      expected: ['patchLast', 'zoneOther', 'deleteB', 'rollA', 'updateA'],
    },
    {
      name: 'before as a date-time is exclusive',
      query: { before: '2019-05-01T00:00:00Z' },
      expected: ['updateA', 'createB', 'zoneSetting', 'createA', 'patchAda'],
    },
    {
      name: 'zone.name keeps the entries of that zone',
      query: { 'zone.name': 'example.com' },
      expected: ['zoneSetting'],
    },
    {
      name: 'hide_user_logs=true hides the entries about the user itself',
      query: { hide_user_logs: 'true' },
      expected: except('patchAda', 'patchLast'),
    },
    {
      name: 'hide_user_logs=false hides nothing',
      query: { hide_user_logs: 'false' },
      expected: NEWEST_FIRST,
    },
    { name: 'direction=asc lists oldest first', query: { direction: 'asc' }, expected: OLDEST_FIRST },
    { name: 'direction=desc lists newest first', query: { direction: 'desc' }, expected: NEWEST_FIRST },
  ];

  it.each(alone)('$name', async ({ query, expected }) => {
    const resolved = query.id ? { ...query, id: ids[query.id as Label] } : query;
    expect(await labelsFor(resolved)).toEqual(expected);
  });

  it('id of another owner’s entry finds nothing', async () => {
    expect(await labelsFor({ id: otherOwnersEntry })).toEqual([]);
  });

  it('zone.name never reaches another owner’s entries', async () => {
    expect(await labelsFor({ 'zone.name': 'example.com', 'actor.email': 'someone@example.org' })).toEqual([]);
  });

  const combined: { name: string; query: Record<string, string>; expected: Label[] }[] = [
    {
      name: 'action.type, an IPv4 CIDR and a full-date since must all hold',
      query: { 'action.type': 'update', 'actor.ip': '10.0.0.0/8', since: '2019-04-30' },
      expected: ['patchLast'],
    },
    {
      name: 'action.type, an IPv6 CIDR and a full-date before must all hold',
      query: { 'action.type': 'create', 'actor.ip': '2001:db8::/32', before: '2019-05-01' },
      expected: ['createB'],
    },
    {
      name: 'since and before bound a window, hide_user_logs and direction=asc apply within it',
      query: { since: '2019-04-30', before: '2019-05-01', hide_user_logs: 'true', direction: 'asc' },
      expected: ['zoneSetting', 'createB', 'updateA'],
    },
    {
      name: 'zone.name, action.type and actor.email must all hold',
      query: {
        'zone.name': 'example.com',
        'action.type': 'change_setting',
        'actor.email': 'ops@example.net',
      },
      expected: ['zoneSetting'],
    },
    {
      name: 'zone.name with an actor.email of someone else finds nothing',
      query: { 'zone.name': 'example.com', 'actor.email': BOOTSTRAP.email },
      expected: [],
    },
    {
      name: 'actor.email, hide_user_logs and date-time bounds on both sides are all exclusive and all apply',
      query: {
        'actor.email': BOOTSTRAP.email,
        hide_user_logs: 'true',
        since: '2019-04-30T12:00:00Z',
        before: '2019-05-01T12:00:00Z',
        direction: 'asc',
      },
      expected: ['updateA', 'rollA', 'deleteB'],
    },
    {
      name: 'id together with a filter it fails finds nothing',
      query: { id: 'createB', 'action.type': 'update' },
      expected: [],
    },
    {
      name: 'an exact IPv6 actor.ip with the zone.name of another actor’s entry finds nothing',
      query: { 'actor.ip': '2001:db9::1', 'zone.name': 'other.example' },
      expected: [],
    },
  ];

  it.each(combined)('$name', async ({ query, expected }) => {
    const resolved = query.id ? { ...query, id: ids[query.id as Label] } : query;
    expect(await labelsFor(resolved)).toEqual(expected);
  });
});

describe('GET /user/audit_logs: date bounds', () => {
  let app: TestApp;

  beforeEach(async () => {
    app = await createTestApp({ clock: new FakeClock('2024-01-01T00:00:00Z') });
  });
  afterEach(async () => {
    await app.close();
  });

  it('compares a date-time bound with sub-millisecond digits exactly', async () => {
    const id = await insertAuditRow(app, { ownerId: app.userId, when: '2024-05-05T10:00:00.123Z' });
    const older = await getAuditLogs(app, { before: '2024-05-05T10:00:00.1235Z' });
    expect(older.json<AuditLogPage>().result.map((e) => e.id)).toEqual([id]);
    const newer = await getAuditLogs(app, { since: '2024-05-05T10:00:00.1225Z' });
    expect(newer.json<AuditLogPage>().result.map((e) => e.id)).toEqual([id]);
  });
});

describe('GET /user/audit_logs: paging', () => {
  let app: TestApp;
  /** Newest first. */
  let allIds: string[];

  beforeAll(async () => {
    app = await createTestApp({ clock: new FakeClock('2024-01-01T00:00:00Z') });
    const start = Date.parse('2024-02-01T00:00:00Z');
    const inserted: string[] = [];
    for (let i = 0; i < 101; i++) {
      inserted.push(
        await insertAuditRow(app, {
          ownerId: app.userId,
          when: new Date(start + i * 60_000).toISOString(),
          action: i % 2 === 0 ? 'even' : 'odd',
        }),
      );
    }
    allIds = inserted.reverse();
  });
  afterAll(async () => {
    await app.close();
  });

  it('answers 100 entries per page by default, with result_info describing the page', async () => {
    const page = (await getAuditLogs(app)).json<AuditLogPage>();
    expect(page.result.map((e) => e.id)).toEqual(allIds.slice(0, 100));
    expect(page.result_info).toEqual({
      page: 1,
      per_page: 100,
      count: 100,
      total_count: 101,
      total_pages: 2,
    });
  });

  it('answers the rest on the second page', async () => {
    const page = (await getAuditLogs(app, { page: '2' })).json<AuditLogPage>();
    expect(page.result.map((e) => e.id)).toEqual(allIds.slice(100));
    expect(page.result_info).toEqual({ page: 2, per_page: 100, count: 1, total_count: 101, total_pages: 2 });
  });

  it('answers 200 with an empty result for a page past the end', async () => {
    for (const number of ['3', '500']) {
      const response = await getAuditLogs(app, { page: number });
      expect(response.statusCode).toBe(200);
      const page = response.json<AuditLogPage>();
      expect(page.success).toBe(true);
      expect(page.result).toEqual([]);
      expect(page.result_info).toEqual({
        page: Number(number),
        per_page: 100,
        count: 0,
        total_count: 101,
        total_pages: 2,
      });
    }
  });

  it('visits every entry exactly once, in order, when walked page by page', async () => {
    const seen: string[] = [];
    for (let number = 1; ; number++) {
      const page = (await getAuditLogs(app, { per_page: '7', page: String(number) })).json<AuditLogPage>();
      if (page.result.length === 0) break;
      expect(page.result_info).toMatchObject({
        page: number,
        per_page: 7,
        total_count: 101,
        total_pages: 15,
      });
      seen.push(...page.result.map((e) => e.id));
    }
    expect(seen).toEqual(allIds);
  });

  it('accepts per_page at both ends of its range, 1 and 1000', async () => {
    const one = (await getAuditLogs(app, { per_page: '1' })).json<AuditLogPage>();
    expect(one.result.map((e) => e.id)).toEqual(allIds.slice(0, 1));
    expect(one.result_info).toEqual({ page: 1, per_page: 1, count: 1, total_count: 101, total_pages: 101 });
    const thousand = (await getAuditLogs(app, { per_page: '1000' })).json<AuditLogPage>();
    expect(thousand.result).toHaveLength(101);
    expect(thousand.result_info).toEqual({
      page: 1,
      per_page: 1000,
      count: 101,
      total_count: 101,
      total_pages: 1,
    });
  });

  it('counts only the filtered entries in result_info', async () => {
    const page = (
      await getAuditLogs(app, { 'action.type': 'odd', per_page: '20', page: '3' })
    ).json<AuditLogPage>();
    expect(page.result_info).toEqual({ page: 3, per_page: 20, count: 10, total_count: 50, total_pages: 3 });
  });

  it.each([
    ['per_page', '0'],
    ['per_page', '1001'],
    ['per_page', 'ten'],
    ['per_page', '2.5'],
    ['page', '0'],
    ['page', '-1'],
    ['page', 'two'],
  ])('refuses %s=%s with 400 naming the parameter', async (name, value) => {
    const response = await getAuditLogs(app, { [name]: value });
    expect(response.statusCode).toBe(400);
    const body = response.json<{
      success: boolean;
      errors: { code: number; message: string }[];
      result: null;
    }>();
    expect(body.success).toBe(false);
    expect(body.result).toBeNull();
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0]?.code).toBeGreaterThanOrEqual(1000);
    expect(body.errors[0]?.message).toMatch(new RegExp(`^${name}: `));
  });
});

describe('GET /user/audit_logs: bad filters', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(async () => {
    await app.close();
  });

  it.each([
    ['actor.ip', 'not-an-ip'],
    ['actor.ip', '10.0.0.0/33'],
    ['actor.ip', '2001:db8::/129'],
    ['since', 'yesterday'],
    ['before', 'yesterday'],
    ['since', '2019-02-31'],
    ['before', '2019-04-30T25:00:00Z'],
    ['actor.email', 'nope'],
    ['direction', 'up'],
    ['export', 'maybe'],
    ['hide_user_logs', 'maybe'],
  ])('refuses %s=%s with 400 and an error naming the field', async (name, value) => {
    const response = await getAuditLogs(app, { [name]: value });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const body = response.json<{
      success: boolean;
      errors: { code: number; message: string; source?: { pointer: string } }[];
      result: null;
    }>();
    expect(body.success).toBe(false);
    expect(body.result).toBeNull();
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0]?.code).toBeGreaterThanOrEqual(1000);
    expect(body.errors[0]?.message.startsWith(`${name}: `)).toBe(true);
    expect(body.errors[0]?.source).toEqual({ pointer: `/${name}` });
  });
});

describe('GET /user/audit_logs: CSV export', () => {
  let clock: FakeClock;
  let app: TestApp;

  beforeAll(async () => {
    clock = new FakeClock('2024-06-01T08:00:00Z');
    app = await createTestApp({ clock });
    const edits = [{ first_name: 'Doe, "Jr"' }, { last_name: 'plain' }, { zipcode: 'line\nbreak' }];
    for (const [i, payload] of edits.entries()) {
      clock.advance(60_000);
      await app.app.inject({
        method: 'PATCH',
        url: '/user',
        headers: bearer(BOOTSTRAP.token),
        remoteAddress: i === 1 ? '2001:db8::5' : '192.0.2.7',
        payload,
      });
    }
    for (const name of ['one', 'two']) {
      clock.advance(60_000);
      await createToken(app, name, [
        { effect: 'allow', groups: [GROUP.accountSettingsRead], resource: ALL_ACCOUNTS },
      ]);
    }
  });
  afterAll(async () => {
    await app.close();
  });

  it('answers 200 text/csv with a header row then one row per entry, matching the JSON listing', async () => {
    const response = await getAuditLogs(app, { export: 'true' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/csv/);
    const records = csvRecords(response.body);
    const entries = await allAuditLogs(app);
    expect(entries).toHaveLength(5);
    expect(records).toHaveLength(entries.length);
    records.forEach((record, i) => {
      const entry = entries[i] as AuditLogEntry;
      expect(record).toMatchObject({
        id: entry.id,
        when: entry.when,
        action_type: entry.action.type,
        actor_email: entry.actor.email,
        actor_ip: entry.actor.ip,
        resource_type: entry.resource.type,
        old_value: entry.oldValue ?? '',
        new_value: entry.newValue ?? '',
      });
    });
  });

  it('quotes a value containing a comma, a quote or a line break and doubles its quotes', async () => {
    const response = await getAuditLogs(app, { export: 'true', 'actor.ip': '192.0.2.7', direction: 'asc' });
    const entries = (
      await getAuditLogs(app, { 'actor.ip': '192.0.2.7', direction: 'asc' })
    ).json<AuditLogPage>().result;
    expect(entries).toHaveLength(2);
    for (const entry of entries) {
      const encoded = `"${(entry.newValue ?? '').replaceAll('"', '""')}"`;
      expect(response.body).toContain(encoded);
    }
    const records = csvRecords(response.body);
    expect(records.map((r) => r.new_value)).toEqual(entries.map((e) => e.newValue));
    expect(JSON.parse(records[0]?.new_value ?? '')).toMatchObject({ first_name: 'Doe, "Jr"' });
    expect(JSON.parse(records[1]?.new_value ?? '')).toMatchObject({ zipcode: 'line\nbreak' });
  });

  it('applies the same filters and ordering as the JSON listing', async () => {
    const queries: Record<string, string>[] = [
      { direction: 'asc' },
      { 'action.type': 'create', direction: 'asc' },
      { hide_user_logs: 'true' },
      { 'actor.ip': '192.0.2.0/24', since: '2024-06-01T08:01:00Z' },
      { 'actor.ip': '2001:db8::/32' },
    ];
    for (const query of queries) {
      const json = (await getAuditLogs(app, query)).json<AuditLogPage>().result.map((e) => e.id);
      const csv = csvRecords((await getAuditLogs(app, { ...query, export: 'true' })).body).map((r) => r.id);
      expect(json.length).toBeGreaterThan(0);
      expect(csv).toEqual(json);
    }
  });

  it('answers only the header row when no entry matches', async () => {
    const response = await getAuditLogs(app, { export: 'true', 'action.type': 'login' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/csv/);
    const lines = response.body.split(/\r?\n/).filter((line) => line !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('id');
    expect(csvRecords(response.body)).toEqual([]);
  });

  it('exports every matching entry, not one page of them', async () => {
    const json = (await getAuditLogs(app, { per_page: '2' })).json<AuditLogPage>();
    expect(json.result).toHaveLength(2);
    const csv = csvRecords((await getAuditLogs(app, { per_page: '2', page: '2', export: 'true' })).body);
    expect(csv).toHaveLength(json.result_info.total_count);
  });

  it('answers JSON when export=false', async () => {
    const response = await getAuditLogs(app, { export: 'false' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json<AuditLogPage>().result).toHaveLength(5);
  });
});

describe('GET /user/audit_logs: permissions', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await createTestApp();
    await app.app.inject({
      method: 'PATCH',
      url: '/user',
      headers: bearer(BOOTSTRAP.token),
      payload: { first_name: 'P' },
    });
  });
  afterAll(async () => {
    await app.close();
  });

  it.each([
    ['Account Settings Read', GROUP.accountSettingsRead],
    ['Account Settings Write', GROUP.accountSettingsWrite],
  ])('lets a token with %s on com.cloudflare.api.account.* read the log', async (name, group) => {
    const token = await createToken(app, name, [
      { effect: 'allow', groups: [group], resource: ALL_ACCOUNTS },
    ]);
    const response = await getAuditLogs(app, {}, bearer(token.value));
    expect(response.statusCode, response.body).toBe(200);
    const types = response.json<AuditLogPage>().result.map((e) => e.resource.type);
    expect(types).toContain('user');
  });

  it('lets the global API key read the log', async () => {
    const response = await getAuditLogs(app, {}, globalKey());
    expect(response.statusCode).toBe(200);
  });

  it('refuses a token with only User Details Read with 403 10000', async () => {
    const token = await createToken(app, 'details only', [
      { effect: 'allow', groups: [GROUP.userDetailsRead], resource: `com.cloudflare.api.user.${app.userId}` },
    ]);
    const response = await getAuditLogs(app, {}, bearer(token.value));
    expect(response.statusCode).toBe(403);
    const body = response.json<{ success: boolean; errors: { code: number; message: string }[] }>();
    expect(body.success).toBe(false);
    expect(body.errors).toEqual([{ code: 10000, message: 'Authentication error' }]);
  });

  it('refuses with 403 10000 when a deny policy matches, whatever the allow policies say', async () => {
    const token = await createToken(app, 'allow then deny', [
      {
        effect: 'allow',
        groups: [GROUP.accountSettingsRead, GROUP.accountSettingsWrite],
        resource: ALL_ACCOUNTS,
      },
      { effect: 'deny', groups: [GROUP.accountSettingsRead], resource: ALL_ACCOUNTS },
    ]);
    const response = await getAuditLogs(app, {}, bearer(token.value));
    expect(response.statusCode).toBe(403);
    expect(response.json<{ errors: { code: number }[] }>().errors[0]?.code).toBe(10000);
  });

  it('refuses a request without credentials with 400 9106', async () => {
    const response = await getAuditLogs(app, {}, {});
    expect(response.statusCode).toBe(400);
    expect(response.json<{ errors: { code: number }[] }>().errors[0]?.code).toBe(9106);
  });
});

describe('GET /user/audit_logs: through the official cloudflare SDK', () => {
  let clock: FakeClock;
  let server: TestServer;

  beforeAll(async () => {
    clock = new FakeClock('2024-07-01T00:00:00Z');
    server = await startTestServer({ clock });
  });
  afterAll(async () => {
    await server.close();
  });

  it('sends the dotted filter names and walks every matching page once with for await', async () => {
    const urls: string[] = [];
    const cf = new Cloudflare({
      apiToken: BOOTSTRAP.token,
      baseURL: server.baseURL,
      maxRetries: 0,
      fetch: (input, init) => {
        urls.push(String(input instanceof Request ? input.url : input));
        return fetch(input, init);
      },
    });
    const created: string[] = [];
    for (let i = 0; i < 5; i++) {
      clock.advance();
      const token = await cf.user.tokens.create({
        name: `sdk ${i}`,
        policies: [
          {
            effect: 'allow',
            permission_groups: [{ id: GROUP.accountSettingsRead }],
            resources: { [ALL_ACCOUNTS]: '*' },
          },
        ],
      });
      created.push(token.id ?? '');
      clock.advance();
      await cf.user.edit({ first_name: `Edit ${i}` });
    }
    clock.advance();
    // A create by someone else: the actor.email filter has to leave it out.
    await insertAuditRow(server, {
      ownerId: server.userId,
      when: clock.now().toISOString(),
      action: 'create',
      actorEmail: 'someone@example.org',
      resourceType: 'token',
    });
    urls.length = 0;

    const seen: { id: string; resource: string; when: string }[] = [];
    for await (const entry of cf.user.auditLogs.list({
      action: { type: 'create' },
      actor: { email: BOOTSTRAP.email },
      direction: 'asc',
      per_page: 2,
    })) {
      seen.push({ id: entry.id ?? '', resource: entry.resource?.id ?? '', when: entry.when ?? '' });
      if (seen.length > 20) break;
    }

    expect(seen).toHaveLength(5);
    expect(new Set(seen.map((s) => s.id)).size).toBe(5);
    expect(seen.map((s) => s.resource)).toEqual(created);
    expect(seen.map((s) => s.when)).toEqual([...seen.map((s) => s.when)].sort());
    expect(urls).toHaveLength(4);
    const first = new URL(urls[0] ?? '');
    expect(first.pathname).toBe('/client/v4/user/audit_logs');
    expect(first.searchParams.get('action.type')).toBe('create');
    expect(first.searchParams.get('actor.email')).toBe(BOOTSTRAP.email);
    expect(first.searchParams.get('direction')).toBe('asc');
    expect(first.searchParams.get('per_page')).toBe('2');
    expect(urls.slice(1).map((u) => new URL(u).searchParams.get('page'))).toEqual(['2', '3', '4']);
  });
});
