import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { countRows, digestStore, EXAMPLE_FIXTURE_PATH, exampleFixture } from '../helpers/admin-plane.js';
import {
  BOOTSTRAP,
  bearer,
  createTestApp,
  globalKey,
  startTestServer,
  type TestServer,
} from '../helpers/test-server.js';
import {
  ADMIN_KEY_LINE,
  buildCli,
  CliProcesses,
  closedPort,
  type Finished,
  TOKEN_LINE,
} from './helpers/cli-process.js';

// `userflare seed`, `userflare reset` and `userflare serve --seed` (README, "Seeding data"), run as
// the built binary against a real server.

const LOADED_LINE =
  'loaded 2 users, 1 rate plans, 3 organizations, 2 invites, 2 subscriptions, 3 billing history, 1 billing profiles';
const ALICE_LINE =
  /^user alice@example\.com: global API key ([0-9a-f]{37}), API token (cfut_[0-9A-Za-z]{46})$/m;
const BOB_LINE = /^user bob@example\.com: global API key ([0-9a-f]{37})$/m;

let scratch: string;
const cli = new CliProcesses(() => scratch);

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'userflare-cli-seed-'));
  await buildCli();
}, 180_000);

afterEach(() => {
  cli.killAll();
});

afterAll(() => {
  cli.killAll();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** Writes `content` (JSON unless a string) to a file in the scratch dir and returns its path. */
function writeScratch(name: string, content: unknown): string {
  const path = join(scratch, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
}

/** The example fixture with an unknown organization in its second invite. */
function badFixtureFile(): string {
  const fixture = exampleFixture();
  const invite = fixture.invites?.[1];
  if (!invite) throw new Error('the example fixture has no invites[1]');
  invite.organization = 'Nope';
  return writeScratch('bad-fixture.json', fixture);
}

/**
 * A fresh store for one `serve`: a PostgreSQL schema of its own when USERFLARE_TEST_DATABASE_URL names
 * a server (the store's I/O there lets requests in while a fixture loads; SQLite's synchronous
 * driver holds them until it is done), else `url` is undefined: SQLite in the data dir.
 */
async function freshStoreUrl(): Promise<{ url: string | undefined; drop(): Promise<void> }> {
  const runUrl = process.env.USERFLARE_TEST_DATABASE_URL;
  if (!runUrl) return { url: undefined, drop: async () => {} };
  const schema = `cli_${randomBytes(8).toString('hex')}`;
  const sqlOn = async (statement: string) => {
    const client = new pg.Client({ connectionString: runUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await sqlOn(`create schema "${schema}"`);
  const url = new URL(runUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return { url: url.toString(), drop: () => sqlOn(`drop schema if exists "${schema}" cascade`) };
}

function expectFailed(result: Finished): void {
  expect(result.code, `stdout: ${result.stdout}\nstderr: ${result.stderr}`).not.toBe(0);
  expect(result.code).not.toBeNull();
}

async function getJson<T>(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; result: T }> {
  const response = await fetch(url, { headers });
  const body = (await response.json()) as { result: T };
  return { status: response.status, result: body.result };
}

describe('userflare seed against a running server', () => {
  let server: TestServer;

  beforeEach(async () => {
    server = await startTestServer();
  });

  afterEach(async () => {
    await server.close();
  });

  const adminFlags = () => ['--url', server.origin, '--admin-key', BOOTSTRAP.adminKey];

  it('loads the fixture, prints the counts and the created users’ secrets, and those secrets work', async () => {
    const result = await cli.run(['seed', EXAMPLE_FIXTURE_PATH, ...adminFlags()]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(`loading ${EXAMPLE_FIXTURE_PATH} into ${server.origin}`);
    expect(result.stdout).toContain(LOADED_LINE);
    const alice = ALICE_LINE.exec(result.stdout);
    const bob = BOB_LINE.exec(result.stdout);
    expect(alice, result.stdout).not.toBeNull();
    expect(bob, result.stdout).not.toBeNull();

    const asAlice = await getJson<{ email: string }>(`${server.baseURL}/user`, bearer(alice?.[2] ?? ''));
    expect(asAlice).toEqual({ status: 200, result: expect.objectContaining({ email: 'alice@example.com' }) });
    const aliceByKey = await getJson<{ email: string }>(
      `${server.baseURL}/user`,
      globalKey('alice@example.com', alice?.[1] ?? ''),
    );
    expect(aliceByKey.status).toBe(200);
    const asBob = await getJson<{ email: string }>(
      `${server.baseURL}/user`,
      globalKey('bob@example.com', bob?.[1] ?? ''),
    );
    expect(asBob).toEqual({ status: 200, result: expect.objectContaining({ email: 'bob@example.com' }) });
    const invites = await getJson<unknown[]>(`${server.baseURL}/user/invites`, bearer(BOOTSTRAP.token));
    expect(invites.result).toHaveLength(2);
  });

  it('reads the server and the admin key from USERFLARE_URL and USERFLARE_ADMIN_KEY', async () => {
    const result = await cli.run(['seed', EXAMPLE_FIXTURE_PATH], {
      USERFLARE_URL: `${server.origin}/`,
      USERFLARE_ADMIN_KEY: BOOTSTRAP.adminKey,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(LOADED_LINE);
  });

  it('exits non-zero printing the server’s error that names the bad entry, and loads nothing', async () => {
    const before = await digestStore(server.store);
    const result = await cli.run(['seed', badFixtureFile(), ...adminFlags()]);
    expectFailed(result);
    expect(result.stderr).toContain('HTTP 400');
    expect(result.stderr).toContain('1004: invites[1].organization: no organization with id or name "Nope"');
    expect(result.stdout).not.toContain('loaded');
    expect(await digestStore(server.store)).toEqual(before);
  });

  it('exits non-zero when the same fixture is loaded twice, naming the duplicate user', async () => {
    expect((await cli.run(['seed', EXAMPLE_FIXTURE_PATH, ...adminFlags()])).code).toBe(0);
    const before = await digestStore(server.store);
    const again = await cli.run(['seed', EXAMPLE_FIXTURE_PATH, ...adminFlags()]);
    expectFailed(again);
    expect(again.stderr).toContain('users[0].email');
    expect(await digestStore(server.store)).toEqual(before);
  });

  it('exits non-zero naming a fixture file that does not exist', async () => {
    const before = await digestStore(server.store);
    const missing = join(scratch, 'no-such-fixture.json');
    const result = await cli.run(['seed', missing, ...adminFlags()]);
    expectFailed(result);
    expect(result.stderr).toContain(missing);
    expect(result.stderr).toMatch(/cannot read|ENOENT/);
    expect(await digestStore(server.store)).toEqual(before);
  });

  it('exits non-zero naming a fixture file that is not JSON', async () => {
    const before = await digestStore(server.store);
    const file = writeScratch('not-json.json', 'users:\n  - email: alice@example.com\n');
    const result = await cli.run(['seed', file, ...adminFlags()]);
    expectFailed(result);
    expect(result.stderr).toContain(file);
    expect(result.stderr).toContain('not valid JSON');
    expect(await digestStore(server.store)).toEqual(before);
  });

  it('exits non-zero without an admin key, saying to pass --admin-key or set USERFLARE_ADMIN_KEY', async () => {
    const before = await digestStore(server.store);
    const result = await cli.run(['seed', EXAMPLE_FIXTURE_PATH, '--url', server.origin]);
    expectFailed(result);
    expect(result.stderr).toContain('--admin-key');
    expect(result.stderr).toContain('USERFLARE_ADMIN_KEY');
    expect(await digestStore(server.store)).toEqual(before);
  });

  it('exits non-zero for a wrong admin key, printing the server’s 1401', async () => {
    const before = await digestStore(server.store);
    const result = await cli.run([
      'seed',
      EXAMPLE_FIXTURE_PATH,
      '--url',
      server.origin,
      '--admin-key',
      'wrong-admin-key-0123456789',
    ]);
    expectFailed(result);
    expect(result.stderr).toContain('HTTP 401');
    expect(result.stderr).toContain('1401');
    expect(await digestStore(server.store)).toEqual(before);
  });

  it('exits non-zero without a fixture file, saying how to call it', async () => {
    const result = await cli.run(['seed', ...adminFlags()]);
    expectFailed(result);
    expect(result.stderr).toContain('userflare seed <fixture.json>');
  });
});

describe('userflare seed against no server', () => {
  it('exits non-zero for an unreachable URL, saying to start userflare serve or pass --url', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const result = await cli.run([
      'seed',
      EXAMPLE_FIXTURE_PATH,
      '--url',
      url,
      '--admin-key',
      BOOTSTRAP.adminKey,
    ]);
    expectFailed(result);
    expect(result.stderr).toContain(url);
    expect(result.stderr).toContain('userflare serve');
    expect(result.stderr).toContain('--url');
  });

  it('exits non-zero when the URL answers something that is not userflare', async () => {
    const other: Server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' }).end('<html>hello</html>');
    });
    await new Promise<void>((resolveListen) => other.listen(0, '127.0.0.1', resolveListen));
    try {
      const address = other.address();
      if (typeof address !== 'object' || address === null) throw new Error('did not bind');
      const url = `http://127.0.0.1:${address.port}`;
      const result = await cli.run([
        'seed',
        EXAMPLE_FIXTURE_PATH,
        '--url',
        url,
        '--admin-key',
        BOOTSTRAP.adminKey,
      ]);
      expectFailed(result);
      expect(result.stderr).toContain(url);
      expect(result.stderr).toContain('is it userflare?');
    } finally {
      await new Promise<void>((resolveClose) => other.close(() => resolveClose()));
    }
  });
});

describe('userflare reset', () => {
  let server: TestServer;

  beforeEach(async () => {
    server = await startTestServer();
  });

  afterEach(async () => {
    await server.close();
  });

  it('returns a running server to its bootstrap state', async () => {
    const fresh = await createTestApp();
    const bootstrapCounts = await countRows(fresh.store);
    await fresh.close();

    const seeded = await cli.run([
      'seed',
      EXAMPLE_FIXTURE_PATH,
      '--url',
      server.origin,
      '--admin-key',
      BOOTSTRAP.adminKey,
    ]);
    expect(seeded.code, seeded.stderr).toBe(0);
    const aliceToken = ALICE_LINE.exec(seeded.stdout)?.[2] ?? '';

    const result = await cli.run(['reset', '--url', server.origin, '--admin-key', BOOTSTRAP.adminKey]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`reset: bootstrap user ${BOOTSTRAP.email}`);
    // The environment fixes the bootstrap secrets, so there is nothing new to show.
    expect(result.stdout).not.toContain('shown once');

    expect(await countRows(server.store)).toEqual(bootstrapCounts);
    expect((await getJson(`${server.baseURL}/user`, bearer(aliceToken))).status).toBe(403);
    const me = await getJson<{ email: string; organizations: unknown[] }>(
      `${server.baseURL}/user`,
      bearer(BOOTSTRAP.token),
    );
    expect(me).toEqual({
      status: 200,
      result: expect.objectContaining({ email: BOOTSTRAP.email, organizations: [] }),
    });
  });

  it('with --to start returns to the state right after start, keeping the bootstrap secrets', async () => {
    const before = await digestStore(server.store);
    const seeded = await cli.run([
      'seed',
      EXAMPLE_FIXTURE_PATH,
      '--url',
      server.origin,
      '--admin-key',
      BOOTSTRAP.adminKey,
    ]);
    expect(seeded.code, seeded.stderr).toBe(0);
    expect(await digestStore(server.store)).not.toEqual(before);

    const result = await cli.run([
      'reset',
      '--to',
      'start',
      '--url',
      server.origin,
      '--admin-key',
      BOOTSTRAP.adminKey,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`reset to start: bootstrap user ${BOOTSTRAP.email}`);
    expect(await digestStore(server.store)).toEqual(before);
    expect((await getJson(`${server.baseURL}/user`, bearer(BOOTSTRAP.token))).status).toBe(200);
  });

  it('refuses --to with anything but empty or start', async () => {
    const result = await cli.run(['reset', '--to', 'yesterday', '--admin-key', BOOTSTRAP.adminKey]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--to must be empty or start, got "yesterday"');
  });

  it('exits non-zero for a wrong admin key and resets nothing', async () => {
    await cli.run(['seed', EXAMPLE_FIXTURE_PATH, '--url', server.origin, '--admin-key', BOOTSTRAP.adminKey]);
    const before = await digestStore(server.store);
    const result = await cli.run([
      'reset',
      '--url',
      server.origin,
      '--admin-key',
      'wrong-admin-key-0123456789',
    ]);
    expectFailed(result);
    expect(result.stderr).toContain('1401');
    expect(await digestStore(server.store)).toEqual(before);
  });
});

describe('userflare serve --seed', () => {
  it('seeds a fresh store before serving and prints the counts; a second start on the same dir skips --seed', async () => {
    const dataDir = join(scratch, 'seeded');
    const first = await cli.serve(['--port', '0', '--data', dataDir, '--seed', EXAMPLE_FIXTURE_PATH]);
    expect(first.url).not.toMatch(/:4010$/);
    await first.waitFor(/^loaded .*$/m);
    const token = (await first.waitFor(TOKEN_LINE))[1] as string;
    const aliceToken = (await first.waitFor(ALICE_LINE))[2] as string;
    await first.waitFor(BOB_LINE);
    expect(first.stdout()).toContain(LOADED_LINE);

    const invites = await getJson<{ organization_name: string }[]>(
      `${first.url}/client/v4/user/invites`,
      bearer(token),
    );
    expect(invites.status).toBe(200);
    expect(invites.result.map((i) => i.organization_name).sort()).toEqual(['Globex', 'Initech']);
    const asAlice = await getJson<{ email: string }>(`${first.url}/client/v4/user`, bearer(aliceToken));
    expect(asAlice.result.email).toBe('alice@example.com');
    expect(await cli.terminate(first)).toEqual({ code: 0, signal: null });

    const second = await cli.serve(['--port', '0', '--data', dataDir, '--seed', EXAMPLE_FIXTURE_PATH]);
    await second.waitFor(/--seed skipped/);
    const again = await getJson<unknown[]>(`${second.url}/client/v4/user/invites`, bearer(token));
    expect(again.result).toHaveLength(2);
    expect((await getJson(`${second.url}/client/v4/user`, bearer(aliceToken))).status).toBe(200);
    expect(await cli.terminate(second)).toEqual({ code: 0, signal: null });
    expect(second.stdout()).toContain('the store already holds data: --seed skipped');
    expect(second.stdout()).not.toContain('loaded ');
    expect(second.stdout()).not.toContain('shown once');
  });

  it('answers no API request from an unseeded store, nor says ready, while --seed is loading', async () => {
    const fixture = exampleFixture();
    // Many users first, so that loading takes long enough to be watched; the billing profile comes last.
    const load = Array.from({ length: 1000 }, (_, i) => ({ email: `load-${i}@example.com`, token: false }));
    fixture.users = [...load, ...(fixture.users ?? [])];
    const file = writeScratch('large-fixture.json', fixture);
    const store = await freshStoreUrl();
    try {
      const port = await closedPort();
      const origin = `http://127.0.0.1:${port}`;
      const args = ['--port', String(port), '--data', join(scratch, 'watched'), '--seed', file];
      const starting = cli.serve([...args, ...(store.url ? ['--database-url', store.url] : [])], {
        USERFLARE_BOOTSTRAP_TOKEN: BOOTSTRAP.token,
      });
      let started = false;
      const settled = starting.finally(() => {
        started = true;
      });

      /** What a client sees; undefined while nothing listens. */
      const probe = async (path: string) => {
        try {
          const response = await fetch(`${origin}${path}`, { headers: bearer(BOOTSTRAP.token) });
          return { status: response.status, text: await response.text() };
        } catch {
          return undefined;
        }
      };
      const premature = new Set<string>();
      while (!started) {
        const profile = await probe('/client/v4/user/billing/profile');
        if (profile?.status === 200 && !profile.text.includes('Acme Corp'))
          premature.add('GET /user/billing/profile answered 200 without the fixture’s profile');
        if ((await probe('/readyz'))?.status === 200) {
          const after = await probe('/client/v4/user/billing/profile');
          if (!after?.text.includes('Acme Corp'))
            premature.add('/readyz answered 200 while the fixture was not loaded yet');
        }
        await new Promise((resolveSleep) => setTimeout(resolveSleep, 5));
      }
      const serving = await settled;
      await serving.waitFor(/^loaded 1002 users/m);
      expect([...premature]).toEqual([]);
      expect(await cli.terminate(serving)).toEqual({ code: 0, signal: null });
    } finally {
      await store.drop();
    }
  });

  it('exits non-zero for a bad fixture naming the entry, and leaves the data dir fresh for the next start', async () => {
    const dataDir = join(scratch, 'refused');
    const refused = await cli.run(['serve', '--port', '0', '--data', dataDir, '--seed', badFixtureFile()]);
    expectFailed(refused);
    expect(refused.stderr).toContain('invites[1].organization');
    expect(refused.stderr).toContain('nothing was loaded');
    expect(refused.stdout).not.toContain('userflare listening');
    expect(refused.stdout).not.toContain('shown once');

    const next = await cli.serve(['--port', '0', '--data', dataDir]);
    const token = (await next.waitFor(TOKEN_LINE))[1] as string;
    await next.waitFor(ADMIN_KEY_LINE);
    const me = await getJson<{ email: string; organizations: unknown[] }>(
      `${next.url}/client/v4/user`,
      bearer(token),
    );
    expect(me).toEqual({
      status: 200,
      result: expect.objectContaining({ email: 'admin@example.com', organizations: [] }),
    });
    const invites = await getJson<unknown[]>(`${next.url}/client/v4/user/invites`, bearer(token));
    expect(invites.result).toEqual([]);
    expect(await cli.terminate(next)).toEqual({ code: 0, signal: null });
  });

  it('exits non-zero for a --seed file that does not exist, naming it, and starts fresh afterwards', async () => {
    const dataDir = join(scratch, 'missing-seed');
    const missing = join(scratch, 'no-such-seed.json');
    const refused = await cli.run(['serve', '--port', '0', '--data', dataDir, '--seed', missing]);
    expectFailed(refused);
    expect(refused.stderr).toContain(missing);
    expect(refused.stdout).not.toContain('userflare listening');

    const next = await cli.serve(['--port', '0', '--data', dataDir]);
    const token = (await next.waitFor(TOKEN_LINE))[1] as string;
    expect((await getJson(`${next.url}/client/v4/user`, bearer(token))).status).toBe(200);
    expect(await cli.terminate(next)).toEqual({ code: 0, signal: null });
  });
});
