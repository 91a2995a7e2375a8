import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Cloudflare, { AuthenticationError } from 'cloudflare';
import pg from 'pg';
import { buildApp, loadConfig } from 'userflare';
import { connectUserflare, startUserflare, type UserflareServer } from 'userflare/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { EXAMPLE_FIXTURE_PATH } from './helpers/admin-plane.js';
import { TEST_STORE } from './helpers/test-store.js';

// `userflare/testing` as a test suite uses it (issue 12): the real server in this process, driven by
// the official SDK, on in-memory SQLite — or, in the PostgreSQL project, on a schema of its own.

const postgresUrl = TEST_STORE === 'postgres' ? inject('postgresUrl') : undefined;
const databaseUrl = postgresUrl ? { databaseUrl: postgresUrl } : {};

const USER_DETAILS_READ = '8acbe5bb0d54464ab867149d7f7cf8ac';

function sdk(world: { baseURL: string; token: string }, token = world.token): Cloudflare {
  return new Cloudflare({ apiToken: token, baseURL: world.baseURL, maxRetries: 0 });
}

function createReader(cf: Cloudflare, extra: { expires_on?: string } = {}) {
  return cf.user.tokens.create({
    name: 'reader',
    policies: [
      {
        effect: 'allow',
        permission_groups: [{ id: USER_DETAILS_READ }],
        resources: { 'com.cloudflare.api.user.*': '*' },
      },
    ],
    ...extra,
  });
}

async function tokenNames(cf: Cloudflare): Promise<string[]> {
  const names: string[] = [];
  for await (const token of cf.user.tokens.list()) names.push(token.name ?? '');
  return names.sort();
}

