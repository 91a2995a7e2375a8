import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BuiltApp, buildApp, loadConfig } from 'userflare';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BOOTSTRAP, bearer } from './helpers/test-server.js';

// The SQLite file store under USERFLARE_DATA_DIR (DESIGN, "Operating contract"): what one process
// wrote, the next process on the same directory must serve unchanged.

const USER_DETAILS_READ = '8acbe5bb0d54464ab867149d7f7cf8ac';
const API_TOKENS_READ = '0cc3a61731504c89b99ec1be78b77aa0';
const FIXED_SECRETS = {
  USERFLARE_BOOTSTRAP_EMAIL: BOOTSTRAP.email,
  USERFLARE_BOOTSTRAP_TOKEN: BOOTSTRAP.token,
  USERFLARE_BOOTSTRAP_API_KEY: BOOTSTRAP.apiKey,
  USERFLARE_ADMIN_KEY: BOOTSTRAP.adminKey,
  USERFLARE_SECRET: 'restart-secret-0123456789abcdef0123456789abcdef',
};

interface Envelope<T> {
  success: boolean;
  errors: { code: number; message: string }[];
  result: T;
}
interface TokenResult {
  id: string;
  name: string;
  status: string;
  value?: string;
  policies: unknown[];
  last_used_on?: string;
}

let dataDir: string;
const running: BuiltApp[] = [];

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'userflare-restart-'));
});

