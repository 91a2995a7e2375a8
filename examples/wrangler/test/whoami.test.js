import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startUserflare } from 'userflare/testing';

const FIXTURE = fileURLToPath(new URL('../fixture.json', import.meta.url));
const NETWORK_GUARD = fileURLToPath(new URL('../network-guard.cjs', import.meta.url));
const WRANGLER = join(
  dirname(createRequire(import.meta.url).resolve('wrangler/package.json')),
  'bin/wrangler.js',
);
// The account the fixture gives admin@example.com a membership of.
const ACCOUNT = { id: '023e105f4ecef8ad9ca31a8372d0c353', name: 'Acme Corp' };

/** @type {import('userflare/testing').UserflareServer} */
let uf;
let home;

before(async () => {
  uf = await startUserflare({ fixture: FIXTURE });
  home = await mkdtemp(join(tmpdir(), 'userflare-wrangler-'));
});

after(async () => {
  await uf?.close();
  if (home) await rm(home, { recursive: true, force: true });
});

beforeEach(async () => {
  await uf.reset();
});

/**
 * Runs wrangler against the harness with only the environment it needs: a scratch HOME (no cached
 * login), no metrics or error reports, and the network guard preloaded.
 */
async function wrangler(args, credentials) {
  const connectLog = join(home, `connections-${Date.now()}.log`);
  await writeFile(connectLog, '');
  const env = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    CLOUDFLARE_API_BASE_URL: uf.baseURL,
    WRANGLER_SEND_METRICS: 'false',
    WRANGLER_SEND_ERROR_REPORTS: 'false',
    WRANGLER_HIDE_BANNER: 'true',
    CI: 'true',
    NO_COLOR: '1',
    NODE_OPTIONS: `--require ${NETWORK_GUARD}`,
    USERFLARE_CONNECT_LOG: connectLog,
    ...credentials,
  };
  const run = await new Promise((resolve) => {
    execFile(
      process.execPath,
      [WRANGLER, ...args],
      { env, cwd: home, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? error.code : 0, stdout, stderr }),
    );
  });
  const connections = (await readFile(connectLog, 'utf8')).split('\n').filter(Boolean);
  return { ...run, connections };
}

/** Every connection wrangler opened went to the harness. */
function assertOnlyUserflare(run) {
  const { host } = new URL(uf.url);
  assert.ok(run.connections.length > 0, 'wrangler called the harness');
  for (const target of run.connections)
    assert.ok([host, `localhost:${new URL(uf.url).port}`].includes(target), target);
}

describe('wrangler whoami against userflare', () => {
  it('shows the API token owner and their account', async () => {
    const run = await wrangler(['whoami'], { CLOUDFLARE_API_TOKEN: uf.token });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /User API Token/);
    assert.ok(run.stdout.includes(uf.email), run.stdout);
    assert.ok(run.stdout.includes(ACCOUNT.name) && run.stdout.includes(ACCOUNT.id), run.stdout);
    assertOnlyUserflare(run);
  });

  it('fails for a token the server does not know', async () => {
    const run = await wrangler(['whoami'], {
      CLOUDFLARE_API_TOKEN: 'Zz9_unknown_token_value_0123456789abcdef',
    });
    assert.notEqual(run.code, 0);
    assert.ok(!`${run.stdout}${run.stderr}`.includes(uf.email));
    assertOnlyUserflare(run);
  });
});