describe('startUserflare', () => {
  let uf: UserflareServer;
  let cf: Cloudflare;

  beforeAll(async () => {
    uf = await startUserflare({ fixture: EXAMPLE_FIXTURE_PATH, ...databaseUrl });
    cf = sdk(uf);
  });
  afterAll(() => uf.close());
  beforeEach(() => uf.reset());

  it('serves the API on 127.0.0.1 and a free port, and its generated token verifies with the official SDK', async () => {
    expect(uf.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(uf.baseURL).toBe(`${uf.url}/client/v4`);
    expect(uf.token).toMatch(/^cfut_/);
    expect(uf.apiKey).toMatch(/^[0-9a-f]{37}$/);
    expect(uf.email).toBe('admin@example.com');
    expect(uf.connection).toEqual({
      url: uf.url,
      adminKey: uf.adminKey,
      token: uf.token,
      apiKey: uf.apiKey,
      email: uf.email,
    });
    expect(await cf.user.tokens.verify()).toMatchObject({ status: 'active' });
    const byKey = new Cloudflare({ apiEmail: uf.email, apiKey: uf.apiKey, baseURL: uf.baseURL });
    expect((await byKey.user.get()).email).toBe('admin@example.com');
  });

  it('loads the fixture at start', async () => {
    const names: string[] = [];
    for await (const organization of cf.user.organizations.list()) names.push(organization.name ?? '');
    expect(names).toContain('Acme Corp');
  });

  it('reset() returns the store to its state right after start, fixture included, with the same secrets', async () => {
    const before = await tokenNames(cf);
    const auditBefore = (await cf.user.auditLogs.list({ per_page: 100 })).result;
    await createReader(cf);
    await cf.user.edit({ first_name: 'Changed' });
    const acme = '023e105f4ecef8ad9ca31a8372d0c353';
    await cf.user.organizations.delete(acme).catch(() => undefined);
    expect(await tokenNames(cf)).toEqual([...before, 'reader'].sort());

    await uf.reset();

    expect(await tokenNames(cf)).toEqual(before);
    expect((await cf.user.get()).first_name).not.toBe('Changed');
    expect(((await cf.user.organizations.get(acme)) as { name?: string }).name).toBe('Acme Corp');
    expect(await cf.user.tokens.verify()).toMatchObject({ status: 'active' });
    expect((await cf.user.auditLogs.list({ per_page: 100 })).result).toEqual(auditBefore);
  });

  it('reset() clears the clock, faults, enforcement mode and journal', async () => {
    await uf.admin.clock.advance(86_400 * 30);
    await uf.admin.faults.add({ path: '/client/v4/user', status: 503 });
    await uf.admin.enforcement.set('report');
    await cf.user.tokens.verify();

    await uf.reset();

    expect(await uf.admin.clock.get()).toMatchObject({ real: true, frozen: false });
    expect(await uf.admin.faults.list()).toEqual([]);
    expect((await uf.admin.enforcement.get()).mode).toBe('enforce');
    expect(await uf.admin.journal.list()).toEqual([]);
    expect((await cf.user.get()).email).toBe('admin@example.com');
  });

  it('lets a token expire with the admin clock, and finds its creation in the audit log', async () => {
    const expiresOn = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const created = await createReader(cf, { expires_on: expiresOn });
    const reader = sdk(uf, created.value as string);
    expect(await reader.user.tokens.verify()).toMatchObject({ status: 'active' });

    await uf.admin.clock.advance(7_200);

    await expect(reader.user.tokens.verify()).rejects.toBeInstanceOf(AuthenticationError);
    const audit = await cf.user.auditLogs.list({ 'action.type': 'create' } as never);
    expect(audit.result.some((entry) => entry.resource?.id === created.id)).toBe(true);
  });
});

describe('namespaces of a harness', () => {
  let uf: UserflareServer;

  beforeAll(async () => {
    uf = await startUserflare(databaseUrl);
  });
  afterAll(() => uf.close());

  it('gives each namespace its own store, token and reset, and close() deletes it', async () => {
    const a = await uf.namespace({ fixture: EXAMPLE_FIXTURE_PATH });
    const b = await uf.namespace({ email: 'b@example.com' });
    expect(a.baseURL).toBe(`${uf.url}/ns/${a.id}/client/v4`);
    expect(b.email).toBe('b@example.com');
    expect(a.token).not.toBe(b.token);

    await createReader(sdk(a));
    expect(await tokenNames(sdk(a))).toContain('reader');
    expect(await tokenNames(sdk(b))).not.toContain('reader');
    expect(await tokenNames(sdk(uf))).not.toContain('reader');
    await expect(sdk(a, uf.token).user.tokens.verify()).rejects.toBeInstanceOf(AuthenticationError);

    await a.reset();
    expect(await tokenNames(sdk(a))).not.toContain('reader');
    const names: string[] = [];
    for await (const organization of sdk(a).user.organizations.list()) names.push(organization.name ?? '');
    expect(names).toContain('Acme Corp');

    await a.close();
    await expect(sdk(a).user.tokens.verify()).rejects.toThrow();
    expect((await uf.admin.namespaces.list()).map((ns) => ns.id)).toEqual([b.id]);
    await b.close();
  });

  it('connectUserflare reaches the same server over HTTP, and its close() deletes only its own namespaces', async () => {
    const mine = await uf.namespace();
    const remote = connectUserflare(uf.connection);
    const theirs = await remote.namespace({ fixture: EXAMPLE_FIXTURE_PATH });
    expect(await sdk(theirs).user.tokens.verify()).toMatchObject({ status: 'active' });
    await remote.reset();
    expect(await sdk(uf).user.tokens.verify()).toMatchObject({ status: 'active' });

    await remote.close();

    expect((await uf.admin.namespaces.list()).map((ns) => ns.id)).toEqual([mine.id]);
    expect(await sdk(uf).user.tokens.verify()).toMatchObject({ status: 'active' });
    await mine.close();
  });

  it('refuses a namespace whose fixture does not load, naming the field, and keeps nothing of it', async () => {
    await expect(
      uf.namespace({
        fixture: {
          organizations: [{ name: 'X', members: [{ user: 'ghost@example.com', roles: ['Administrator'] }] }],
        },
      }),
    ).rejects.toThrow(/ghost@example\.com/);
    expect(await uf.admin.namespaces.list()).toEqual([]);
  });
});

describe('the options of startUserflare', () => {
  it('takes the credentials it is given, and starts the clock frozen where asked', async () => {
    const token = 'harnessHarnessHarnessHarnessHarness12345';
    const apiKey = 'abcdef0123456789abcdef0123456789abcde';
    await using uf = await startUserflare({
      token,
      apiKey,
      email: 'tester@example.com',
      adminKey: 'a-harness-admin-key',
      clock: { at: '2030-01-01T00:00:00Z', frozen: true },
      ...databaseUrl,
    });
    expect(uf).toMatchObject({ token, apiKey, email: 'tester@example.com', adminKey: 'a-harness-admin-key' });
    const cf = sdk(uf);
    const [bootstrap] = (await cf.user.tokens.list()).result;
    expect(bootstrap?.issued_on).toBe('2030-01-01T00:00:00Z');
    await uf.admin.clock.advance(60);
    expect((await uf.admin.clock.get()).now).toBe('2030-01-01T00:01:00Z');
    await uf.reset();
    expect(await uf.admin.clock.get()).toMatchObject({ now: '2030-01-01T00:00:00Z', frozen: false });
  });

  it('runs the clock on from a start time given alone', async () => {
    await using uf = await startUserflare({ clock: new Date('2031-06-01T12:00:00Z'), ...databaseUrl });
    const now = Date.parse((await uf.admin.clock.get()).now);
    expect(now - Date.parse('2031-06-01T12:00:00Z')).toBeGreaterThanOrEqual(0);
    expect(now - Date.parse('2031-06-01T12:00:00Z')).toBeLessThan(60_000);
  });
});

describe('harness errors', () => {
  let scratch: string;
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'userflare-harness-'));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('says which port is taken and what to pass instead', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      await expect(startUserflare({ port, ...databaseUrl })).rejects.toThrow(
        `port ${port} on 127.0.0.1 is taken: pass another \`port\``,
      );
    } finally {
      blocker.close();
    }
  });

  it('gives a fixture file that cannot be read or parsed its own error', async () => {
    await expect(startUserflare({ fixture: join(scratch, 'missing.json') })).rejects.toThrow(
      /cannot read fixture .*missing\.json: ENOENT/,
    );
    const broken = join(scratch, 'broken.json');
    writeFileSync(broken, '{ "users": [ ');
    await expect(startUserflare({ fixture: broken })).rejects.toThrow(/broken\.json is not valid JSON/);
  });

  it('gives a refused fixture every refused field', async () => {
    const error = await startUserflare({
      fixture: {
        users: [{ email: 'not-an-email' }],
        organizations: [{ name: 'X', members: [{ user: 'x', roles: [] }] }],
      },
      ...databaseUrl,
    }).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/fixture was refused and nothing was loaded/);
    expect((error as Error).message).toMatch(/users\[0\]\.email/);
  });

  it('refuses a store that already holds data rather than serve tokens it does not have', async () => {
    if (TEST_STORE !== 'sqlite') return;
    const file = join(scratch, 'kept.db');
    const first = await startUserflare({ databaseUrl: `sqlite:${file}` });
    await first.close();
    await expect(startUserflare({ databaseUrl: `sqlite:${file}` })).rejects.toThrow(/already holds data/);
  });

  it('throws a clear error when used after close()', async () => {
    const uf = await startUserflare(databaseUrl);
    await uf.close();
    await uf.close();
    await expect(uf.reset()).rejects.toThrow('this userflare server is closed');
    await expect(uf.namespace()).rejects.toThrow('this userflare server is closed');
    await expect(uf.admin.journal.list()).rejects.toThrow('this userflare server is closed');
  });
});

