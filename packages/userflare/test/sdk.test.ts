import Cloudflare from 'cloudflare';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BOOTSTRAP, startTestServer, type TestServer } from './helpers/test-server.js';

// The official SDK (CLIENTS §3), unchanged, over real HTTP against a fresh in-memory store per test.

const GROUP = {
  apiTokensRead: '0cc3a61731504c89b99ec1be78b77aa0',
  apiTokensWrite: '686d18d5ac6c441c867cbf6771e58a0a',
  userDetailsRead: '8acbe5bb0d54464ab867149d7f7cf8ac',
  userDetailsWrite: '55a5e17cc99e4a3fa1f3432d262f2e55',
} as const;

type ApiError = InstanceType<typeof Cloudflare.APIError>;

/** A well-formed 40-character legacy value that no token has. */
const UNKNOWN_TOKEN = 'Zz9_unknown_token_value_0123456789abcdef';

let server: TestServer;

beforeEach(async () => {
  server = await startTestServer();
});

afterEach(async () => {
  await server.close();
});

/** An SDK client with exactly the credentials given; nothing is read from the environment. */
function sdk(
  credentials: { apiToken?: string; apiEmail?: string; apiKey?: string },
  options: { baseURL?: string; fetch?: typeof fetch } = {},
): Cloudflare {
  return new Cloudflare({
    apiToken: credentials.apiToken ?? null,
    apiEmail: credentials.apiEmail ?? null,
    apiKey: credentials.apiKey ?? null,
    baseURL: options.baseURL ?? server.baseURL,
    maxRetries: 0,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}

function admin(): Cloudflare {
  return sdk({ apiToken: BOOTSTRAP.token });
}

/** An allow policy granting `groups` on the bootstrap user. */
function userPolicy(...groups: string[]) {
  return {
    effect: 'allow' as const,
    permission_groups: groups.map((id) => ({ id })),
    resources: { [`com.cloudflare.api.user.${server.userId}`]: '*' },
  };
}

/** Awaits a call that must fail with an API error and returns that error. */
async function rejectionOf(call: PromiseLike<unknown>): Promise<ApiError> {
  try {
    await call;
  } catch (error) {
    expect(error).toBeInstanceOf(Cloudflare.APIError);
    return error as ApiError;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

async function createToken(name: string, ...groups: string[]) {
  return admin().user.tokens.create({
    name,
    policies: [userPolicy(...(groups.length ? groups : [GROUP.userDetailsRead, GROUP.apiTokensRead]))],
  });
}

describe('the token lifecycle through the official SDK', () => {
  it('creates a token whose cfut_ value is returned once, then reads it back without the value', async () => {
    const created = await createToken('ci reader');
    expect(created.value).toMatch(/^cfut_[0-9A-Za-z]{46}$/);
    expect(created.status).toBe('active');
    expect(created.id).toMatch(/^[0-9a-f]{32}$/);
    expect(created.policies?.[0]?.permission_groups.map((g) => g.name).sort()).toEqual([
      'API Tokens Read',
      'User Details Read',
    ]);

    const fetched = await admin().user.tokens.get(created.id as string);
    expect(fetched.id).toBe(created.id);
    expect(fetched.name).toBe('ci reader');
    expect(fetched.status).toBe('active');
    expect(fetched).not.toHaveProperty('value');

    const own = await sdk({ apiToken: created.value as string }).user.get();
    expect(own.email).toBe(BOOTSTRAP.email);
  });

  it('walks every token exactly once with for await across several pages and then stops', async () => {
    const createdIds: string[] = [];
    for (let i = 0; i < 12; i++) createdIds.push((await createToken(`paged ${i}`)).id as string);

    const requested: string[] = [];
    const recording: typeof fetch = (input, init) => {
      requested.push(String(input instanceof Request ? input.url : input));
      return fetch(input, init);
    };
    const seen: string[] = [];
    for await (const token of sdk({ apiToken: BOOTSTRAP.token }, { fetch: recording }).user.tokens.list({
      per_page: 5,
    })) {
      seen.push(token.id as string);
      if (seen.length > 100) throw new Error('pagination did not stop');
    }

    // 12 created plus the bootstrap token: pages of 5, 5 and 3, then an empty page 4 ends the loop.
    expect(seen).toHaveLength(13);
    expect(new Set(seen).size).toBe(13);
    for (const id of createdIds) expect(seen).toContain(id);
    expect(requested).toHaveLength(4);
    expect(new URL(requested[3] as string).searchParams.get('page')).toBe('4');
  });

  it('updates a token with a whole-object PUT that replaces its name and policies', async () => {
    const created = await createToken('before');
    const updated = await admin().user.tokens.update(created.id as string, {
      name: 'after',
      policies: [userPolicy(GROUP.userDetailsRead)],
    });
    expect(updated.name).toBe('after');
    expect(updated.policies).toHaveLength(1);
    expect(updated.policies?.[0]?.permission_groups.map((g) => g.id)).toEqual([GROUP.userDetailsRead]);
    expect(updated).not.toHaveProperty('value');

    const fetched = await admin().user.tokens.get(created.id as string);
    expect(fetched.name).toBe('after');
    // The policy no longer grants API Tokens Read, so the token itself cannot list tokens any more.
    const error = await rejectionOf(sdk({ apiToken: created.value as string }).user.tokens.list());
    expect(error).toBeInstanceOf(Cloudflare.PermissionDeniedError);
    expect(error.errors[0]?.code).toBe(10000);
  });

  it('disables a token so that it gets 9109 on other routes and 1000 on verify, and re-enables it', async () => {
    const created = await createToken('switchable');
    const id = created.id as string;
    const holder = sdk({ apiToken: created.value as string });
    expect((await holder.user.get()).email).toBe(BOOTSTRAP.email);

    const body = { name: 'switchable', policies: [userPolicy(GROUP.userDetailsRead, GROUP.apiTokensRead)] };
    const disabled = await admin().user.tokens.update(id, { ...body, status: 'disabled' });
    expect(disabled.status).toBe('disabled');
    expect((await admin().user.tokens.get(id)).status).toBe('disabled');

    const denied = await rejectionOf(holder.user.get());
    expect(denied).toBeInstanceOf(Cloudflare.PermissionDeniedError);
    expect(denied.status).toBe(403);
    expect(denied.errors[0]?.code).toBe(9109);

    const unverified = await rejectionOf(holder.user.tokens.verify());
    expect(unverified).toBeInstanceOf(Cloudflare.AuthenticationError);
    expect(unverified.status).toBe(401);
    expect(unverified.errors[0]?.code).toBe(1000);

    const enabled = await admin().user.tokens.update(id, { ...body, status: 'active' });
    expect(enabled.status).toBe('active');
    expect((await holder.user.get()).email).toBe(BOOTSTRAP.email);
    expect(await holder.user.tokens.verify()).toEqual({ id, status: 'active' });
  });

  it('verifies an active token, reporting its id, status and validity window', async () => {
    expect((await admin().user.tokens.verify()).status).toBe('active');

    const expiresOn = '2099-01-01T00:00:00Z';
    const created = await admin().user.tokens.create({
      name: 'windowed',
      policies: [userPolicy(GROUP.userDetailsRead)],
      not_before: '2020-01-01T00:00:00Z',
      expires_on: expiresOn,
    });
    const verified = await sdk({ apiToken: created.value as string }).user.tokens.verify();
    expect(verified).toEqual({
      id: created.id,
      status: 'active',
      not_before: '2020-01-01T00:00:00Z',
      expires_on: expiresOn,
    });
  });

  it('rolls a token: the result is a bare string, the old value is refused with 9109 at once and the new one works', async () => {
    const created = await createToken('rollable');
    const oldValue = created.value as string;
    // Authenticate once first, so a cached credential would be caught still working after the roll.
    expect((await sdk({ apiToken: oldValue }).user.get()).email).toBe(BOOTSTRAP.email);

    const newValue = await admin().user.tokens.value.update(created.id as string, {});
    expect(typeof newValue).toBe('string');
    expect(newValue).toMatch(/^cfut_/);
    expect(newValue).not.toBe(oldValue);

    const refused = await rejectionOf(sdk({ apiToken: oldValue }).user.get());
    expect(refused).toBeInstanceOf(Cloudflare.PermissionDeniedError);
    expect(refused.errors[0]?.code).toBe(9109);

    const rolled = sdk({ apiToken: newValue });
    expect((await rolled.user.get()).email).toBe(BOOTSTRAP.email);
    expect(await rolled.user.tokens.verify()).toEqual({ id: created.id, status: 'active' });
    const after = await admin().user.tokens.get(created.id as string);
    expect(after.name).toBe('rollable');
    expect(after.policies).toEqual(created.policies);
  });

  it('deletes a token: the result is its id, a later get is a 404 with 7003 and its value stops working', async () => {
    const created = await createToken('doomed');
    const id = created.id as string;
    expect((await sdk({ apiToken: created.value as string }).user.get()).email).toBe(BOOTSTRAP.email);

    expect(await admin().user.tokens.delete(id)).toEqual({ id });

    const missing = await rejectionOf(admin().user.tokens.get(id));
    expect(missing).toBeInstanceOf(Cloudflare.NotFoundError);
    expect(missing.status).toBe(404);
    expect(missing.errors[0]?.code).toBe(7003);

    const refused = await rejectionOf(sdk({ apiToken: created.value as string }).user.get());
    expect(refused).toBeInstanceOf(Cloudflare.PermissionDeniedError);
    expect(refused.errors[0]?.code).toBe(9109);
  });
});

describe('the user, permission groups and audit logs through the official SDK', () => {
  it('gets the bootstrap user and edits its profile with PATCH', async () => {
    const user = await admin().user.get();
    expect(user.id).toBe(server.userId);
    expect(user.email).toBe(BOOTSTRAP.email);

    const edit = {
      first_name: 'Jane',
      last_name: 'Doe',
      country: 'US',
      telephone: '+1 555',
      zipcode: '12345',
    };
    const edited = await admin().user.edit(edit);
    expect(edited).toMatchObject({ id: server.userId, email: BOOTSTRAP.email, ...edit });
    expect(await admin().user.get()).toMatchObject(edit);
  });

  it('lists permission groups filtered by a name with spaces and by scope', async () => {
    const groups = [];
    for await (const group of admin().user.tokens.permissionGroups.list({
      name: 'API Tokens Write',
      scope: 'com.cloudflare.api.user',
    })) {
      groups.push(group);
    }
    expect(groups).toEqual([
      expect.objectContaining({
        id: GROUP.apiTokensWrite,
        name: 'API Tokens Write',
        scopes: ['com.cloudflare.api.user'],
      }),
    ]);

    const zoneGroups = [];
    for await (const group of admin().user.tokens.permissionGroups.list({
      scope: 'com.cloudflare.api.account.zone',
    })) {
      zoneGroups.push(group);
    }
    expect(zoneGroups.length).toBeGreaterThan(10);
    for (const group of zoneGroups) expect(group.scopes).toContain('com.cloudflare.api.account.zone');
  });

  it('filters audit logs with dotted action and actor parameters and pages through them with for await', async () => {
    const created: string[] = [];
    for (let i = 0; i < 7; i++) created.push((await createToken(`audited ${i}`)).id as string);
    await admin().user.edit({ first_name: 'Audit' });

    const entries = [];
    for await (const entry of admin().user.auditLogs.list({
      action: { type: 'create' },
      actor: { email: BOOTSTRAP.email },
      per_page: 3,
    })) {
      entries.push(entry);
      if (entries.length > 100) throw new Error('pagination did not stop');
    }
    expect(entries).toHaveLength(7);
    expect(new Set(entries.map((e) => e.id)).size).toBe(7);
    for (const entry of entries) {
      expect(entry.action?.type).toBe('create');
      expect(entry.actor?.email).toBe(BOOTSTRAP.email);
    }
    expect(entries.map((e) => e.resource?.id).sort()).toEqual([...created].sort());

    const updates = [];
    for await (const entry of admin().user.auditLogs.list({ action: { type: 'update' } }))
      updates.push(entry);
    expect(updates).toHaveLength(1);

    const nobody = await admin().user.auditLogs.list({ actor: { email: 'nobody@example.com' } });
    expect(nobody.result).toEqual([]);
  });
});

describe('errors and credentials as the official SDK sees them', () => {
  it('answers verify with an unknown token as an AuthenticationError with code 1000', async () => {
    const error = await rejectionOf(sdk({ apiToken: UNKNOWN_TOKEN }).user.tokens.verify());
    expect(error).toBeInstanceOf(Cloudflare.AuthenticationError);
    expect(error.status).toBe(401);
    expect(error.errors[0]?.code).toBe(1000);
  });

  it('answers an unknown token on other routes as a PermissionDeniedError with code 9109', async () => {
    const error = await rejectionOf(sdk({ apiToken: UNKNOWN_TOKEN }).user.get());
    expect(error).toBeInstanceOf(Cloudflare.PermissionDeniedError);
    expect(error.errors[0]?.code).toBe(9109);
  });

  it('answers a token without the permission group as a PermissionDeniedError with code 10000', async () => {
    const created = await createToken('tokens only', GROUP.apiTokensRead);
    const error = await rejectionOf(sdk({ apiToken: created.value as string }).user.get());
    expect(error).toBeInstanceOf(Cloudflare.PermissionDeniedError);
    expect(error.status).toBe(403);
    expect(error.errors[0]?.code).toBe(10000);

    const writeError = await rejectionOf(
      sdk({ apiToken: created.value as string }).user.tokens.create({
        name: 'escalation',
        policies: [userPolicy(GROUP.apiTokensWrite)],
      }),
    );
    expect(writeError).toBeInstanceOf(Cloudflare.PermissionDeniedError);
    expect(writeError.errors[0]?.code).toBe(10000);
  });

  it('answers a request without credentials as a BadRequestError with code 9106', async () => {
    const error = await rejectionOf(sdk({}).user.get());
    expect(error).toBeInstanceOf(Cloudflare.BadRequestError);
    expect(error.status).toBe(400);
    expect(error.errors[0]?.code).toBe(9106);
  });

  it('answers an out-of-range per_page as a BadRequestError naming the field', async () => {
    const error = await rejectionOf(admin().user.tokens.list({ per_page: 2 }));
    expect(error).toBeInstanceOf(Cloudflare.BadRequestError);
    expect(error.errors[0]?.message).toMatch(/^per_page: /);
    expect(error.errors[0]?.message).toContain('5');
    expect(error.errors[0]?.message).toContain('50');
  });

  it('answers a create naming an unknown permission group as a BadRequestError naming the field', async () => {
    const error = await rejectionOf(
      admin().user.tokens.create({
        name: 'bogus',
        policies: [userPolicy('ffffffffffffffffffffffffffffffff')],
      }),
    );
    expect(error).toBeInstanceOf(Cloudflare.BadRequestError);
    expect(error.errors[0]?.message).toContain('policies[0].permission_groups[0].id');
    expect(await admin().user.tokens.list()).toMatchObject({ result: [expect.anything()] });
  });

  it('answers an unknown token id as a NotFoundError with code 7003', async () => {
    const id = '0123456789abcdef0123456789abcdef';
    // One call at a time: a request started before its rejection is awaited would reject unhandled.
    for (const call of [
      () => admin().user.tokens.get(id),
      () => admin().user.tokens.delete(id),
      () => admin().user.tokens.value.update(id, {}),
    ]) {
      const error = await rejectionOf(call());
      expect(error).toBeInstanceOf(Cloudflare.NotFoundError);
      expect(error.errors[0]?.code).toBe(7003);
    }
  });

  it('authenticates with the global API key given as apiEmail and apiKey', async () => {
    const cf = sdk({ apiEmail: BOOTSTRAP.email, apiKey: BOOTSTRAP.apiKey });
    expect((await cf.user.get()).email).toBe(BOOTSTRAP.email);
    const created = await cf.user.tokens.create({
      name: 'made with the key',
      policies: [userPolicy(GROUP.userDetailsRead)],
    });
    expect(created.value).toMatch(/^cfut_/);

    const wrongKey = await rejectionOf(sdk({ apiEmail: BOOTSTRAP.email, apiKey: 'f'.repeat(37) }).user.get());
    expect(wrongKey).toBeInstanceOf(Cloudflare.PermissionDeniedError);
    expect(wrongKey.errors[0]?.code).toBe(9103);
  });

  it('works with a client configured with a token, an email and a key at once, the token deciding', async () => {
    const cf = sdk({ apiToken: BOOTSTRAP.token, apiEmail: BOOTSTRAP.email, apiKey: BOOTSTRAP.apiKey });
    expect((await cf.user.get()).email).toBe(BOOTSTRAP.email);
    expect((await cf.user.tokens.verify()).status).toBe('active');

    // The SDK sends all three headers; the token's own policies, not the key's full rights, apply.
    const narrow = await createToken('narrow', GROUP.apiTokensRead);
    const mixed = sdk({
      apiToken: narrow.value as string,
      apiEmail: BOOTSTRAP.email,
      apiKey: BOOTSTRAP.apiKey,
    });
    const error = await rejectionOf(mixed.user.get());
    expect(error).toBeInstanceOf(Cloudflare.PermissionDeniedError);
    expect(error.errors[0]?.code).toBe(10000);
  });

  it('serves the same API at the root when the base URL has no /client/v4', async () => {
    const cf = sdk({ apiToken: BOOTSTRAP.token }, { baseURL: server.origin });
    expect((await cf.user.get()).email).toBe(BOOTSTRAP.email);
    const created = await cf.user.tokens.create({
      name: 'rooted',
      policies: [userPolicy(GROUP.userDetailsRead)],
    });
    expect((await cf.user.tokens.get(created.id as string)).name).toBe('rooted');
    const ids = [];
    for await (const token of cf.user.tokens.list({ per_page: 5 })) ids.push(token.id);
    expect(ids).toContain(created.id);

    const trailing = sdk({ apiToken: BOOTSTRAP.token }, { baseURL: `${server.origin}/` });
    expect((await trailing.user.tokens.verify()).status).toBe('active');
  });
});
