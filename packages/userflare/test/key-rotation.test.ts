import { createHmac } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Cloudflare from 'cloudflare';
import { type BuiltApp, buildApp, loadConfig } from 'userflare';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fromDashboard, signIn } from './helpers/dashboard-app.js';
import {
  BOOTSTRAP,
  bearer,
  createTestApp,
  globalKey,
  startTestServer,
  type TestApp,
  type TestServer,
} from './helpers/test-server.js';
import { createTestDatabase, TEST_STORE } from './helpers/test-store.js';

// Issue 15, "Keys at rest" and "Rotation": the admin key kept only as a keyed hash, a user's global API
// key rolled through the admin plane, and USERFLARE_SECRET rotated with USERFLARE_SECRET_PREVIOUS.

const SECRET_A = 'rotation-secret-a-0123456789abcdef0123456789';
const SECRET_B = 'rotation-secret-b-0123456789abcdef0123456789';
const SECRET_C = 'rotation-secret-c-0123456789abcdef0123456789';
const ADMIN_KEY_FILE = /^hmac-sha256:[0-9a-f]{64}\n$/;

const hmac = (secret: string, value: string) => createHmac('sha256', secret).update(value).digest('hex');

interface Envelope<T> {
  success: boolean;
  errors: { code: number; message: string }[];
  result: T;
}

let scratch: string;
const cleanups: (() => Promise<void>)[] = [];

beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'userflare-rotation-'));
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  rmSync(scratch, { recursive: true, force: true });
});

/** One store kept across the restarts of a test: a SQLite file, or a PostgreSQL schema of its own. */
async function sharedStoreUrl(): Promise<string> {
  if (TEST_STORE === 'sqlite') return `sqlite:${join(scratch, 'store.db')}`;
  const database = await createTestDatabase();
  cleanups.push(database.drop);
  return database.url;
}

/** A server on `url` under `env`, closed at the end of the test unless `stop` closed it first. */
async function start(url: string, env: Record<string, string>): Promise<TestApp> {
  const app = await createTestApp({
    env: { USERFLARE_DATABASE_URL: url, USERFLARE_DATA_DIR: scratch, ...env },
  });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await app.close();
  };
  cleanups.push(close);
  return { ...app, close };
}

async function call<T = unknown>(
  app: BuiltApp,
  method: 'GET' | 'POST',
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: Envelope<T> }> {
  const response = await app.app.inject({ method, url, headers });
  return { status: response.statusCode, body: response.json() as Envelope<T> };
}

const codesOf = (body: Envelope<unknown>) => body.errors.map((error) => error.code);

