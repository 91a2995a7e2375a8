import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Token, type TokenCreateResponse, Userflare } from '@userflare/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BOOTSTRAP, startTestServer, type TestServer } from '../helpers/test-server.js';
import { buildCli, CliProcesses, closedPort, type Finished } from './helpers/cli-process.js';

// `userflare whoami`, `tokens` and `permission-groups` (issue 5): the built binary acting on a real
// server through the SDK.

const DNS_READ = '82e64a83756745bbbb1c9c2701bf816b';
const USER_DETAILS_READ = '8acbe5bb0d54464ab867149d7f7cf8ac';
const AI_GATEWAY_READ = '4dc8917b4b40457d88d3035d5dadb054';
const VALUE_LINE = /^API token value \(shown once, store it now\): (\S+)$/m;

let scratch: string;
let server: TestServer;
let sdk: Userflare;
const cli = new CliProcesses(() => scratch);

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'userflare-cli-commands-'));
  [server] = await Promise.all([startTestServer(), buildCli()]);
  sdk = new Userflare({ baseURL: server.baseURL, apiToken: BOOTSTRAP.token, maxRetries: 0 });
}, 180_000);

afterEach(() => {
  cli.killAll();
});

afterAll(async () => {
  cli.killAll();
  await server?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** Runs the binary against the test server, with the bootstrap token unless `env` says otherwise. */
function userflare(args: string[], env: Record<string, string> = {}): Promise<Finished> {
  return cli.run([...args, '--url', server.origin], {
    USERFLARE_API_TOKEN: BOOTSTRAP.token,
    CLOUDFLARE_API_TOKEN: '',
    ...env,
  });
}

/** Runs the binary and expects it to succeed, returning its stdout. */
async function succeeds(args: string[], env: Record<string, string> = {}): Promise<string> {
  const result = await userflare(args, env);
  expect(result, result.stderr).toMatchObject({ code: 0, stderr: '' });
  return result.stdout;
}

/** A token of the bootstrap user made through the SDK, allowing only `groups` on the user. */
function sdkToken(name: string, groups: string[]): Promise<TokenCreateResponse> {
  return sdk.user.tokens.create({
    name,
    policies: [
      {
        effect: 'allow',
        permission_groups: groups.map((id) => ({ id })),
        resources: { [`com.cloudflare.api.user.${server.userId}`]: '*' },
      },
    ],
  });
}

async function allTokens(): Promise<Token[]> {
  const found: Token[] = [];
  for await (const token of sdk.user.tokens.list({ per_page: 50 })) found.push(token);
  return found;
}

describe('userflare whoami', () => {
  beforeAll(async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/__userflare/organizations',
      headers: { 'x-admin-key': BOOTSTRAP.adminKey },
      payload: { name: 'Acme Corp', members: [{ user: BOOTSTRAP.email, roles: ['Administrator'] }] },
    });
    expect(response.statusCode, response.body).toBe(200);
  });

  it('shows the user, the verified token and the accounts with roles as a table', async () => {
    const out = await succeeds(['whoami']);
    expect(out).toContain(`email:    ${BOOTSTRAP.email}`);
    expect(out).toContain(`user id:  ${server.userId}`);
    expect(out).toMatch(/^token: {4}[0-9a-f]{32} \(active\)$/m);
    expect(out).toMatch(/^ACCOUNT ID {24}NAME {7}STATUS {2}ROLES$/m);
    expect(out).toMatch(/^[0-9a-f]{32} {2}Acme Corp {2}member {2}Administrator$/m);
  });

  it('prints the same as JSON with --json', async () => {
    const parsed = JSON.parse(await succeeds(['whoami', '--json']));
    const verified = await sdk.user.tokens.verify();
    expect(parsed).toEqual({
      user: { id: server.userId, email: BOOTSTRAP.email },
      token: { id: verified.id, status: 'active' },
      accounts: [
        {
          id: expect.stringMatching(/^[0-9a-f]{32}$/),
          name: 'Acme Corp',
          roles: ['Administrator'],
          status: 'member',
        },
      ],
    });
  });

  it('takes the token from --token, then USERFLARE_API_TOKEN, then CLOUDFLARE_API_TOKEN', async () => {
    const viaFlag = await userflare(['whoami', '--token', BOOTSTRAP.token], { USERFLARE_API_TOKEN: 'wrong' });
    expect(viaFlag.code).toBe(0);
    const viaCloudflare = await userflare(['whoami'], {
      USERFLARE_API_TOKEN: '',
      CLOUDFLARE_API_TOKEN: BOOTSTRAP.token,
    });
    expect(viaCloudflare.code).toBe(0);
    expect(viaCloudflare.stdout).toContain(BOOTSTRAP.email);
  });

  it('prints each Cloudflare error of a refused token and exits 1', async () => {
    const result = await userflare(['whoami'], { USERFLARE_API_TOKEN: 'x'.repeat(40) });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^userflare: 401 1000: Invalid API Token$/m);
  });
});

