import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TokenCreateResponse, Userflare, UserflareAdmin } from '@userflare/client';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, startServer } from '../../src/index.js';
import { BOOTSTRAP, startTestServer, type TestServer } from '../helpers/test-server.js';
import { buildCli, CliProcesses, closedPort, type Finished } from './helpers/cli-process.js';

// The emulator-control commands (issue 7): clock, snapshot, enforcement, explain, leak, journal, faults
// and namespace, run as the built binary against a real server through the SDK's admin helper.

const USER_DETAILS_READ = '8acbe5bb0d54464ab867149d7f7cf8ac';
const CLOCK_LINE = /^now: (\S+) \((.+)\)$/;

let scratch: string;
let server: TestServer;
let sdk: Userflare;
let admin: UserflareAdmin;
const cli = new CliProcesses(() => scratch);

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'userflare-cli-emulator-'));
  [server] = await Promise.all([startTestServer(), buildCli()]);
  sdk = new Userflare({ baseURL: server.baseURL, apiToken: BOOTSTRAP.token, maxRetries: 0 });
  admin = new UserflareAdmin({ baseURL: server.origin, adminKey: BOOTSTRAP.adminKey, maxRetries: 0 });
}, 180_000);

beforeEach(async () => {
  await admin.clock.reset();
  await admin.faults.clear();
  await admin.enforcement.set('enforce');
});

afterEach(() => {
  cli.killAll();
});