describe('the admin key at rest', () => {
  /** A server whose admin key comes from `<data dir>/admin-key`, not the environment. */
  const startWithKeyFile = (url: string, env: Record<string, string> = {}) =>
    start(url, { USERFLARE_ADMIN_KEY: '', USERFLARE_SECRET: SECRET_A, ...env });
  const keyFile = () => join(scratch, 'admin-key');
  const adminCall = (app: BuiltApp, key: string) =>
    call(app, 'GET', '/__userflare/rate_plans', { 'x-admin-key': key });

  it('keeps a generated admin key only as its keyed hash, in a file of mode 0600, and it works', async () => {
    const url = await sharedStoreUrl();
    const first = await startWithKeyFile(url);
    const key = first.secrets.generatedAdminKey as string;
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = readFileSync(keyFile(), 'utf8');
    expect(stored).toMatch(ADMIN_KEY_FILE);
    expect(stored).not.toContain(key);
    expect(statSync(keyFile()).mode & 0o777).toBe(0o600);
    expect((await adminCall(first, key)).status).toBe(200);
    expect((await adminCall(first, `${key}x`)).status).toBe(401);
    await first.close();

    const second = await startWithKeyFile(url);
    expect(second.secrets.generatedAdminKey).toBeUndefined();
    expect((await adminCall(second, key)).status).toBe(200);
    expect(readFileSync(keyFile(), 'utf8')).toBe(stored);
  });

  it('makes no admin key while the admin plane is off, so the first start that serves it prints one', async () => {
    const url = await sharedStoreUrl();
    const off = await startWithKeyFile(url, { USERFLARE_ADMIN: 'off' });
    expect(off.secrets.generatedAdminKey).toBeUndefined();
    expect(existsSync(keyFile())).toBe(false);
    await off.close();
    const on = await startWithKeyFile(url);
    const key = on.secrets.generatedAdminKey as string;
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await adminCall(on, key)).status).toBe(200);
  });

  it('rewrites the plain admin-key file of an older version as its hash, and the key still works', async () => {
    const legacy = 'legacy-plain-admin-key-0123456789';
    writeFileSync(keyFile(), `${legacy}\n`, { mode: 0o644 });
    chmodSync(keyFile(), 0o644);
    const server = await startWithKeyFile(await sharedStoreUrl());
    expect(server.secrets.generatedAdminKey).toBeUndefined();
    const stored = readFileSync(keyFile(), 'utf8');
    expect(stored).toMatch(ADMIN_KEY_FILE);
    expect(stored).not.toContain(legacy);
    expect(statSync(keyFile()).mode & 0o777).toBe(0o600);
    expect((await adminCall(server, legacy)).status).toBe(200);
    expect((await adminCall(server, 'legacy-plain-admin-key-012345678')).status).toBe(401);
  });

  it('accepts an admin key file hashed under a previous secret, and rewrites it under the current one', async () => {
    const url = await sharedStoreUrl();
    const first = await startWithKeyFile(url);
    const key = first.secrets.generatedAdminKey as string;
    const underA = readFileSync(keyFile(), 'utf8');
    await first.close();

    const refused = await startWithKeyFile(url, { USERFLARE_SECRET: SECRET_B });
    expect((await adminCall(refused, key)).status).toBe(401);
    await refused.close();

    const rotating = await startWithKeyFile(url, {
      USERFLARE_SECRET: SECRET_B,
      USERFLARE_SECRET_PREVIOUS: `${SECRET_C},${SECRET_A}`,
    });
    expect(readFileSync(keyFile(), 'utf8')).toBe(underA);
    expect((await adminCall(rotating, 'not-the-admin-key-0123456789')).status).toBe(401);
    expect((await adminCall(rotating, key)).status).toBe(200);
    const underB = readFileSync(keyFile(), 'utf8');
    expect(underB).toMatch(ADMIN_KEY_FILE);
    expect(underB).not.toBe(underA);
    expect(statSync(keyFile()).mode & 0o777).toBe(0o600);
    await rotating.close();

    const rotated = await startWithKeyFile(url, { USERFLARE_SECRET: SECRET_B });
    expect((await adminCall(rotated, key)).status).toBe(200);
  });

  it('loads a --seed fixture at start without the plain admin key, and namespaces open with the same key', async () => {
    const url = await sharedStoreUrl();
    const config = loadConfig({
      USERFLARE_DATABASE_URL: url,
      USERFLARE_DATA_DIR: scratch,
      USERFLARE_SECRET: SECRET_A,
      USERFLARE_BOOTSTRAP_TOKEN: BOOTSTRAP.token,
    });
    const built = await buildApp(config, {
      fixture: { users: [{ email: 'seeded@example.com', token: false }] },
    });
    cleanups.push(() => built.app.close());
    expect(built.seeded?.counts).toEqual({ users: 1 });
    const key = built.secrets.generatedAdminKey as string;
    const created = await built.app.inject({
      method: 'POST',
      url: '/__userflare/namespaces',
      headers: { 'x-admin-key': key },
      payload: { id: 'rotation' },
    });
    expect(created.statusCode, created.body).toBe(200);
    const inNamespace = (headers: Record<string, string>) =>
      built.app.inject({ url: '/ns/rotation/__userflare/clock', headers });
    expect((await inNamespace({ 'x-admin-key': key })).statusCode).toBe(200);
    expect((await inNamespace({ 'x-admin-key': 'wrong-admin-key-0123456789' })).statusCode).toBe(401);
  });
});