describe('userflare permission-groups', () => {
  it('lists every group with its scopes as a table', async () => {
    const out = await succeeds(['permission-groups']);
    const [header, ...rows] = out.trimEnd().split('\n');
    expect(header).toMatch(/^ID {32}NAME +SCOPES$/);
    const all = (await sdk.user.tokens.permissionGroups.list()).result;
    expect(rows).toHaveLength(all.length);
    expect(out).toMatch(
      new RegExp(`^${USER_DETAILS_READ}  User Details Read +com\\.cloudflare\\.api\\.user$`, 'm'),
    );
  });

  it('filters by --name and --scope and prints JSON with --json', async () => {
    expect(JSON.parse(await succeeds(['permission-groups', '--name', 'DNS Read', '--json']))).toEqual([
      { id: DNS_READ, name: 'DNS Read', scopes: ['com.cloudflare.api.account.zone'] },
    ]);
    const userGroups = JSON.parse(
      await succeeds(['permission-groups', '--scope', 'com.cloudflare.api.user', '--json']),
    ) as { scopes: string[] }[];
    expect(userGroups.length).toBeGreaterThan(0);
    for (const group of userGroups) expect(group.scopes).toEqual(['com.cloudflare.api.user']);
  });
});

describe('userflare tokens create', () => {
  it('creates a token with a policy per scope by default and prints its value once', async () => {
    const out = await succeeds([
      'tokens',
      'create',
      '--name',
      'cli default',
      '--group',
      'DNS Read',
      '--group',
      USER_DETAILS_READ,
      '--group',
      'AI Gateway Read',
    ]);
    expect(out).toMatch(/^created token "cli default" [0-9a-f]{32} \(active\)$/m);
    expect(out).toContain('  allow DNS Read on com.cloudflare.api.account.zone.*\n');
    expect(out).toContain(`  allow User Details Read on com.cloudflare.api.user.${server.userId}\n`);
    expect(out).toContain('  allow AI Gateway Read on com.cloudflare.api.account.*\n');
    const value = VALUE_LINE.exec(out)?.[1] as string;
    expect(out.split(value)).toHaveLength(2);
    const fresh = new Userflare({ baseURL: server.baseURL, apiToken: value, maxRetries: 0 });
    expect((await fresh.user.get()).email).toBe(BOOTSTRAP.email);
  });

  it('applies --resource, --expires-on and --allow-ip, and prints the token with its value as JSON', async () => {
    const created = JSON.parse(
      await succeeds([
        'tokens',
        'create',
        '--json',
        '--name',
        'cli scoped',
        '--group',
        AI_GATEWAY_READ,
        '--resource',
        'com.cloudflare.api.account.*',
        '--expires-on',
        '2031-01-01T00:00:00Z',
        '--allow-ip',
        '192.0.2.0/24',
        '--allow-ip',
        '2001:db8::/32',
      ]),
    ) as TokenCreateResponse;
    expect(created).toMatchObject({
      name: 'cli scoped',
      status: 'active',
      expires_on: '2031-01-01T00:00:00Z',
      condition: { request_ip: { in: ['192.0.2.0/24', '2001:db8::/32'] } },
      policies: [
        {
          effect: 'allow',
          permission_groups: [{ id: AI_GATEWAY_READ, name: 'AI Gateway Read' }],
          resources: { 'com.cloudflare.api.account.*': '*' },
        },
      ],
    });
    expect(created.value).toMatch(/^cfut_/);
    expect((await sdk.user.tokens.get(created.id)).name).toBe('cli scoped');
  });

  it('refuses an unknown permission group with exit 2 and points at permission-groups', async () => {
    const result = await userflare(['tokens', 'create', '--name', 'x', '--group', 'dns read']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no permission group with id or name "dns read"');
    expect(result.stderr).toContain('userflare permission-groups');
  });

  it('requires --name and --group', async () => {
    const noName = await userflare(['tokens', 'create', '--group', 'DNS Read']);
    expect(noName.code).toBe(2);
    expect(noName.stderr).toContain('--name <name>');
    const noGroup = await userflare(['tokens', 'create', '--name', 'x']);
    expect(noGroup.code).toBe(2);
    expect(noGroup.stderr).toContain('--group');
  });

  it('prints the server refusing a bad expiry as an API error', async () => {
    const result = await userflare([
      'tokens',
      'create',
      '--name',
      'x',
      '--group',
      'DNS Read',
      '--expires-on',
      'soon',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^userflare: 400 \d+: .+$/m);
  });
});

describe('userflare tokens list', () => {
  it('lists every token across pages', async () => {
    const have = (await allTokens()).length;
    for (let i = have; i < 55; i++) await sdkToken(`bulk ${i}`, [USER_DETAILS_READ]);
    const listed = JSON.parse(await succeeds(['tokens', 'list', '--json'])) as Token[];
    const expected = await allTokens();
    expect(listed.length).toBeGreaterThan(50);
    expect(listed.map((t) => t.id).sort()).toEqual(expected.map((t) => t.id).sort());
  });

  it('prints an aligned table with one row per token', async () => {
    const out = await succeeds(['tokens', 'list']);
    const [header, ...rows] = out.trimEnd().split('\n');
    expect(header).toMatch(/^ID {32}NAME +STATUS +ISSUED +EXPIRES +LAST USED$/);
    expect(rows).toHaveLength((await allTokens()).length);
    expect(out).toMatch(/^[0-9a-f]{32} {2}cli scoped +active +\S+ +2031-01-01T00:00:00Z +-$/m);
  });
});

describe('userflare tokens roll and delete', () => {
  it('rolls a token: the new value is printed once and the old one stops working', async () => {
    const token = await sdkToken('to roll', [USER_DETAILS_READ]);
    const out = await succeeds(['tokens', 'roll', token.id]);
    expect(out).toContain(`rolled token ${token.id}`);
    const value = /^new API token value \(shown once, store it now\): (\S+)$/m.exec(out)?.[1] as string;
    expect(value).not.toBe(token.value);
    const old = await userflare(['whoami', '--token', token.value]);
    expect(old.code).toBe(1);
    expect(old.stderr).toMatch(/^userflare: 401 \d+: /m);
    expect(await succeeds(['whoami', '--token', value])).toContain(BOOTSTRAP.email);
  });

  it('prints the rolled value as JSON with --json', async () => {
    const token = await sdkToken('to roll json', [USER_DETAILS_READ]);
    const rolled = JSON.parse(await succeeds(['tokens', 'roll', token.id, '--json']));
    expect(rolled).toEqual({ id: token.id, value: expect.stringMatching(/^cfut_/) });
  });

  it('deletes a token, and a second delete is a 404 printed with its code', async () => {
    const token = await sdkToken('to delete', [USER_DETAILS_READ]);
    expect(await succeeds(['tokens', 'delete', token.id])).toBe(`deleted token ${token.id}\n`);
    expect((await allTokens()).map((t) => t.id)).not.toContain(token.id);
    const again = await userflare(['tokens', 'delete', token.id, '--json']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^userflare: 404 \d+: .+$/m);
  });

  it('prints the deleted id as JSON with --json', async () => {
    const token = await sdkToken('to delete json', [USER_DETAILS_READ]);
    expect(JSON.parse(await succeeds(['tokens', 'delete', '--json', token.id]))).toEqual({ id: token.id });
  });
});

describe('errors', () => {
  it('prints 403 10000 and exits 1 when the token lacks the permission group', async () => {
    const weak = await sdkToken('user details only', [USER_DETAILS_READ]);
    for (const args of [['tokens', 'list'], ['permission-groups'], ['tokens', 'delete', weak.id]]) {
      const result = await userflare(args, { USERFLARE_API_TOKEN: weak.value });
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^userflare: 403 10000: .+$/m);
    }
  });

  it('says to start the server or pass --url when nothing listens at the URL', async () => {
    const port = await closedPort();
    const result = await cli.run(['whoami', '--url', `http://127.0.0.1:${port}`], {
      USERFLARE_API_TOKEN: BOOTSTRAP.token,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`cannot reach userflare at http://127.0.0.1:${port} (ECONNREFUSED)`);
    expect(result.stderr).toContain('`userflare serve`');
    expect(result.stderr).toContain('--url');
  });

  it('reads the URL from USERFLARE_URL', async () => {
    const result = await cli.run(['whoami'], {
      USERFLARE_URL: server.origin,
      USERFLARE_API_TOKEN: BOOTSTRAP.token,
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(BOOTSTRAP.email);
  });

  it.each([
    [['tokens', 'roll'], 'give exactly one token id: userflare tokens roll <token id>'],
    [['tokens', 'delete'], 'give exactly one token id: userflare tokens delete <token id>'],
    [['tokens', 'delete', 'a', 'b'], 'give exactly one token id'],
    [['tokens', 'frob'], 'unknown tokens subcommand "frob"'],
    [['tokens', 'list', '--bogus'], "Unknown option '--bogus'"],
    [['tokens', 'list', '--bogus'], 'run `userflare tokens list --help`'],
    [['whoami', '--verbose'], 'run `userflare whoami --help`'],
    [['whoami', 'extra'], 'whoami takes no arguments'],
    [['permission-groups', '--name'], 'run `userflare permission-groups --help`'],
  ])('exits 2 with a hint for %j', async (args, hint) => {
    const result = await userflare(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(hint);
  });

  it('exits 2 and says how to give a token when there is none', async () => {
    const result = await userflare(['tokens', 'list'], { USERFLARE_API_TOKEN: '', CLOUDFLARE_API_TOKEN: '' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no API token: pass --token <token> or set USERFLARE_API_TOKEN');
  });
});

describe('help', () => {
  it.each([
    [['whoami', '--help'], 'Usage: userflare whoami'],
    [['permission-groups', '-h'], 'Usage: userflare permission-groups'],
    [['tokens', '--help'], 'Usage: userflare tokens <subcommand>'],
    [['tokens'], 'Usage: userflare tokens <subcommand>'],
    [['tokens', 'list', '--help'], 'Usage: userflare tokens list'],
    [['tokens', 'create', '--help'], 'Usage: userflare tokens create'],
    [['tokens', 'roll', '--help'], 'Usage: userflare tokens roll'],
    [['tokens', 'delete', '--help'], 'Usage: userflare tokens delete'],
    [['help', 'tokens'], 'Usage: userflare tokens <subcommand>'],
  ])('%j prints its usage and exits 0', async (args, usage) => {
    const result = await cli.run(args);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout.startsWith(usage)).toBe(true);
    expect(result.stdout).not.toContain('undefined');
  });

  it('lists the new commands in the top-level help', async () => {
    const { stdout } = await cli.run(['--help']);
    for (const command of ['whoami', 'tokens', 'permission-groups'])
      expect(stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
  });
});
