import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOOTSTRAP, startTestServer, type TestServer } from './helpers/test-server.js';

// wrangler 4.86.0, unchanged, as a child process pointed at a listening server (CLIENTS §2, §9).

const WRANGLER = resolve(import.meta.dirname, '../../../node_modules/.bin/wrangler');
const WRANGLER_TIMEOUT_MS = 60_000;

/**
 * Preloaded into wrangler: records every outgoing connection and refuses any that is not to loopback,
 * so a test fails instead of quietly reaching the internet (CLIENTS §2).
 */
const NETWORK_GUARD = `
const net = require('node:net');
const fs = require('node:fs');
const log = process.env.USERFLARE_TEST_CONNECT_LOG;
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  // net.connect() passes its normalized arguments as one array: [options, callback].
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  const options = first !== null && typeof first === 'object' ? first : undefined;
  const host = options ? (options.host ?? 'localhost') : typeof args[1] === 'string' ? args[1] : 'localhost';
  const port = options ? options.port : first;
  const target = options && options.path ? 'unix:' + options.path : host + ':' + port;
  fs.appendFileSync(log, target + '\\n');
  if (!(options && options.path) && !['127.0.0.1', 'localhost', '::1'].includes(host)) {
    throw new Error('userflare test: outside network connection to ' + target + ' refused');
  }
  return connect.apply(this, args);
};
`;

interface WranglerRun {
  code: number | null;
  stdout: string;
  stderr: string;
  connections: string[];
}

let server: TestServer;
let scratch: string;
const ACCOUNT = { id: 'a1b2c3d4e5f60718293a4b5c6d7e8f90', name: 'Userflare Test Account' };

beforeAll(async () => {
  server = await startTestServer();
  scratch = mkdtempSync(join(tmpdir(), 'userflare-wrangler-'));
  writeFileSync(join(scratch, 'network-guard.cjs'), NETWORK_GUARD);
  // One account, so `whoami` has a table row to print (Cloudflare creates accounts outside this API).
  const now = new Date().toISOString();
  await server.store.db
    .insertInto('organizations')
    .values({ id: ACCOUNT.id, name: ACCOUNT.name, type: 'standard', enforce_twofactor: 0, created_on: now })
    .execute();
  await server.store.db
    .insertInto('memberships')
    .values({
      id: 'f0e1d2c3b4a5968778695a4b3c2d1e0f',
      user_id: server.userId,
      organization_id: ACCOUNT.id,
      roles: JSON.stringify(['Administrator']),
      permissions: JSON.stringify(['#zones:read']),
      status: 'accepted',
      created_on: now,
    })
    .execute();
});

afterAll(async () => {
  await server?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** Runs wrangler with a fresh HOME and only the environment CLIENTS §2 lists; never blocks the server's event loop. */
function wrangler(args: string[], credentials: Record<string, string>): Promise<WranglerRun> {
  const home = mkdtempSync(join(scratch, 'home-'));
  const connectLog = join(home, 'connections.log');
  writeFileSync(connectLog, '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    CLOUDFLARE_API_BASE_URL: server.baseURL,
    WRANGLER_SEND_METRICS: 'false',
    WRANGLER_SEND_ERROR_REPORTS: 'false',
    WRANGLER_HIDE_BANNER: 'true',
    CI: 'true',
    NO_COLOR: '1',
    NODE_OPTIONS: `--require ${join(scratch, 'network-guard.cjs')}`,
    USERFLARE_TEST_CONNECT_LOG: connectLog,
    ...credentials,
  };
  return new Promise((resolvePromise) => {
    execFile(
      WRANGLER,
      args,
      { env, cwd: home, timeout: WRANGLER_TIMEOUT_MS - 5_000, maxBuffer: 10 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        const connections = readFileSync(connectLog, 'utf8').split('\n').filter(Boolean);
        resolvePromise({ code, stdout, stderr, connections });
      },
    );
  });
}

function expectOnlyLoopback(run: WranglerRun): void {
  const port = new URL(server.baseURL).port;
  expect(run.connections.length).toBeGreaterThan(0);
  for (const target of run.connections)
    expect(target).toMatch(new RegExp(`^(127\\.0\\.0\\.1|localhost):${port}$`));
}

describe('wrangler whoami against userflare', () => {
  it(
    'reports the bootstrap user email for an API token and exits 0',
    async () => {
      const run = await wrangler(['whoami'], { CLOUDFLARE_API_TOKEN: BOOTSTRAP.token });
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('User API Token');
      expect(run.stdout).toContain(BOOTSTRAP.email);
      expect(run.stdout).toContain(ACCOUNT.name);
      expect(run.stdout).toContain(ACCOUNT.id);
      expect(run.stdout).not.toMatch(/Account API Token|missing the `User->User Details->Read`/);
      expectOnlyLoopback(run);
    },
    WRANGLER_TIMEOUT_MS,
  );

  it(
    'prints the email and the accounts as JSON with --json',
    async () => {
      const run = await wrangler(['whoami', '--json'], { CLOUDFLARE_API_TOKEN: BOOTSTRAP.token });
      expect(run.code).toBe(0);
      const report = JSON.parse(run.stdout.slice(run.stdout.indexOf('{'))) as {
        loggedIn: boolean;
        email?: string;
        accounts?: { id: string; name: string }[];
      };
      expect(report.loggedIn).toBe(true);
      expect(report.email).toBe(BOOTSTRAP.email);
      expect(report.accounts).toEqual([expect.objectContaining(ACCOUNT)]);
      expectOnlyLoopback(run);
    },
    WRANGLER_TIMEOUT_MS,
  );

  it(
    'reports the bootstrap user email for the global API key and exits 0',
    async () => {
      const run = await wrangler(['whoami'], {
        CLOUDFLARE_API_KEY: BOOTSTRAP.apiKey,
        CLOUDFLARE_EMAIL: BOOTSTRAP.email,
      });
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(BOOTSTRAP.email);
      expect(run.stdout).toContain(ACCOUNT.name);
      expectOnlyLoopback(run);
    },
    WRANGLER_TIMEOUT_MS,
  );

  it(
    'fails with a non-zero exit for a token the server does not know',
    async () => {
      const run = await wrangler(['whoami'], {
        CLOUDFLARE_API_TOKEN: 'Zz9_unknown_token_value_0123456789abcdef',
      });
      expect(run.code).not.toBe(0);
      expect(`${run.stdout}\n${run.stderr}`).not.toContain(BOOTSTRAP.email);
      expectOnlyLoopback(run);
    },
    WRANGLER_TIMEOUT_MS,
  );
});
