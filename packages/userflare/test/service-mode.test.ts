import { UserflareAdmin } from '@userflare/client';
import Cloudflare from 'cloudflare';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type RunningServer, startServer } from '../src/index.js';
import { BOOTSTRAP } from './helpers/test-server.js';
import { createTestDatabase, type TestDatabase } from './helpers/test-store.js';

const ADMIN = { 'x-admin-key': BOOTSTRAP.adminKey };

interface Started {
  server: RunningServer;
  banner: string[];
}

const running: { server: RunningServer; database: TestDatabase }[] = [];

afterEach(async () => {
  for (const { server, database } of running.splice(0)) {
    await server.close();
    await database.drop();
  }
});

async function start(env: Record<string, string>, fixture?: unknown): Promise<Started> {
  const database = await createTestDatabase();
  const config = loadConfig({
    PORT: '0',
    USERFLARE_DATABASE_URL: database.url,
    USERFLARE_BOOTSTRAP_TOKEN: BOOTSTRAP.token,
    USERFLARE_BOOTSTRAP_API_KEY: BOOTSTRAP.apiKey,
    USERFLARE_ADMIN_KEY: BOOTSTRAP.adminKey,
    USERFLARE_SECRET: 'test-secret-0123456789abcdef0123456789abcdef',
    ...env,
  });
  const banner: string[] = [];
  try {
    const server = await startServer(config, {
      print: (line) => banner.push(line),
      ...(fixture === undefined ? {} : { fixture }),
    });
    running.push({ server, database });
    return { server, banner };
  } catch (error) {
    await database.drop();
    throw error;
  }
}

