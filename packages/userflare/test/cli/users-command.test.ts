import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BOOTSTRAP, globalKey, startTestServer, type TestServer } from '../helpers/test-server.js';
import { buildCli, CliProcesses, type Finished } from './helpers/cli-process.js';

// `userflare users roll-api-key` (issue 15), run as the built binary against a real server.

const KEY_LINE = /^new global API key \(shown once, store it now\): ([0-9a-f]{37})$/m;

let scratch: string;
let server: TestServer;
const cli = new CliProcesses(() => scratch);

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'userflare-cli-users-'));
  [server] = await Promise.all([startTestServer(), buildCli()]);
}, 180_000);

afterEach(() => {
  cli.killAll();
});

afterAll(async () => {
  cli.killAll();
  await server?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

function userflare(args: string[], env: Record<string, string> = {}): Promise<Finished> {
  return cli.run([...args, '--url', server.origin], { USERFLARE_ADMIN_KEY: BOOTSTRAP.adminKey, ...env });
}

async function createUser(email: string): Promise<{ id: string; api_key: string }> {
  const response = await server.app.inject({
    method: 'POST',
    url: '/__userflare/users',
    headers: { 'x-admin-key': BOOTSTRAP.adminKey },
    payload: { email, token: false },
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json().result;
}

async function authenticates(email: string, key: string): Promise<number> {
  return (await server.app.inject({ url: '/client/v4/user', headers: globalKey(email, key) })).statusCode;
}

describe('userflare users roll-api-key', () => {
  it('prints the new key once; the old key is refused and the new one works', async () => {
    const user = await createUser('cli-roll@example.com');
    const result = await userflare(['users', 'roll-api-key', 'cli-roll@example.com']);
    expect(result, result.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain(
      `rolled the global API key of cli-roll@example.com (${user.id}): the old key no longer works`,
    );
    const key = KEY_LINE.exec(result.stdout)?.[1] as string;
    expect(result.stdout.split(key)).toHaveLength(2);
    expect(await authenticates('cli-roll@example.com', user.api_key)).toBe(403);
    expect(await authenticates('cli-roll@example.com', key)).toBe(200);
  });

  it('takes a user id and prints JSON with --json', async () => {
    const user = await createUser('cli-roll-json@example.com');
    const result = await userflare(['users', 'roll-api-key', user.id, '--json']);
    expect(result, result.stderr).toMatchObject({ code: 0, stderr: '' });
    const rolled = JSON.parse(result.stdout) as { id: string; email: string; api_key: string };
    expect(rolled).toEqual({
      id: user.id,
      email: 'cli-roll-json@example.com',
      api_key: expect.stringMatching(/^[0-9a-f]{37}$/),
    });
    expect(await authenticates(rolled.email, rolled.api_key)).toBe(200);
  });

  it('says which user is unknown (exit 1), and exits 2 without exactly one user', async () => {
    const unknown = await userflare(['users', 'roll-api-key', 'nobody@example.com']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no user has the id or email "nobody@example.com"');
    for (const args of [
      ['users', 'roll-api-key'],
      ['users', 'roll-api-key', 'a@example.com', 'b@example.com'],
    ]) {
      const refused = await userflare(args);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(
        'give exactly one user: userflare users roll-api-key <user id or email>',
      );
    }
    const unknownSubcommand = await userflare(['users', 'delete', 'a@example.com']);
    expect(unknownSubcommand.code).toBe(2);
    expect(unknownSubcommand.stderr).toContain('unknown users subcommand "delete"');
  });

  it('refuses a wrong admin key without changing the key, saying how to get the right one', async () => {
    const user = await createUser('cli-roll-refused@example.com');
    const refused = await userflare(['users', 'roll-api-key', user.id], {
      USERFLARE_ADMIN_KEY: 'wrong-admin-key-0123456789',
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('refused the admin key');
    expect(refused.stderr).toContain('delete <data dir>/admin-key and restart the server');
    expect(await authenticates('cli-roll-refused@example.com', user.api_key)).toBe(200);
  });

  it('documents itself in `users --help` and `users roll-api-key --help`', async () => {
    const users = await userflare(['users', '--help']);
    expect(users.stdout).toContain('roll-api-key <user id or email>');
    const roll = await userflare(['users', 'roll-api-key', '--help']);
    expect(roll.stdout).toContain('Usage: userflare users roll-api-key <user id or email> [options]');
    expect(roll.stdout).toContain('--json');
    const top = await cli.run(['--help']);
    expect(top.stdout).toMatch(/^ {2}users +roll a user's global API key/m);
  });
});