afterAll(async () => {
  cli.killAll();
  await server?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** Runs the binary against the test server with the admin key from the environment. */
function userflare(args: string[], env: Record<string, string> = {}): Promise<Finished> {
  return cli.run([...args, '--url', server.origin], { USERFLARE_ADMIN_KEY: BOOTSTRAP.adminKey, ...env });
}

/** Runs the binary and expects it to succeed, returning its stdout. */
async function succeeds(args: string[], env: Record<string, string> = {}): Promise<string> {
  const result = await userflare(args, env);
  expect(result, result.stderr).toMatchObject({ code: 0, stderr: '' });
  return result.stdout;
}

async function succeedsWithJson<T = Record<string, unknown>>(args: string[]): Promise<T> {
  return JSON.parse(await succeeds([...args, '--json'])) as T;
}

function userDetailsReader(name: string): Promise<TokenCreateResponse> {
  return sdk.user.tokens.create({
    name,
    policies: [
      {
        effect: 'allow',
        permission_groups: [{ id: USER_DETAILS_READ }],
        resources: { [`com.cloudflare.api.user.${server.userId}`]: '*' },
      },
    ],
  });
}

describe('userflare clock', () => {
  it('shows real time by default', async () => {
    const out = await succeeds(['clock']);
    expect(out).toMatch(/^now: \S+ \(real time\)\n$/);
    expect((await succeeds(['clock', 'show'])).trimEnd()).toMatch(CLOCK_LINE);
  });

  it('sets, freezes, advances by a duration, goes back, unfreezes and resets', async () => {
    expect(await succeeds(['clock', 'set', '2030-01-01'])).toMatch(
      /^now: 2030-01-01T00:00:00(\.000)?Z \(running, /,
    );
    expect(await succeeds(['clock', 'freeze'])).toMatch(/\(frozen, (\d+[dhms] ?)+ ahead of real time\)/);
    await succeeds(['clock', 'set', '2030-01-01T00:00:00Z']);
    expect(await succeeds(['clock', 'advance', '2h'])).toMatch(/^now: 2030-01-01T02:00:00Z \(frozen, /);
    expect(await succeeds(['clock', 'advance', '-1d'])).toMatch(/^now: 2029-12-31T02:00:00Z /);
    expect(await succeeds(['clock', 'advance', '90'])).toMatch(/^now: 2029-12-31T02:01:30Z /);
    expect(await succeeds(['clock', 'set', '2001-01-01T00:00:00Z'])).toMatch(
      /\(frozen, \d+d .*behind real time\)$/m,
    );
    expect(await succeeds(['clock', 'unfreeze'])).toMatch(/\(running, /);
    expect(await succeeds(['clock', 'reset'])).toMatch(/\(real time\)$/m);
  });

  it('prints the clock state as JSON with --json', async () => {
    await admin.clock.set({ set: '2030-01-01T00:00:00Z', freeze: true });
    expect(await succeedsWithJson(['clock'])).toEqual({
      now: '2030-01-01T00:00:00Z',
      frozen: true,
      real: false,
      offset_ms: expect.any(Number),
    });
  });

  it.each([
    [['clock', 'set'], 'give exactly one argument: userflare clock set <time>'],
    [['clock', 'set', 'someday'], '"someday" is not a time'],
    [['clock', 'advance', 'soon'], '"soon" is not a duration'],
    [['clock', 'freeze', 'now'], 'clock freeze takes no arguments'],
    [['clock', 'rewind'], 'unknown clock subcommand "rewind"'],
    [['clock', '--bogus'], 'run `userflare clock --help`'],
  ])('exits 2 with a hint for %j', async (args, hint) => {
    const result = await userflare(args);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toContain(hint);
  });
});

describe('userflare snapshot', () => {
  it('saves, lists, restores and deletes; a restore undoes what came after the save', async () => {
    expect(await succeeds(['snapshot', 'save', 'cli-clean'])).toMatch(
      /^saved snapshot "cli-clean" \(\d+ rows\)$/m,
    );
    const token = await userDetailsReader('after the snapshot');
    const list = await succeeds(['snapshot']);
    expect(list).toMatch(/^NAME +CREATED +ROWS$/m);
    expect(list).toMatch(/^cli-clean +\S+ +\d+$/m);

    expect(await succeeds(['snapshot', 'restore', 'cli-clean'])).toMatch(
      /^restored snapshot "cli-clean" saved \S+/,
    );
    await expect(sdk.user.tokens.get(token.id)).rejects.toMatchObject({ status: 404 });

    expect(await succeedsWithJson(['snapshot', 'delete', 'cli-clean'])).toEqual({ name: 'cli-clean' });
    expect(await succeedsWithJson<unknown[]>(['snapshot', 'list'])).not.toContainEqual(
      expect.objectContaining({ name: 'cli-clean' }),
    );
  });

  it('prints a saved snapshot as JSON with --json', async () => {
    expect(await succeedsWithJson(['snapshot', 'save', 'cli-json'])).toEqual({
      name: 'cli-json',
      created_on: expect.any(String),
      rows: expect.any(Number),
    });
    await admin.snapshots.delete('cli-json');
  });

  it('says how to list the snapshots when restoring an unknown one', async () => {
    const result = await userflare(['snapshot', 'restore', 'never-saved']);
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toMatch(/^userflare: 404 \d+: .+: run `userflare snapshot list`/m);
  });

  it.each([
    [['snapshot', 'save'], 'give exactly one snapshot name: userflare snapshot save <name>'],
    [['snapshot', 'restore', 'a', 'b'], 'give exactly one snapshot name'],
    [['snapshot', 'take', 'x'], 'unknown snapshot subcommand "take"'],
  ])('exits 2 with a hint for %j', async (args, hint) => {
    const result = await userflare(args);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toContain(hint);
  });
});

describe('userflare enforcement and explain', () => {
  it('shows and switches the mode', async () => {
    expect(await succeeds(['enforcement'])).toMatch(/^enforcement: enforce \(/);
    expect(await succeeds(['enforcement', 'report'])).toMatch(/^enforcement: report \(/);
    expect(await succeedsWithJson(['enforcement', 'show'])).toEqual({ mode: 'report' });
    expect(await succeedsWithJson(['enforcement', 'enforce'])).toEqual({ mode: 'enforce' });
    expect((await admin.enforcement.get()).mode).toBe('enforce');
  });

  it('explains an allowed request in one line', async () => {
    const out = await succeeds(['explain', '--token', BOOTSTRAP.token, 'get', '/client/v4/user']);
    expect(out).toMatch(/^allowed: GET \S+\n$/);
  });

  it('explains a denial with the required groups and each policy’s verdict', async () => {
    const reader = await userDetailsReader('explained by the cli');
    const out = await succeeds(['explain', 'GET', '/client/v4/user/tokens'], {
      USERFLARE_API_TOKEN: reader.value,
    });
    expect(out).toMatch(/^denied: GET \S+ \(permission_missing\)$/m);
    expect(out).toContain(`credential: token ${reader.id}`);
    expect(out).toMatch(/^ {2}needs: one of .*API Tokens Read/m);
    expect(out).toMatch(/^POLICY +EFFECT +MATCHED +WHY$/m);
    expect(out).toMatch(/^\S+ +allow +no +\S/m);

    const json = await succeedsWithJson([
      'explain',
      '--token',
      reader.value,
      'GET',
      '/client/v4/user/tokens',
    ]);
    expect(json).toMatchObject({ allowed: false, denial: { reason: 'permission_missing' } });
  });

  it.each([
    [['explain', '--token', 't', 'GET'], 'give a method and a path'],
    [['explain', '--token', 't', 'FETCH', '/user'], '"FETCH" is not a method'],
    [['explain', '--token', 't', 'GET', 'user'], 'the path must start with /, e.g. /client/v4/user'],
    [['explain', 'GET', '/user'], 'no token to judge: pass --token <value>'],
    [['enforcement', 'lenient'], 'unknown enforcement subcommand "lenient"'],
  ])('exits 2 with a hint for %j', async (args, hint) => {
    const result = await userflare(args);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toContain(hint);
  });
});

describe('userflare leak', () => {
  it('disables the token and says when it was exposed', async () => {
    const token = await userDetailsReader('leaked by the cli');
    expect(await succeeds(['leak', token.id])).toMatch(
      new RegExp(`^leaked token ${token.id}: disabled, exposed \\S+\\n$`),
    );
    expect((await sdk.user.tokens.get(token.id)).status).toBe('disabled');
  });

  it('prints the leaked token as JSON with --json', async () => {
    const token = await userDetailsReader('leaked as json');
    expect(await succeedsWithJson(['leak', token.id])).toEqual({
      id: token.id,
      status: 'disabled',
      exposed_on: expect.any(String),
    });
  });

  it('points at tokens list for an unknown id, and exits 2 without one', async () => {
    const unknown = await userflare(['leak', '0123456789abcdef0123456789abcdef']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('run `userflare tokens list`');
    const missing = await userflare(['leak']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('give exactly one token id: userflare leak <token id>');
  });
});

describe('userflare journal', () => {
  it('lists requests newest first as a table, filters them, and clears', async () => {
    await admin.journal.clear();
    await sdk.user.get();
    await sdk.user.tokens.get('0123456789abcdef0123456789abcdef').catch(() => undefined);
    const out = await succeeds(['journal']);
    const [header, ...rows] = out.trimEnd().split('\n');
    expect(header).toMatch(/^TIME +METHOD +STATUS +PATH +TOKEN +MS +NOTE$/);
    expect(rows.map((row) => row.split(/ +/).slice(1, 4))).toEqual([
      ['GET', '404', '/client/v4/user/tokens/0123456789abcdef0123456789abcdef'],
      ['GET', '200', '/client/v4/user'],
    ]);

    const only404 = await succeedsWithJson<{ status: number }[]>(['journal', '--status', '404']);
    expect(only404.map((entry) => entry.status)).toEqual([404]);
    expect(await succeedsWithJson<unknown[]>(['journal', '--limit', '1'])).toHaveLength(1);
    expect(await succeedsWithJson<unknown[]>(['journal', '--method', 'post'])).toEqual([]);
    expect(await succeedsWithJson<unknown[]>(['journal', '--path', '/client/v4/user/tokens/*'])).toHaveLength(
      1,
    );

    expect(await succeeds(['journal', '--clear'])).toBe('cleared 2 journal entries\n');
    expect(await succeeds(['journal'])).toBe('no requests recorded\n');
  });

  it('notes a denial reported in report mode', async () => {
    await admin.journal.clear();
    const reader = await userDetailsReader('reported in the journal');
    await admin.enforcement.set('report');
    await new Userflare({
      baseURL: server.baseURL,
      apiToken: reader.value,
      maxRetries: 0,
    }).user.tokens.list();
    const out = await succeeds(['journal', '--token-id', reader.id]);
    expect(out).toMatch(/ reported: permission_missing$/m);
  });

  it.each([
    [['journal', '--clear', '--status', '404'], '--clear empties the whole journal: drop --status'],
    [['journal', '--limit', 'lots'], '--limit takes a whole number, got "lots"'],
    [['journal', 'today'], 'journal takes no arguments'],
  ])('exits 2 with a hint for %j', async (args, hint) => {
    const result = await userflare(args);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toContain(hint);
  });
});

describe('userflare faults', () => {
  it('adds a fault that answers instead of the route, lists it, deletes it and clears', async () => {
    const added = await succeeds([
      'faults',
      'add',
      '--method',
      'get',
      '--path',
      '/client/v4/user',
      '--status',
      '503',
      '--retry-after',
      '2',
      '--times',
      '5',
    ]);
    const id = /^added fault (\S+): GET \/client\/v4\/user → 503 \(retry-after 2 s\)$/m.exec(added)?.[1];
    expect(id, added).toBeDefined();
    await expect(sdk.user.get()).rejects.toMatchObject({ status: 503 });

    const list = await succeeds(['faults']);
    expect(list).toMatch(/^ID +METHOD +PATH +ANSWER +TIMES +PROBABILITY +FIRED$/m);
    expect(list).toMatch(
      new RegExp(`^${id} +GET +/client/v4/user +503 \\(retry-after 2 s\\) +5 +1 +1$`, 'm'),
    );

    expect(await succeeds(['faults', 'delete', id as string])).toBe(`deleted fault ${id}\n`);
    expect((await sdk.user.get()).id).toBe(server.userId);

    await admin.faults.add({ path: '/user/invites', delay_ms: 5 });
    expect(await succeeds(['faults', 'clear'])).toBe('cleared 1 fault\n');
    expect(await succeeds(['faults', 'list'])).toMatch(/^no faults/);
  });

  it('prints an added delay as JSON with --json', async () => {
    const fault = await succeedsWithJson([
      'faults',
      'add',
      '--path',
      '/user/*',
      '--delay-ms',
      '10',
      '--probability',
      '0.5',
    ]);
    expect(fault).toMatchObject({
      id: expect.any(String),
      path: '/user/*',
      delay_ms: 10,
      probability: 0.5,
      fired: 0,
    });
  });

  it('prints the server refusing a status it cannot inject', async () => {
    const result = await userflare(['faults', 'add', '--path', '/user', '--status', '418']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^userflare: 400 \d+: /m);
  });

  it('points at faults list for an unknown id', async () => {
    const result = await userflare(['faults', 'delete', '0123456789abcdef']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('run `userflare faults list`');
  });

  it.each([
    [['faults', 'add', '--status', '503'], 'give the path to match with --path'],
    [
      ['faults', 'add', '--path', '/user'],
      'give --status <429|500|502|503|504> to answer with an error, --delay-ms',
    ],
    [['faults', 'add', '--path', '/user', '--status', 'x'], '--status takes a whole number'],
    [
      ['faults', 'add', '--path', '/user', '--delay-ms', '5', '--probability', 'half'],
      '--probability takes a number',
    ],
    [['faults', 'list', '--path', '/user'], '--path goes only with `userflare faults add`'],
    [['faults', 'delete'], 'give exactly one fault id'],
    [['faults', 'break'], 'unknown faults subcommand "break"'],
  ])('exits 2 with a hint for %j', async (args, hint) => {
    const result = await userflare(args);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toContain(hint);
  });
});

describe('userflare namespace and --namespace', () => {
  it('creates a namespace, prints its secrets once, acts inside it, lists and deletes it', async () => {
    const created = await succeeds([
      'namespace',
      'create',
      '--id',
      'cli-suite',
      '--email',
      'cli@example.com',
    ]);
    expect(created).toContain('created namespace cli-suite');
    expect(created).toContain(`base URL: ${server.origin}/ns/cli-suite/client/v4`);
    expect(created).toContain('bootstrap user: cli@example.com');
    const token = /^bootstrap API token \(shown once\): (\S+)$/m.exec(created)?.[1];
    expect(created).toMatch(/^bootstrap global API key \(shown once\): \S+$/m);
    const nsClient = new Userflare({
      baseURL: `${server.origin}/ns/cli-suite/client/v4`,
      apiToken: token ?? null,
      maxRetries: 0,
    });
    expect((await nsClient.user.get()).email).toBe('cli@example.com');

    expect(await succeeds(['clock', 'set', '2031-01-01T00:00:00Z', '--namespace', 'cli-suite'])).toMatch(
      /^now: 2031-01-01T00:00:00Z/,
    );
    expect((await admin.namespace('cli-suite').clock.get()).real).toBe(false);
    expect((await admin.clock.get()).real).toBe(true);

    const list = await succeeds(['namespace']);
    expect(list).toMatch(/^ID +EMAIL +CREATED +BASE URL$/m);
    expect(list).toMatch(/^cli-suite +cli@example\.com +\S+ +http:\S+\/ns\/cli-suite\/client\/v4$/m);
    expect(list).not.toContain(token);

    expect(await succeeds(['namespace', 'delete', 'cli-suite'])).toBe('deleted namespace cli-suite\n');
    const again = await userflare(['namespace', 'delete', 'cli-suite']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('run `userflare namespace list`');
  });

  it('says how to list or create a namespace that does not exist', async () => {
    const result = await userflare(['snapshot', 'restore', 'x', '--namespace', 'no-such-ns']);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toContain('there is no namespace "no-such-ns": run `userflare namespace list`');
    expect(result.stderr).toContain('`userflare namespace create --id no-such-ns`');
  });

  it('prints a created namespace with its secrets as JSON with --json', async () => {
    const created = await succeedsWithJson<{ id: string }>(['namespace', 'create']);
    expect(created).toMatchObject({
      id: expect.any(String),
      token: expect.any(String),
      api_key: expect.any(String),
    });
    await admin.namespaces.delete(created.id);
  });

  it.each([
    [['namespace', 'list', '--id', 'x'], '--id and --email only go with `userflare namespace create`'],
    [['namespace', 'create', 'x'], 'choose the id with --id'],
    [['namespace', 'delete'], 'give exactly one namespace id'],
    [['namespace', 'list', '--namespace', 'x'], "Unknown option '--namespace'"],
  ])('exits 2 with a hint for %j', async (args, hint) => {
    const result = await userflare(args);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toContain(hint);
  });
});

describe('admin key and server errors', () => {
  it('exits 2 and says how to give the admin key when there is none', async () => {
    const result = await userflare(['clock'], { USERFLARE_ADMIN_KEY: '' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no admin key: pass --admin-key <key> or set USERFLARE_ADMIN_KEY');
  });

  it('takes --admin-key over USERFLARE_ADMIN_KEY and says what to do when the key is refused', async () => {
    expect(
      (await userflare(['clock', '--admin-key', BOOTSTRAP.adminKey], { USERFLARE_ADMIN_KEY: 'x' })).code,
    ).toBe(0);
    const refused = await userflare(['faults', 'list', '--admin-key', 'wrong']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('refused the admin key (401 1401:');
    expect(refused.stderr).toContain('--admin-key or USERFLARE_ADMIN_KEY');
  });

  it('says to start the server or pass --url when nothing listens at the URL', async () => {
    const port = await closedPort();
    const result = await cli.run(['faults', '--url', `http://127.0.0.1:${port}`], {
      USERFLARE_ADMIN_KEY: BOOTSTRAP.adminKey,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`cannot reach userflare at http://127.0.0.1:${port} (ECONNREFUSED)`);
    expect(result.stderr).toContain('`userflare serve`');
  });
});

describe('an admin plane on a listener of its own', () => {
  it('is reached with --admin-url, and without it the error says to pass it', async () => {
    const apart = await startServer(
      loadConfig({
        PORT: '0',
        USERFLARE_DATABASE_URL: 'sqlite::memory:',
        USERFLARE_ADMIN_KEY: BOOTSTRAP.adminKey,
        USERFLARE_ADMIN_LISTEN: '127.0.0.1:0',
      }),
    );
    try {
      const env = { USERFLARE_ADMIN_KEY: BOOTSTRAP.adminKey };
      const reached = await cli.run(['clock', '--url', apart.url, '--admin-url', apart.adminUrl ?? ''], env);
      expect(reached, reached.stderr).toMatchObject({ code: 0, stderr: '' });
      expect(reached.stdout.trim()).toMatch(CLOCK_LINE);
      const fromEnv = await cli.run(['clock', '--url', apart.url], {
        ...env,
        USERFLARE_ADMIN_URL: apart.adminUrl ?? '',
      });
      expect(fromEnv.code, fromEnv.stderr).toBe(0);

      const missed = await cli.run(['clock', '--url', apart.url], env);
      expect(missed.code).toBe(1);
      expect(missed.stderr).toContain(`${apart.url} serves no such admin route`);
      expect(missed.stderr).toContain('--admin-url');
      const resetMissed = await cli.run(['reset', '--url', apart.url], env);
      expect(resetMissed.stderr).toContain('--admin-url');
    } finally {
      await apart.close();
    }
  });
});

describe('help', () => {
  it.each([
    [['clock', '--help'], 'Usage: userflare clock'],
    [['clock', 'set', '--help'], 'Usage: userflare clock'],
    [['snapshot', '-h'], 'Usage: userflare snapshot'],
    [['enforcement', 'help'], 'Usage: userflare enforcement'],
    [['explain', '--help'], 'Usage: userflare explain'],
    [['leak', '--help'], 'Usage: userflare leak'],
    [['journal', '--help'], 'Usage: userflare journal'],
    [['faults', 'add', '--help'], 'Usage: userflare faults'],
    [['namespace', '--help'], 'Usage: userflare namespace'],
    [['help', 'faults'], 'Usage: userflare faults'],
  ])('%j prints its usage and exits 0 without a server or key', async (args, usage) => {
    const result = await cli.run(args);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout.startsWith(usage)).toBe(true);
    expect(result.stdout).not.toContain('undefined');
  });

  it('lists the emulator controls in the top-level help', async () => {
    const { stdout } = await cli.run(['--help']);
    for (const command of [
      'clock',
      'snapshot',
      'enforcement',
      'explain',
      'leak',
      'journal',
      'faults',
      'namespace',
    ])
      expect(stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
  });
});