async function call(
  origin: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = ADMIN,
): Promise<{ status: number; body: { success: boolean; errors: { code: number }[]; result: unknown } }> {
  const response = await fetch(`${origin}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: await response.json() };
}

/** What any path nobody serves answers: the status and Cloudflare's error codes. */
async function unknownRouteAnswer(origin: string) {
  const answer = await call(origin, 'GET', '/__userflare/no-such-control');
  return { status: answer.status, codes: answer.body.errors.map((e) => e.code) };
}

/** Every emulator control, as a request that would succeed in emulator mode. */
const EMULATOR_CONTROLS: [method: string, path: string, body?: unknown][] = [
  ['GET', '/__userflare/clock'],
  ['PUT', '/__userflare/clock', { frozen: true }],
  ['DELETE', '/__userflare/clock'],
  ['GET', '/__userflare/enforcement'],
  ['PUT', '/__userflare/enforcement', { mode: 'report' }],
  ['GET', '/__userflare/faults'],
  ['POST', '/__userflare/faults', { path: '/client/v4/user', status: 500 }],
  ['DELETE', '/__userflare/faults'],
  ['GET', '/__userflare/snapshots'],
  ['POST', '/__userflare/snapshots', { name: 'clean' }],
  ['GET', '/__userflare/namespaces'],
  ['POST', '/__userflare/namespaces', { id: 'suite-a' }],
  ['GET', '/__userflare/journal'],
  ['DELETE', '/__userflare/journal'],
  ['POST', '/__userflare/tokens/0123456789abcdef0123456789abcdef/leak'],
  ['POST', '/__userflare/reset', {}],
  ['POST', '/__userflare/seed', { users: [{ email: 'seeded@example.com' }] }],
];

describe('USERFLARE_MODE=service', () => {
  it('answers every emulator control as an unknown route, and keeps the rest of the admin plane', async () => {
    const { server, banner } = await start({ USERFLARE_MODE: 'service' });
    const unknown = await unknownRouteAnswer(server.url);
    for (const [method, path, body] of EMULATOR_CONTROLS) {
      const answer = await call(server.url, method, path, body);
      expect(
        { status: answer.status, codes: answer.body.errors.map((e) => e.code) },
        `${method} ${path}`,
      ).toEqual(unknown);
    }
    // Nothing was changed by them: the clock is the wall clock and no user was seeded.
    const created = await call(server.url, 'POST', '/__userflare/users', { email: 'ops@example.com' });
    expect(created.status).toBe(200);
    const organizations = await call(server.url, 'POST', '/__userflare/organizations', { name: 'Ops' });
    expect(organizations.status).toBe(200);
    expect((await call(server.url, 'GET', '/__userflare/rate_plans')).status).toBe(200);
    const explained = await call(server.url, 'POST', '/__userflare/explain', {
      token: BOOTSTRAP.token,
      method: 'GET',
      path: '/client/v4/user',
    });
    expect(explained.body.result).toMatchObject({ allowed: true });
    // No namespace is routed: its paths are unknown ones too.
    const namespaced = await call(server.url, 'GET', '/ns/suite-a/__userflare/no-such-control');
    expect({ status: namespaced.status, codes: namespaced.body.errors.map((e) => e.code) }).toEqual(unknown);
    expect(banner.join('\n')).toContain('mode: service');
  });

  it('still serves the API to the official SDK, and answers its requests with the real time', async () => {
    const { server } = await start({ USERFLARE_MODE: 'service' });
    const cloudflare = new Cloudflare({ apiToken: BOOTSTRAP.token, baseURL: `${server.url}/client/v4` });
    const verified = await cloudflare.user.tokens.verify();
    expect(verified.status).toBe('active');
    const answer = await fetch(`${server.url}/client/v4/user`, {
      headers: { authorization: `Bearer ${BOOTSTRAP.token}` },
    });
    const sent = new Date(answer.headers.get('date') ?? '').getTime();
    expect(Math.abs(sent - Date.now())).toBeLessThan(5_000);
  });

  it('refuses --seed, which loads through the seed route it does not serve', async () => {
    await expect(start({ USERFLARE_MODE: 'service' }, { users: [] })).rejects.toThrow(ConfigError);
    await expect(start({ USERFLARE_MODE: 'service' }, { users: [] })).rejects.toThrow(/service mode/);
  });

  it('says emulator mode in the banner by default, and serves the controls', async () => {
    const { server, banner } = await start({});
    expect(banner.join('\n')).toContain('mode: emulator');
    for (const [method, path, body] of EMULATOR_CONTROLS.slice(0, 3)) {
      expect((await call(server.url, method, path, body)).status, `${method} ${path}`).toBe(200);
    }
  });
});

describe('USERFLARE_ADMIN=off', () => {
  it('removes the admin plane: its routes answer as unknown ones, the API stays', async () => {
    const { server, banner } = await start({ USERFLARE_ADMIN: 'off' });
    const unknown = await unknownRouteAnswer(server.url);
    for (const [method, path, body] of [
      ['POST', '/__userflare/users', { email: 'ops@example.com' }],
      ['GET', '/__userflare/rate_plans'],
      ['GET', '/__userflare/clock'],
    ] as const) {
      const answer = await call(server.url, method, path, body);
      expect({ status: answer.status, codes: answer.body.errors.map((e) => e.code) }).toEqual(unknown);
    }
    const user = await call(server.url, 'GET', '/client/v4/user', undefined, {
      authorization: `Bearer ${BOOTSTRAP.token}`,
    });
    expect(user.status).toBe(200);
    expect(banner.join('\n')).toContain('admin plane: off');
    expect(server.adminUrl).toBeUndefined();
  });
});

describe('USERFLARE_ADMIN_LISTEN', () => {
  it('serves the admin plane on its own listener only', async () => {
    const { server, banner } = await start({ USERFLARE_ADMIN_LISTEN: '127.0.0.1:0' });
    expect(server.adminUrl).toBeDefined();
    const adminUrl = server.adminUrl ?? '';
    expect(adminUrl).not.toBe(server.url);
    expect(banner.join('\n')).toContain(`admin plane: ${adminUrl}/__userflare (its own listener`);

    const onApiPort = await call(server.url, 'POST', '/__userflare/users', { email: 'ops@example.com' });
    expect(onApiPort.status).toBe((await unknownRouteAnswer(server.url)).status);
    expect(onApiPort.body.errors.map((e) => e.code)).toEqual([7003, 7000]);

    const created = await call(adminUrl, 'POST', '/__userflare/users', { email: 'ops@example.com' });
    expect(created.status).toBe(200);
    expect((await call(adminUrl, 'GET', '/__userflare/clock', undefined, {})).status).toBe(401);
    expect((await fetch(`${adminUrl}/healthz`)).status).toBe(200);
    // The API is not served on the admin listener.
    expect((await call(adminUrl, 'GET', '/client/v4/user', undefined, {})).status).not.toBe(200);
  });

  it('is what UserflareAdmin reaches with adminURL, while its API base stays on the API port', async () => {
    const { server } = await start({ USERFLARE_ADMIN_LISTEN: '127.0.0.1:0' });
    const admin = new UserflareAdmin({
      baseURL: server.url,
      adminURL: server.adminUrl,
      adminKey: BOOTSTRAP.adminKey,
      maxRetries: 0,
    });
    expect(admin.apiBaseURL).toBe(`${server.url}/client/v4`);
    await admin.clock.freeze();
    expect((await admin.clock.get()).frozen).toBe(true);

    // A namespace: its API on the API port, its own admin plane on the admin listener only.
    const namespace = await admin.namespaces.create({ id: 'apart' });
    const inside = admin.namespace(namespace.id);
    expect((await inside.clock.get()).frozen).toBe(false);
    const token = namespace.token ?? '';
    const user = await fetch(`${server.url}/ns/apart/client/v4/user`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(user.status).toBe(200);
    expect((await call(server.url, 'GET', '/ns/apart/__userflare/clock')).status).toBe(404);

    const withoutAdminUrl = new UserflareAdmin({
      baseURL: server.url,
      adminKey: BOOTSTRAP.adminKey,
      maxRetries: 0,
    });
    await expect(withoutAdminUrl.clock.get()).rejects.toThrow();
  });

  it('says which setting to change when its port is taken', async () => {
    const { server } = await start({ USERFLARE_ADMIN_LISTEN: '127.0.0.1:0' });
    const taken = new URL(server.adminUrl ?? '').port;
    await expect(start({ USERFLARE_ADMIN_LISTEN: `127.0.0.1:${taken}` })).rejects.toThrow(
      `port ${taken} on 127.0.0.1 is taken: stop the other process or change USERFLARE_ADMIN_LISTEN`,
    );
  });
});

describe('settings', () => {
  it.each([
    [{ USERFLARE_MODE: 'production' }, 'USERFLARE_MODE must be emulator or service, got "production"'],
    [{ USERFLARE_ADMIN: 'no' }, 'USERFLARE_ADMIN must be on or off, got "no"'],
    [{ USERFLARE_ADMIN_LISTEN: 'localhost' }, 'USERFLARE_ADMIN_LISTEN must be <host>:<port>'],
    [
      { USERFLARE_ADMIN_LISTEN: '127.0.0.1:70000' },
      'USERFLARE_ADMIN_LISTEN must be a number from 0 to 65535',
    ],
    [{ USERFLARE_ADMIN: 'off', USERFLARE_ADMIN_LISTEN: '127.0.0.1:4011' }, 'USERFLARE_ADMIN=off removes'],
    [{ USERFLARE_SECRET_PREVIOUS: 'short' }, 'USERFLARE_SECRET_PREVIOUS must be a comma-separated list'],
  ])('refuses %o', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('reads an admin listener as host and port, IPv6 and a bare port included', () => {
    expect(loadConfig({ USERFLARE_ADMIN_LISTEN: '10.0.0.5:4011' }).adminListen).toEqual({
      host: '10.0.0.5',
      port: 4011,
    });
    expect(loadConfig({ USERFLARE_ADMIN_LISTEN: '[::1]:4011' }).adminListen).toEqual({
      host: '::1',
      port: 4011,
    });
    expect(loadConfig({ USERFLARE_ADMIN_LISTEN: '4011' }).adminListen).toEqual({
      host: '127.0.0.1',
      port: 4011,
    });
    expect(loadConfig({}).adminListen).toBeUndefined();
    expect(loadConfig({}).mode).toBe('emulator');
  });
});