describe('POST /__userflare/users/{user}/api_key/roll', () => {
  let server: TestServer;

  beforeEach(async () => {
    server = await startTestServer();
    cleanups.push(() => server.close());
  });

  const sdk = (apiKey: string) =>
    new Cloudflare({
      apiEmail: BOOTSTRAP.email,
      apiKey,
      apiToken: null,
      baseURL: server.baseURL,
      maxRetries: 0,
    });

  const roll = (user: string, headers: Record<string, string> = { 'x-admin-key': BOOTSTRAP.adminKey }) =>
    call<{ id: string; email: string; api_key: string }>(
      server,
      'POST',
      `/__userflare/users/${encodeURIComponent(user)}/api_key/roll`,
      headers,
    );

  it('answers a new key once, refuses the old one at once with 9103, and the new one works', async () => {
    // The old key authenticates first, so the user's row is in the read cache when the roll lands.
    expect((await sdk(BOOTSTRAP.apiKey).user.get()).email).toBe(BOOTSTRAP.email);
    const rolled = await roll(server.userId);
    expect(rolled.status).toBe(200);
    expect(rolled.body.result).toEqual({
      id: server.userId,
      email: BOOTSTRAP.email,
      api_key: expect.stringMatching(/^[0-9a-f]{37}$/),
    });
    const newKey = rolled.body.result.api_key;
    expect(newKey).not.toBe(BOOTSTRAP.apiKey);

    const old = await sdk(BOOTSTRAP.apiKey)
      .user.get()
      .catch((error: unknown) => error);
    expect(old).toBeInstanceOf(Cloudflare.PermissionDeniedError);
    expect((old as InstanceType<typeof Cloudflare.APIError>).errors).toEqual([
      { code: 9103, message: 'Unknown X-Auth-Key or X-Auth-Email' },
    ]);
    expect((await sdk(newKey).user.get()).id).toBe(server.userId);
    const stored = await server.store.db
      .selectFrom('users')
      .select('api_key_hash')
      .where('id', '=', server.userId)
      .executeTakeFirstOrThrow();
    expect(stored.api_key_hash).toBe(hmac('test-secret-0123456789abcdef0123456789abcdef', newKey));
  });

  it('finds the user by email too, and writes a rotate_API_key audit entry holding neither key', async () => {
    const rolled = await roll(BOOTSTRAP.email);
    expect(rolled.status).toBe(200);
    const audit = await call<Record<string, unknown>[]>(
      server,
      'GET',
      '/client/v4/user/audit_logs?action.type=rotate_API_key',
      bearer(BOOTSTRAP.token),
    );
    expect(audit.status).toBe(200);
    expect(audit.body.result).toHaveLength(1);
    expect(audit.body.result[0]).toMatchObject({
      action: { result: true, type: 'rotate_API_key' },
      actor: { type: 'admin' },
      owner: { id: server.userId },
      resource: { id: server.userId, type: 'user' },
    });
    const entry = JSON.stringify(audit.body.result[0]);
    expect(entry).not.toContain(rolled.body.result.api_key);
    expect(entry).not.toContain(BOOTSTRAP.apiKey);
  });

  it('answers 404 with 7003 for an unknown user id or email, and changes nothing', async () => {
    for (const user of ['0123456789abcdef0123456789abcdef', 'nobody@example.com']) {
      const rolled = await roll(user);
      expect(rolled.status, user).toBe(404);
      expect(codesOf(rolled.body), user).toEqual([7003, 7000]);
    }
    expect((await call(server, 'GET', '/client/v4/user', globalKey())).status).toBe(200);
  });

  it('answers 401 with 1401 without the admin key or with an API credential, and the key keeps working', async () => {
    for (const headers of [
      {},
      { 'x-admin-key': 'wrong-admin-key-0123456789' },
      bearer(BOOTSTRAP.token),
      globalKey(),
    ]) {
      const rolled = await roll(server.userId, headers);
      expect(rolled.status).toBe(401);
      expect(codesOf(rolled.body)).toEqual([1401]);
    }
    expect((await call(server, 'GET', '/client/v4/user', globalKey())).status).toBe(200);
  });

  it('refuses the old key at once on every replica, whatever it kept in its read cache', async () => {
    const url = await sharedStoreUrl();
    const replicas = [await start(url, {})];
    if (TEST_STORE === 'postgres') replicas.push(await start(url, {}));
    for (const replica of replicas)
      expect((await call(replica, 'GET', '/client/v4/user', globalKey())).status).toBe(200);
    const rolled = await call<{ api_key: string }>(
      replicas[0] as TestApp,
      'POST',
      `/__userflare/users/${(replicas[0] as TestApp).userId}/api_key/roll`,
      { 'x-admin-key': BOOTSTRAP.adminKey },
    );
    expect(rolled.status).toBe(200);
    for (const replica of replicas) {
      const old = await call(replica, 'GET', '/client/v4/user', globalKey());
      expect([old.status, codesOf(old.body)]).toEqual([403, [9103]]);
      const fresh = await call(
        replica,
        'GET',
        '/client/v4/user',
        globalKey(BOOTSTRAP.email, rolled.body.result.api_key),
      );
      expect(fresh.status).toBe(200);
    }
  });

  it('is reached through the SDK admin helper', async () => {
    const { UserflareAdmin, NotFoundError } = await import('@userflare/client');
    const admin = new UserflareAdmin({ baseURL: server.origin, adminKey: BOOTSTRAP.adminKey, maxRetries: 0 });
    const rolled = await admin.users.rollApiKey(BOOTSTRAP.email);
    expect(rolled.api_key).toMatch(/^[0-9a-f]{37}$/);
    expect((await sdk(rolled.api_key).user.get()).email).toBe(BOOTSTRAP.email);
    await expect(admin.users.rollApiKey('nobody@example.com')).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe(`USERFLARE_SECRET rotation (${TEST_STORE})`, () => {
  const storedHashes = async (app: BuiltApp, tokenId: string, userId: string) => {
    const token = await app.store.db
      .selectFrom('tokens')
      .select('value_hash')
      .where('id', '=', tokenId)
      .executeTakeFirstOrThrow();
    const user = await app.store.db
      .selectFrom('users')
      .select('api_key_hash')
      .where('id', '=', userId)
      .executeTakeFirstOrThrow();
    return { token: token.value_hash, key: user.api_key_hash };
  };
  const verify = (app: BuiltApp, token: string) =>
    call(app, 'GET', '/client/v4/user/tokens/verify', bearer(token));
  const user = (app: BuiltApp, email: string, key: string) =>
    call(app, 'GET', '/client/v4/user', globalKey(email, key));

  interface Credentials {
    id: string;
    email: string;
    api_key: string;
    token: { id: string; value: string };
  }

  /** Under secret A: a user whose credentials are used after the rotation, and one whose are not. */
  async function credentialsUnderA(url: string): Promise<{ used: Credentials; unused: Credentials }> {
    const first = await start(url, { USERFLARE_SECRET: SECRET_A });
    const create = async (email: string) => {
      const response = await first.app.inject({
        method: 'POST',
        url: '/__userflare/users',
        headers: { 'x-admin-key': BOOTSTRAP.adminKey },
        payload: { email },
      });
      expect(response.statusCode, response.body).toBe(200);
      return (response.json() as Envelope<Credentials>).result;
    };
    const used = await create('used@example.com');
    const unused = await create('unused@example.com');
    expect((await verify(first, used.token.value)).status).toBe(200);
    expect(await storedHashes(first, used.token.id, used.id)).toEqual({
      token: hmac(SECRET_A, used.token.value),
      key: hmac(SECRET_A, used.api_key),
    });
    await first.close();
    return { used, unused };
  }

  it('keeps credentials hashed under a previous secret working, re-hashes them on first use, and refuses the unused ones once the secret is dropped', async () => {
    const url = await sharedStoreUrl();
    const { used, unused } = await credentialsUnderA(url);

    const rotating = await start(url, { USERFLARE_SECRET: SECRET_B, USERFLARE_SECRET_PREVIOUS: SECRET_A });
    expect((await verify(rotating, used.token.value)).status).toBe(200);
    expect((await user(rotating, used.email, used.api_key)).status).toBe(200);
    expect(await storedHashes(rotating, used.token.id, used.id)).toEqual({
      token: hmac(SECRET_B, used.token.value),
      key: hmac(SECRET_B, used.api_key),
    });
    // Again, now found at once under the current secret.
    expect((await verify(rotating, used.token.value)).status).toBe(200);
    expect((await user(rotating, used.email, used.api_key)).status).toBe(200);
    // Wrong values stay wrong with previous secrets listed.
    const unknown = await verify(rotating, 'Zz9_unknown_token_value_0123456789abcdef');
    expect([unknown.status, codesOf(unknown.body)]).toEqual([401, [1000]]);
    const wrongKey = await user(rotating, used.email, '0'.repeat(37));
    expect([wrongKey.status, codesOf(wrongKey.body)]).toEqual([403, [9103]]);
    // The unused user's hashes are still those made under A.
    expect(await storedHashes(rotating, unused.token.id, unused.id)).toEqual({
      token: hmac(SECRET_A, unused.token.value),
      key: hmac(SECRET_A, unused.api_key),
    });
    await rotating.close();

    const rotated = await start(url, { USERFLARE_SECRET: SECRET_B });
    expect((await verify(rotated, used.token.value)).status).toBe(200);
    expect((await user(rotated, used.email, used.api_key)).status).toBe(200);
    const refusedToken = await call(rotated, 'GET', '/client/v4/user', bearer(unused.token.value));
    expect([refusedToken.status, codesOf(refusedToken.body)]).toEqual([403, [9109]]);
    const refusedKey = await user(rotated, unused.email, unused.api_key);
    expect([refusedKey.status, codesOf(refusedKey.body)]).toEqual([403, [9103]]);
  });

  it('authenticates every one of many concurrent requests presenting credentials hashed under a previous secret', async () => {
    const url = await sharedStoreUrl();
    const { used } = await credentialsUnderA(url);
    const env = { USERFLARE_SECRET: SECRET_B, USERFLARE_SECRET_PREVIOUS: SECRET_A };
    // On PostgreSQL, two replicas on the one database, as behind a load balancer.
    const replicas = [await start(url, env)];
    if (TEST_STORE === 'postgres') replicas.push(await start(url, env));
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => {
        const replica = replicas[i % replicas.length] as TestApp;
        return i % 2 === 0 ? verify(replica, used.token.value) : user(replica, used.email, used.api_key);
      }),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(12).fill(200));
    expect(await storedHashes(replicas[0] as TestApp, used.token.id, used.id)).toEqual({
      token: hmac(SECRET_B, used.token.value),
      key: hmac(SECRET_B, used.api_key),
    });
  });

  it('keeps a dashboard session across the rotation and the re-hash of its credential', async () => {
    const url = await sharedStoreUrl();
    const { used } = await credentialsUnderA(url);
    const first = await start(url, { USERFLARE_SECRET: SECRET_A });
    const { response, cookie } = await signIn(first, { token: used.token.value });
    expect(response.statusCode, response.body).toBe(200);
    await first.close();

    const rotating = await start(url, { USERFLARE_SECRET: SECRET_B, USERFLARE_SECRET_PREVIOUS: SECRET_A });
    const asSession = () =>
      rotating.app.inject({
        url: '/dashboard/api/client/v4/user/tokens/verify',
        headers: fromDashboard(cookie),
      });
    expect((await asSession()).statusCode).toBe(200);
    // The token is presented directly: its row is re-hashed, and the session follows it.
    expect((await verify(rotating, used.token.value)).status).toBe(200);
    const after = await asSession();
    expect(after.statusCode, after.body).toBe(200);
  });
});
