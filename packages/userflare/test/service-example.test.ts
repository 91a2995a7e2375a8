import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import Cloudflare from 'cloudflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChildServer, startChildServer } from './helpers/child-server.js';
import { BOOTSTRAP } from './helpers/test-server.js';
import { createTestDatabase, type TestDatabase } from './helpers/test-store.js';

// docs/service.md's example configuration, started as `userflare serve` with only its database, ports
// and secrets replaced: what the page promises must hold for the file it ships.

const EXAMPLE = resolve(import.meta.dirname, '../../../examples/service/userflare.env');
const ADMIN_KEY = randomBytes(24).toString('base64url');

let database: TestDatabase;
let server: ChildServer;
let settings: NodeJS.Dict<string>;
let adminUrl: string;

beforeAll(async () => {
  settings = parseEnv(readFileSync(EXAMPLE, 'utf8'));
  database = await createTestDatabase();
  server = await startChildServer(
    {
      ...(settings as Record<string, string>),
      USERFLARE_DATABASE_URL: database.url,
      USERFLARE_ADMIN_LISTEN: '127.0.0.1:0',
      USERFLARE_SECRET: randomBytes(32).toString('base64url'),
      USERFLARE_ADMIN_KEY: ADMIN_KEY,
      USERFLARE_BOOTSTRAP_TOKEN: BOOTSTRAP.token,
      USERFLARE_BOOTSTRAP_API_KEY: BOOTSTRAP.apiKey,
    },
    { logLevel: 'warn' },
  );
  adminUrl = /admin plane: (http:\/\/\S+)\/__userflare \(its own listener/.exec(server.output())?.[1] ?? '';
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await database?.drop();
});

const admin = (path: string, init: RequestInit = {}) =>
  fetch(`${adminUrl}${path}`, { ...init, headers: { 'x-admin-key': ADMIN_KEY, ...init.headers } });

describe('examples/service/userflare.env', () => {
  it('sets what docs/service.md says it sets', () => {
    expect(settings).toMatchObject({
      USERFLARE_MODE: 'service',
      USERFLARE_ADMIN_LISTEN: '127.0.0.1:4011',
      USERFLARE_RATE_LIMIT: 'cloudflare',
      USERFLARE_TRUST_PROXY: '127.0.0.1,::1',
    });
    expect(settings.USERFLARE_DATABASE_URL).toMatch(/^postgres:\/\//);
    // No secret in the file: they come from secrets.env.
    for (const name of ['USERFLARE_SECRET', 'USERFLARE_ADMIN_KEY', 'USERFLARE_BOOTSTRAP_TOKEN']) {
      expect(settings[name], name).toBeUndefined();
    }
  });

  it('starts in service mode with the admin plane on its own listener', () => {
    expect(server.output()).toContain('mode: service');
    expect(adminUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(adminUrl).not.toBe(server.origin);
  });

  it('serves the API to the official SDK', async () => {
    const cloudflare = new Cloudflare({ apiToken: BOOTSTRAP.token, baseURL: server.baseURL, maxRetries: 0 });
    expect((await cloudflare.user.tokens.verify()).status).toBe('active');
    const created = await cloudflare.user.tokens.create({
      name: 'deploys',
      policies: [
        {
          effect: 'allow',
          permission_groups: [{ id: '8acbe5bb0d54464ab867149d7f7cf8ac' }],
          resources: { 'com.cloudflare.api.user.*': '*' },
        },
      ],
    });
    expect(created.value).toMatch(/^cfut_/);
  });

  it('keeps the admin plane off the API port, and serves users and /metrics on its own', async () => {
    const onApiPort = await fetch(`${server.origin}/__userflare/users`, {
      method: 'POST',
      headers: { 'x-admin-key': ADMIN_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ops@example.com' }),
    });
    expect(onApiPort.status).toBe(400);
    expect((await onApiPort.json()).errors.map((e: { code: number }) => e.code)).toEqual([7003, 7000]);

    const created = await admin('/__userflare/users', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ops@example.com' }),
    });
    expect(created.status).toBe(200);
    expect((await admin('/__userflare/clock')).status).toBe(400);

    const metrics = await fetch(`${adminUrl}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('userflare_http_requests_total');
    expect((await fetch(`${server.origin}/metrics`)).status).not.toBe(200);
  });
});