afterEach(async () => {
  for (const built of running.splice(0)) await built.app.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Builds the app on the SQLite file in `dataDir`: no USERFLARE_DATABASE_URL, as `npm start` runs it. */
async function start(env: Record<string, string> = FIXED_SECRETS): Promise<BuiltApp> {
  const built = await buildApp(loadConfig({ USERFLARE_DATA_DIR: dataDir, ...env }));
  running.push(built);
  return built;
}

async function stop(built: BuiltApp): Promise<void> {
  running.splice(running.indexOf(built), 1);
  await built.app.close();
}

async function call<T>(
  built: BuiltApp,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  token: string,
  payload?: unknown,
): Promise<{ status: number; body: Envelope<T> }> {
  const response = await built.app.inject({
    method,
    url: `/client/v4${url}`,
    headers: bearer(token),
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
  return { status: response.statusCode, body: response.json() as Envelope<T> };
}

function policy(userId: string, ...groups: string[]) {
  return {
    effect: 'allow',
    permission_groups: groups.map((id) => ({ id })),
    resources: { [`com.cloudflare.api.user.${userId}`]: '*' },
  };
}

async function userIdOf(built: BuiltApp, token: string): Promise<string> {
  return (await call<{ id: string }>(built, 'GET', '/user', token)).body.result.id;
}

async function countRows(built: BuiltApp) {
  const users = await built.store.db.selectFrom('users').select(['id', 'email']).execute();
  const bootstrapTokens = await built.store.db
    .selectFrom('tokens')
    .select('id')
    .where('name', '=', 'userflare bootstrap token')
    .execute();
  return { users, bootstrapTokens: bootstrapTokens.length };
}

describe('a restart on the same data directory', () => {
  it('keeps every token, the rolled value, the user edit and every audit entry', async () => {
    const first = await start();
    expect(first.bootstrap.created).toBe(true);
    const userId = await userIdOf(first, BOOTSTRAP.token);

    const created: TokenResult[] = [];
    for (const name of ['alpha', 'beta', 'gamma']) {
      const { status, body } = await call<TokenResult>(first, 'POST', '/user/tokens', BOOTSTRAP.token, {
        name,
        policies: [policy(userId, USER_DETAILS_READ, API_TOKENS_READ)],
        condition: { request_ip: { in: ['127.0.0.0/8', '::1/128'] } },
        expires_on: '2099-01-01T00:00:00Z',
      });
      expect(status).toBe(200);
      created.push(body.result);
    }
    const [alpha, beta, gamma] = created as [TokenResult, TokenResult, TokenResult];
    const edit = { first_name: 'Ada', last_name: 'Lovelace', country: 'GB', zipcode: 'N1 9GU' };
    expect((await call(first, 'PATCH', '/user', BOOTSTRAP.token, edit)).status).toBe(200);
    const rolled = await call<string>(first, 'PUT', `/user/tokens/${alpha.id}/value`, BOOTSTRAP.token);
    expect(rolled.status).toBe(200);
    const newAlphaValue = rolled.body.result;
    const disabled = await call(first, 'PUT', `/user/tokens/${gamma.id}`, BOOTSTRAP.token, {
      name: 'gamma',
      policies: [policy(userId, USER_DETAILS_READ)],
      status: 'disabled',
    });
    expect(disabled.status).toBe(200);
    // Used once, so last_used_on has something to persist through the close.
    expect((await call(first, 'GET', '/user', beta.value as string)).status).toBe(200);

    const tokensBefore = await call<TokenResult[]>(first, 'GET', '/user/tokens?per_page=50', BOOTSTRAP.token);
    const auditBefore = await call<unknown[]>(
      first,
      'GET',
      '/user/audit_logs?per_page=1000',
      BOOTSTRAP.token,
    );
    expect(auditBefore.body.result).toHaveLength(6);
    await stop(first);

    const second = await start();
    expect(second.bootstrap.created).toBe(false);

    const user = await call<Record<string, unknown>>(second, 'GET', '/user', BOOTSTRAP.token);
    expect(user.status).toBe(200);
    expect(user.body.result).toMatchObject({ id: userId, email: BOOTSTRAP.email, ...edit });

    const tokensAfter = await call<TokenResult[]>(second, 'GET', '/user/tokens?per_page=50', BOOTSTRAP.token);
    expect(tokensAfter.body.result).toHaveLength(4);
    const withoutLastUsed = (tokens: TokenResult[]) => tokens.map(({ last_used_on: _, ...rest }) => rest);
    expect(withoutLastUsed(tokensAfter.body.result)).toEqual(withoutLastUsed(tokensBefore.body.result));
    const betaAfter = tokensAfter.body.result.find((t) => t.id === beta.id);
    expect(betaAfter?.last_used_on).toBeDefined();
    expect(tokensAfter.body.result.find((t) => t.id === gamma.id)?.status).toBe('disabled');

    const verifiedAlpha = await call<{ id: string }>(second, 'GET', '/user/tokens/verify', newAlphaValue);
    expect(verifiedAlpha.status).toBe(200);
    expect(verifiedAlpha.body.result.id).toBe(alpha.id);
    expect((await call(second, 'GET', '/user', newAlphaValue)).status).toBe(200);
    expect((await call(second, 'GET', '/user', beta.value as string)).status).toBe(200);

    const oldAlpha = await call(second, 'GET', '/user', alpha.value as string);
    expect(oldAlpha.status).toBe(403);
    expect(oldAlpha.body.errors[0]?.code).toBe(9109);
    const oldAlphaVerify = await call(second, 'GET', '/user/tokens/verify', alpha.value as string);
    expect(oldAlphaVerify.status).toBe(401);
    expect(oldAlphaVerify.body.errors[0]?.code).toBe(1000);
    const disabledGamma = await call(second, 'GET', '/user', gamma.value as string);
    expect(disabledGamma.status).toBe(403);
    expect(disabledGamma.body.errors[0]?.code).toBe(9109);

    const auditAfter = await call<unknown[]>(
      second,
      'GET',
      '/user/audit_logs?per_page=1000',
      BOOTSTRAP.token,
    );
    expect(auditAfter.body.result).toEqual(auditBefore.body.result);

    const rows = await countRows(second);
    expect(rows.users).toEqual([{ id: userId, email: BOOTSTRAP.email }]);
    expect(rows.bootstrapTokens).toBe(1);
  });

  it('keeps a generated USERFLARE_SECRET in the data dir with mode 0600, so tokens still authenticate', async () => {
    const first = await start({});
    const secretFile = join(dataDir, 'secret');
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    const secret = readFileSync(secretFile, 'utf8');
    expect(secret.trim().length).toBeGreaterThanOrEqual(32);
    expect(statSync(join(dataDir, 'admin-key')).mode & 0o777).toBe(0o600);

    const bootstrapToken = first.bootstrap.generatedToken as string;
    expect(bootstrapToken).toMatch(/^cfut_/);
    expect(first.bootstrap.generatedApiKey).toMatch(/^[0-9a-f]{37}$/);
    const userId = await userIdOf(first, bootstrapToken);
    const made = await call<TokenResult>(first, 'POST', '/user/tokens', bootstrapToken, {
      name: 'survivor',
      policies: [policy(userId, USER_DETAILS_READ)],
    });
    expect(made.status).toBe(200);
    const keyHeaders = {
      'x-auth-email': 'admin@example.com',
      'x-auth-key': first.bootstrap.generatedApiKey as string,
    };
    await stop(first);

    const second = await start({});
    expect(readFileSync(secretFile, 'utf8')).toBe(secret);
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    expect(second.bootstrap.created).toBe(false);
    expect(second.bootstrap.generatedToken).toBeUndefined();
    expect(second.bootstrap.generatedApiKey).toBeUndefined();
    expect(second.secrets.generatedAdminKey).toBeUndefined();

    expect((await call(second, 'GET', '/user/tokens/verify', bootstrapToken)).status).toBe(200);
    expect((await call(second, 'GET', '/user', made.body.result.value as string)).status).toBe(200);
    const byKey = await second.app.inject({ method: 'GET', url: '/client/v4/user', headers: keyHeaders });
    expect(byKey.statusCode).toBe(200);

    const rows = await countRows(second);
    expect(rows.users).toHaveLength(1);
    expect(rows.bootstrapTokens).toBe(1);
  });

  it('does not run the bootstrap again when started a third time with different bootstrap settings', async () => {
    await stop(await start());
    await stop(await start());
    const third = await start({
      ...FIXED_SECRETS,
      USERFLARE_BOOTSTRAP_EMAIL: 'someone-else@example.com',
      USERFLARE_BOOTSTRAP_TOKEN: 'another_bootstrap_token_0123456789abcdef',
    });
    expect(third.bootstrap.created).toBe(false);
    const rows = await countRows(third);
    expect(rows.users.map((u) => u.email)).toEqual([BOOTSTRAP.email]);
    expect(rows.bootstrapTokens).toBe(1);
    const unknown = await call(third, 'GET', '/user', 'another_bootstrap_token_0123456789abcdef');
    expect(unknown.status).toBe(403);
    expect(unknown.body.errors[0]?.code).toBe(9109);
    expect((await call(third, 'GET', '/user', BOOTSTRAP.token)).status).toBe(200);
  });
});