describe('POST /__userflare/reset {"to":"start"}', () => {
  it('answers 409 1411 on a server that started on a store that already held data', async () => {
    if (TEST_STORE !== 'sqlite') return;
    const dir = mkdtempSync(join(tmpdir(), 'userflare-reset-'));
    const config = loadConfig({ USERFLARE_DATA_DIR: dir, USERFLARE_ADMIN_KEY: 'reset-test-admin-key' });
    try {
      await (await buildApp(config)).app.close();
      const restarted = await buildApp(config);
      const response = await restarted.app.inject({
        method: 'POST',
        url: '/__userflare/reset',
        headers: { 'x-admin-key': 'reset-test-admin-key' },
        payload: { to: 'start' },
      });
      await restarted.app.close();
      expect(response.statusCode).toBe(409);
      expect(response.json().errors).toMatchObject([{ code: 1411 }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a harness on PostgreSQL', () => {
  it('works in a schema of its own and drops it at close()', async () => {
    if (!postgresUrl) return;
    const uf = await startUserflare({ databaseUrl: postgresUrl });
    const schemas = async () => {
      const client = new pg.Client({ connectionString: postgresUrl });
      await client.connect();
      try {
        const { rows } = await client.query<{ name: string }>(
          "select nspname as name from pg_namespace where nspname like 'userflare_test_%'",
        );
        return rows.map((row) => row.name);
      } finally {
        await client.end();
      }
    };
    const during = await schemas();
    expect(during.length).toBeGreaterThan(0);
    await uf.close();
    const after = await schemas();
    expect(after.length).toBe(during.length - 1);
  });
});
