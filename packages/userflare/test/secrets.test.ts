import { createHash, createHmac, randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PermissionGroupId as G } from '../src/modules/permission-groups/permission-groups.service.js';
import { generateGlobalApiKey, generateTokenValue } from '../src/modules/tokens/token-value.js';
import { Keyring } from '../src/secrets.js';
import type { Envelope } from './helpers/admin-plane.js';
import { type ChildServer, startChildServer } from './helpers/child-server.js';

interface CreatedUser {
  api_key: string;
  token: { id: string; value: string };
}

// Issue: "Token values, global keys and the admin key never appear in logs, audit entries, error
// messages or the journal. Comparisons of secrets are constant-time; hashes are keyed; a stolen
// database alone does not let anyone authenticate." Everything here runs `userflare serve` as a real
// process on a SQLite file, at the most verbose log level, so every byte it prints or stores is seen.

const children: ChildServer[] = [];
const tempDirs: string[] = [];

/**
 * `userflare serve` on `dataDir` at log level `trace`, so the request log lines are there to read.
 * Nothing inherited may choose the store or a secret: SQLite in `dataDir`, secrets as given.
 */
async function serve(dataDir: string, env: Record<string, string>): Promise<ChildServer> {
  const child = await startChildServer(
    {
      USERFLARE_DATABASE_URL: '',
      USERFLARE_BOOTSTRAP_EMAIL: '',
      USERFLARE_BOOTSTRAP_TOKEN: '',
      USERFLARE_BOOTSTRAP_API_KEY: '',
      USERFLARE_ADMIN_KEY: '',
      USERFLARE_SECRET: '',
      USERFLARE_TRUST_PROXY: '',
      USERFLARE_DATA_DIR: dataDir,
      ...env,
    },
    { logLevel: 'trace' },
  );
  children.push(child);
  return child;
}

function tempDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `userflare-secrets-${name}-`));
  tempDirs.push(dir);
  return dir;
}

/** Every byte of every file under `dir`, by relative path. */
function readTree(dir: string, prefix = ''): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) for (const [p, b] of readTree(path, `${prefix}${entry.name}/`)) files.set(p, b);
    else files.set(`${prefix}${entry.name}`, readFileSync(path));
  }
  return files;
}

/** A secret and where it may legitimately be seen: nowhere but the response that issues it. */
class SecretRegistry {
  readonly #byName = new Map<string, string>();

  add(name: string, value: string): string {
    expect(value.length, name).toBeGreaterThanOrEqual(16);
    this.#byName.set(name, value);
    return value;
  }

  get size(): number {
    return this.#byName.size;
  }

  values(): string[] {
    return [...this.#byName.values()];
  }

  /** Each line of `text` holding a secret, the secret replaced by its name: what a failure shows. */
  linesWithSecrets(text: string): string[] {
    return text
      .split('\n')
      .filter((line) => this.foundIn(line).length > 0)
      .map((line) => [...this.#byName].reduce((l, [name, value]) => l.replaceAll(value, `<${name}>`), line));
  }

  /** The names of the secrets `haystack` contains, `allowed` values aside. */
  foundIn(haystack: string | Buffer, allowed: readonly string[] = []): string[] {
    const text = typeof haystack === 'string' ? haystack : haystack.toString('latin1');
    return [...this.#byName]
      .filter(([, value]) => !allowed.includes(value) && text.includes(value))
      .map(([name]) => name);
  }
}

interface Exchange {
  label: string;
  status: number;
  headers: string;
  body: string;
  /** The values this one response exists to show once (a created, rolled or provisioned secret). */
  shows: string[];
}

interface CallOptions {
  method?: string;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string is sent as is, with a JSON content type. */
  body?: unknown;
}

/** Talks to one child and records every answer, for the leak checks. */
class Client {
  readonly exchanges: Exchange[] = [];

  constructor(readonly origin: string) {}

  async call<T = unknown>(
    label: string,
    path: string,
    options: CallOptions = {},
  ): Promise<Exchange & { json: Envelope<T> }> {
    const url = path.startsWith('/__userflare') ? `${this.origin}${path}` : `${this.origin}/client/v4${path}`;
    const headers: Record<string, string> = { ...options.headers };
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    }
    const response = await fetch(url, {
      method: options.method ?? 'GET',
      headers,
      ...(body ? { body } : {}),
    });
    const text = await response.text();
    const exchange: Exchange = {
      label,
      status: response.status,
      headers: JSON.stringify([...response.headers]),
      body: text,
      shows: [],
    };
    this.exchanges.push(exchange);
    let json: Envelope<T>;
    try {
      json = JSON.parse(text) as Envelope<T>;
    } catch {
      json = { success: false, errors: [], messages: [], result: undefined as T };
    }
    return Object.assign(exchange, { json });
  }

  /** Marks the last answer as the one that shows `values`. */
  shows(...values: string[]): void {
    this.exchanges.at(-1)?.shows.push(...values);
  }
}

const bearer = (value: string) => ({ authorization: `Bearer ${value}` });
const globalKey = (email: string, key: string) => ({ 'x-auth-email': email, 'x-auth-key': key });
const errorCode = (exchange: { json: Envelope }) => exchange.json.errors[0]?.code;
const randomLegacyToken = () => randomBytes(30).toString('base64url');
const hmac = (secret: string, value: string) => createHmac('sha256', secret).update(value).digest('hex');
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

afterAll(async () => {
  for (const child of children) if (child.process.exitCode === null) child.process.kill('SIGKILL');
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describe('a full scenario with every secret given by the environment', () => {
  const secrets = new SecretRegistry();
  const email = 'owner@example.com';
  const env = {
    USERFLARE_BOOTSTRAP_EMAIL: email,
    USERFLARE_BOOTSTRAP_TOKEN: secrets.add('bootstrap token', randomLegacyToken()),
    USERFLARE_BOOTSTRAP_API_KEY: secrets.add('bootstrap global key', generateGlobalApiKey()),
    USERFLARE_ADMIN_KEY: secrets.add('admin key', randomBytes(32).toString('base64url')),
    USERFLARE_SECRET: secrets.add('USERFLARE_SECRET', randomBytes(33).toString('base64url')),
  };
  const admin = { 'x-admin-key': env.USERFLARE_ADMIN_KEY };
  let dataDir: string;
  let server: ChildServer;
  let client: Client;
  /** The data dir while the server ran (WAL included) and after it closed. */
  let filesWhileRunning: Map<string, Buffer>;
  let filesAfterClose: Map<string, Buffer>;
  /** Token values that authenticate when the scenario ends, and the global keys, with their emails. */
  const liveTokens: string[] = [];
  const liveKeys: { email: string; key: string }[] = [];
  const auditTexts: { label: string; text: string }[] = [];
  let journalText = '';
  let userId: string;

  const ownUser = () => `com.cloudflare.api.user.${userId}`;
  const policy = (groups: string[], resource = ownUser()) => ({
    effect: 'allow',
    permission_groups: groups.map((id) => ({ id })),
    resources: { [resource]: '*' },
  });

  async function createToken(
    name: string,
    extra: Record<string, unknown> = {},
    as = env.USERFLARE_BOOTSTRAP_TOKEN,
  ) {
    const created = await client.call<{ id: string; value: string }>(`create token ${name}`, '/user/tokens', {
      method: 'POST',
      headers: bearer(as),
      body: { name, policies: [policy([G.apiTokensWrite, G.userDetailsRead])], ...extra },
    });
    expect(created.status, created.body).toBe(200);
    const value = secrets.add(`token ${name}`, created.json.result.value);
    client.shows(value);
    return { id: created.json.result.id, value };
  }

  async function expectRefusedToken(label: string, value: string) {
    const verify = await client.call(`verify ${label}`, '/user/tokens/verify', { headers: bearer(value) });
    expect([verify.status, errorCode(verify)], label).toEqual([401, 1000]);
    const read = await client.call(`read with ${label}`, '/user', { headers: bearer(value) });
    expect([read.status, errorCode(read)], label).toEqual([403, 9109]);
  }

  beforeAll(async () => {
    dataDir = tempDir('env');
    server = await serve(dataDir, env);
    client = new Client(server.origin);
    const boot = env.USERFLARE_BOOTSTRAP_TOKEN;

    const me = await client.call<{ id: string }>('user', '/user', { headers: bearer(boot) });
    expect(me.status, me.body).toBe(200);
    userId = me.json.result.id;
    liveTokens.push(boot);
    liveKeys.push({ email, key: env.USERFLARE_BOOTSTRAP_API_KEY });

    // Created first so it has expired by the time the scenario uses it.
    const expiresAt = Date.now() + 2500;
    const expiring = await createToken('expiring', { expires_on: new Date(expiresAt).toISOString() });

    // Roll: the new value works, the old one is dead.
    const rolled = await createToken('rolled');
    const roll = await client.call<string>('roll', `/user/tokens/${rolled.id}/value`, {
      method: 'PUT',
      headers: bearer(boot),
      body: {},
    });
    expect(roll.status, roll.body).toBe(200);
    const rolledValue = secrets.add('rolled token, new value', roll.json.result);
    client.shows(rolledValue);
    await expectRefusedToken('rolled token, old value', rolled.value);
    const verify = await client.call('verify rolled', '/user/tokens/verify', {
      headers: bearer(rolledValue),
    });
    expect(verify.status).toBe(200);
    liveTokens.push(rolledValue);
    await client.call('list tokens', '/user/tokens?per_page=50', { headers: bearer(rolledValue) });
    await client.call('get token', `/user/tokens/${rolled.id}`, { headers: bearer(rolledValue) });
    // A token rolling itself.
    const selfRoll = await client.call<string>('self roll', `/user/tokens/${rolled.id}/value`, {
      method: 'PUT',
      headers: bearer(rolledValue),
      body: {},
    });
    expect(selfRoll.status, selfRoll.body).toBe(200);
    liveTokens.splice(
      liveTokens.indexOf(rolledValue),
      1,
      secrets.add('self-rolled token', selfRoll.json.result),
    );
    client.shows(selfRoll.json.result);
    await expectRefusedToken('rolled token, rolled again', rolledValue);

    // Disabled, deleted, not yet valid, and from the wrong address.
    const disabled = await createToken('disabled');
    const disable = await client.call('disable', `/user/tokens/${disabled.id}`, {
      method: 'PUT',
      headers: bearer(boot),
      body: { name: 'disabled', status: 'disabled', policies: [policy([G.userDetailsRead])] },
    });
    expect(disable.status, disable.body).toBe(200);
    await expectRefusedToken('disabled token', disabled.value);
    const deleted = await createToken('deleted');
    const remove = await client.call('delete', `/user/tokens/${deleted.id}`, {
      method: 'DELETE',
      headers: bearer(boot),
    });
    expect(remove.status, remove.body).toBe(200);
    await expectRefusedToken('deleted token', deleted.value);
    const early = await createToken('not yet valid', {
      not_before: new Date(Date.now() + 86_400_000).toISOString(),
    });
    await expectRefusedToken('not-yet-valid token', early.value);
    const elsewhere = await createToken('elsewhere', { condition: { request_ip: { in: ['192.0.2.0/24'] } } });
    const denied = await client.call('token from a denied address', '/user', {
      headers: bearer(elsewhere.value),
    });
    expect([denied.status, errorCode(denied)]).toEqual([403, 9109]);

    // Values never issued: a well-formed one, one with a bad checksum, a legacy-shaped one.
    await expectRefusedToken('never-issued token', secrets.add('never-issued token', generateTokenValue()));
    const badChecksum = `${rolledValue.slice(0, -1)}${rolledValue.endsWith('A') ? 'B' : 'A'}`;
    await expectRefusedToken('bad checksum', secrets.add('bad-checksum token', badChecksum));
    await expectRefusedToken(
      'unknown legacy token',
      secrets.add('unknown legacy token', randomLegacyToken()),
    );

    // Global keys: right, wrong key, right key for another email, a token in the key header.
    const byKey = await client.call('global key', '/user', {
      headers: globalKey(email, env.USERFLARE_BOOTSTRAP_API_KEY),
    });
    expect(byKey.status, byKey.body).toBe(200);
    const wrongKey = secrets.add('wrong global key', generateGlobalApiKey());
    const wrong = await client.call('wrong global key', '/user', { headers: globalKey(email, wrongKey) });
    expect([wrong.status, errorCode(wrong)]).toEqual([403, 9103]);
    const otherEmail = await client.call('key of another email', '/user', {
      headers: globalKey('nobody@example.com', env.USERFLARE_BOOTSTRAP_API_KEY),
    });
    expect([otherEmail.status, errorCode(otherEmail)]).toEqual([403, 9103]);
    const tokenAsKey = await client.call('token as global key', '/user', { headers: globalKey(email, boot) });
    expect(tokenAsKey.status).toBe(400);
    const keyAsToken = await client.call('global key as token', '/user', {
      headers: bearer(env.USERFLARE_BOOTSTRAP_API_KEY),
    });
    expect(keyAsToken.status).toBe(400);

    // The admin plane: wrong and missing keys, API credentials presented to it, the admin key to the API.
    for (const [label, headers] of [
      ['no admin key', {}],
      ['a token as admin key', { 'x-admin-key': boot }],
      ['a global key as admin key', { 'x-admin-key': env.USERFLARE_BOOTSTRAP_API_KEY }],
      ['admin key as Bearer', bearer(env.USERFLARE_ADMIN_KEY)],
    ] as const) {
      const refused = await client.call(label, '/__userflare/rate_plans', { headers });
      expect([refused.status, errorCode(refused)], label).toEqual([401, 1401]);
    }
    const adminAsToken = await client.call('admin key as API token', '/user', {
      headers: bearer(env.USERFLARE_ADMIN_KEY),
    });
    expect(adminAsToken.status).toBeGreaterThanOrEqual(400);
    const adminAsKey = await client.call('admin key as global key', '/user', {
      headers: globalKey(email, env.USERFLARE_ADMIN_KEY),
    });
    expect(adminAsKey.status).toBe(400);

    // Users provisioned by the admin plane: generated secrets, chosen secrets, and a whole fixture.
    const provisioned = await client.call<CreatedUser>('admin creates a user', '/__userflare/users', {
      method: 'POST',
      headers: admin,
      body: { email: 'provisioned@example.com' },
    });
    expect(provisioned.status, provisioned.body).toBe(200);
    const p = provisioned.json.result;
    client.shows(
      secrets.add('provisioned global key', p.api_key),
      secrets.add('provisioned token', p.token.value),
    );
    liveTokens.push(p.token.value);
    liveKeys.push({ email: 'provisioned@example.com', key: p.api_key });
    const chosenKey = secrets.add('chosen global key', generateGlobalApiKey());
    const chosenToken = secrets.add('chosen token', randomLegacyToken());
    const chosen = await client.call('admin creates a user with chosen secrets', '/__userflare/users', {
      method: 'POST',
      headers: admin,
      body: {
        email: 'chosen@example.com',
        api_key: chosenKey,
        token: { name: 'chosen', value: chosenToken },
      },
    });
    expect(chosen.status, chosen.body).toBe(200);
    client.shows(chosenKey, chosenToken);
    liveTokens.push(chosenToken);
    // The admin plane rolls the chosen key: the new one is shown once, the old one is dead.
    const rolledKey = await client.call<{ api_key: string }>(
      'admin rolls a global key',
      '/__userflare/users/chosen@example.com/api_key/roll',
      { method: 'POST', headers: admin },
    );
    expect(rolledKey.status, rolledKey.body).toBe(200);
    client.shows(secrets.add('rolled global key', rolledKey.json.result.api_key));
    liveKeys.push({ email: 'chosen@example.com', key: rolledKey.json.result.api_key });
    const oldKey = await client.call('rolled global key, old key', '/user', {
      headers: globalKey('chosen@example.com', chosenKey),
    });
    expect([oldKey.status, errorCode(oldKey)]).toEqual([403, 9103]);
    const seededKey = secrets.add('seeded global key', generateGlobalApiKey());
    const seededToken = secrets.add('seeded token', randomLegacyToken());
    const seed = await client.call<{ users: CreatedUser[] }>('admin seeds a fixture', '/__userflare/seed', {
      method: 'POST',
      headers: admin,
      body: {
        users: [
          { email: 'seeded@example.com', api_key: seededKey, token: { name: 'seeded', value: seededToken } },
          { email: 'seeded-generated@example.com' },
        ],
        organizations: [
          {
            name: 'Secrets Inc',
            members: [
              { user: email, roles: ['All Privileges - Super Administrator'] },
              { user: 'seeded@example.com', roles: ['Administrator'] },
            ],
          },
        ],
        invites: [{ organization: 'Secrets Inc', to: 'provisioned@example.com', roles: ['DNS'] }],
      },
    });
    expect(seed.status, seed.body).toBe(200);
    const generated = seed.json.result.users[1] as CreatedUser;
    client.shows(
      seededKey,
      seededToken,
      secrets.add('seeded generated global key', generated.api_key),
      secrets.add('seeded generated token', generated.token.value),
    );
    liveTokens.push(seededToken, generated.token.value);
    liveKeys.push({ email: 'seeded@example.com', key: seededKey });
    // A fixture refused whole, naming the bad entry: its secrets must not be echoed.
    const refusedKey = secrets.add('refused fixture global key', generateGlobalApiKey());
    const refusedToken = secrets.add('refused fixture token', randomLegacyToken());
    const refusedSeed = await client.call('admin seeds a bad fixture', '/__userflare/seed', {
      method: 'POST',
      headers: admin,
      body: {
        users: [
          {
            email: 'refused@example.com',
            api_key: refusedKey,
            token: { name: 'refused', value: refusedToken },
          },
        ],
        invites: [{ organization: 'Nope', to: 'refused@example.com', roles: ['DNS'] }],
      },
    });
    expect(refusedSeed.status).toBe(400);
    // A chosen token value taken already is refused without naming it.
    const duplicate = await client.call('admin reuses a token value', '/__userflare/users', {
      method: 'POST',
      headers: admin,
      body: { email: 'dup@example.com', token: { name: 'dup', value: chosenToken } },
    });
    expect(duplicate.status).toBe(400);

    // The provisioned user acts with its own credentials.
    const asProvisioned = await client.call('provisioned user', '/user', { headers: bearer(p.token.value) });
    expect(asProvisioned.status, asProvisioned.body).toBe(200);
    const invites = await client.call<{ id: string }[]>('invites', '/user/invites', {
      headers: bearer(p.token.value),
    });
    const invite = invites.json.result[0] as { id: string };
    await client.call('accept invite', `/user/invites/${invite.id}`, {
      method: 'PATCH',
      headers: bearer(p.token.value),
      body: { status: 'accepted' },
    });
    await client.call('provisioned edits its profile', '/user', {
      method: 'PATCH',
      headers: globalKey('provisioned@example.com', p.api_key),
      body: { first_name: 'Pat' },
    });

    // Error paths carrying a secret in the body, the query string and the path.
    const live = liveTokens[1] as string;
    const malformed = await client.call('malformed JSON holding a token', '/user/tokens', {
      method: 'POST',
      headers: bearer(boot),
      body: `{"name": "${live}", "policies": [`,
    });
    expect([malformed.status, errorCode(malformed)]).toEqual([400, 6007]);
    const malformedAdmin = await client.call('malformed JSON holding the admin key', '/__userflare/users', {
      method: 'POST',
      headers: admin,
      body: `{"email": "x@example.com", "api_key": "${env.USERFLARE_ADMIN_KEY}"`,
    });
    expect(malformedAdmin.status).toBe(400);
    const badField = await client.call('invalid body holding a token', '/user/tokens', {
      method: 'POST',
      headers: bearer(boot),
      body: { name: live, policies: 'not a list', value: live },
    });
    expect(badField.status).toBe(400);
    const badAdminField = await client.call('invalid admin body holding a key', '/__userflare/users', {
      method: 'POST',
      headers: admin,
      body: { email: 'bad@example.com', api_key: env.USERFLARE_SECRET },
    });
    expect(badAdminField.status).toBe(400);
    await client.call('token in the query string', `/user/tokens/verify?token=${live}`, {
      headers: bearer(live),
    });
    await client.call('key in the query string', `/user?api_key=${env.USERFLARE_BOOTSTRAP_API_KEY}`, {
      headers: bearer(boot),
    });
    await client.call(
      'admin key in the query string',
      `/__userflare/rate_plans?key=${env.USERFLARE_ADMIN_KEY}`,
      {
        headers: admin,
      },
    );
    const pathId = await client.call('token in the path id', `/user/tokens/${live}`, {
      headers: bearer(boot),
    });
    expect(pathId.status).toBe(400);
    await client.call('global key in the path id', `/user/tokens/${env.USERFLARE_BOOTSTRAP_API_KEY}`, {
      method: 'DELETE',
      headers: bearer(boot),
    });
    await client.call('admin key in an unknown path', `/__userflare/${env.USERFLARE_ADMIN_KEY}`, {
      headers: admin,
    });

    // The expiring token, now past its expires_on.
    const left = expiresAt + 50 - Date.now();
    if (left > 0) await new Promise((r) => setTimeout(r, left));
    await expectRefusedToken('expired token', expiring.value);

    // Audit logs, as JSON and as the CSV export, for the bootstrap user and a provisioned one.
    for (const [who, token] of [
      ['bootstrap', boot],
      ['provisioned', p.token.value],
      ['seeded', seededToken],
    ] as const) {
      const json = await client.call(`audit logs of ${who}`, '/user/audit_logs?per_page=1000', {
        headers: bearer(token),
      });
      expect(json.status, json.body).toBe(200);
      auditTexts.push({ label: `${who} JSON`, text: json.body });
      const csv = await client.call(`audit CSV of ${who}`, '/user/audit_logs?export=true', {
        headers: bearer(token),
      });
      expect(csv.status, csv.body).toBe(200);
      auditTexts.push({ label: `${who} CSV`, text: csv.body });
    }
    const logs = JSON.parse(auditTexts[0]?.text ?? '{}').result as { action: { type: string } }[];
    expect([...new Set(logs.map((l) => l.action.type))]).toEqual(
      expect.arrayContaining(['create', 'update', 'delete', 'roll', 'join']),
    );

    // The admin plane's journal of API requests, read without recording the answer as an exchange.
    const journal = await fetch(`${server.origin}/__userflare/journal?limit=10000`, { headers: admin });
    journalText = `${journal.status} ${await journal.text()}`;

    filesWhileRunning = readTree(dataDir);
    await server.stop();
    filesAfterClose = readTree(dataDir);
  });

  it('issued and used a broad set of secrets', () => {
    expect(secrets.size).toBeGreaterThanOrEqual(25);
    expect(client.exchanges.length).toBeGreaterThanOrEqual(60);
  });

  it("never writes a secret to the server's output, at trace level", () => {
    expect(server.output()).toMatch(/"msg":"incoming request"/);
    expect(secrets.linesWithSecrets(server.output())).toEqual([]);
  });

  it('answers no secret, in any body or header, except in the one response that shows it', () => {
    const leaks = client.exchanges.flatMap((e) =>
      secrets.foundIn(`${e.headers}\n${e.body}`, e.shows).map((name) => `${e.label} (${e.status}): ${name}`),
    );
    expect(leaks).toEqual([]);
  });

  it('writes no secret to an audit entry, in JSON or in the CSV export', () => {
    expect(auditTexts).toHaveLength(6);
    const leaks = auditTexts.flatMap(({ label, text }) =>
      secrets.foundIn(text).map((name) => `${label}: ${name}`),
    );
    expect(leaks).toEqual([]);
  });

  it('keeps no secret in the request journal', () => {
    expect(journalText).toMatch(/^200 /);
    expect(secrets.foundIn(journalText)).toEqual([]);
  });

  it('stores no secret file and no secret byte in the data dir when the environment gives them', () => {
    expect([...filesAfterClose.keys()].filter((f) => !f.startsWith('userflare.db'))).toEqual([]);
    const leaks = [
      ...[...filesWhileRunning].map(([file, bytes]) => ['running', file, bytes] as const),
      ...[...filesAfterClose].map(([file, bytes]) => ['closed', file, bytes] as const),
    ].flatMap(([when, file, bytes]) => secrets.foundIn(bytes).map((name) => `${file} (${when}): ${name}`));
    expect(leaks).toEqual([]);
  });

  it('stores every token and global key as HMAC-SHA256 under USERFLARE_SECRET, never a plain hash', () => {
    const db = new Database(join(dataDir, 'userflare.db'), { readonly: true });
    try {
      const tokenHashes = new Set(
        (db.prepare('select value_hash from tokens').all() as { value_hash: string }[]).map(
          (r) => r.value_hash,
        ),
      );
      const keyHashes = new Map(
        (
          db.prepare('select email, api_key_hash from users').all() as {
            email: string;
            api_key_hash: string;
          }[]
        ).map((r) => [r.email, r.api_key_hash]),
      );
      for (const value of liveTokens) {
        expect(tokenHashes.has(hmac(env.USERFLARE_SECRET, value)), value).toBe(true);
        expect(tokenHashes.has(sha256(value))).toBe(false);
      }
      for (const { email: owner, key } of liveKeys) {
        expect(keyHashes.get(owner)).toBe(hmac(env.USERFLARE_SECRET, key));
      }
      // The stored hashes never leave the store either.
      const hashes = [...tokenHashes, ...keyHashes.values()];
      const exposed = [
        ...client.exchanges.map((e) => e.body),
        server.output(),
        ...auditTexts.map((a) => a.text),
      ].filter((text) => hashes.some((h) => text.includes(h)));
      expect(exposed).toEqual([]);
    } finally {
      db.close();
    }
  });

  describe('a stolen database', () => {
    let stolen: ChildServer;
    let control: ChildServer;
    let stolenClient: Client;
    let controlClient: Client;
    let storedTokenHash: string;
    let storedKeyHash: string;

    beforeAll(async () => {
      const copy = (name: string) => {
        const dir = tempDir(name);
        mkdirSync(dir, { recursive: true });
        copyFileSync(join(dataDir, 'userflare.db'), join(dir, 'userflare.db'));
        return dir;
      };
      const db = new Database(join(dataDir, 'userflare.db'), { readonly: true });
      storedTokenHash = (db.prepare('select value_hash from tokens limit 1').get() as { value_hash: string })
        .value_hash;
      storedKeyHash = (db.prepare('select api_key_hash from users limit 1').get() as { api_key_hash: string })
        .api_key_hash;
      db.close();
      const thief = {
        USERFLARE_SECRET: secrets.add("the thief's secret", randomBytes(33).toString('base64url')),
        USERFLARE_ADMIN_KEY: secrets.add("the thief's admin key", randomBytes(24).toString('base64url')),
      };
      [stolen, control] = await Promise.all([
        serve(copy('stolen'), thief),
        serve(copy('control'), {
          USERFLARE_SECRET: env.USERFLARE_SECRET,
          USERFLARE_ADMIN_KEY: env.USERFLARE_ADMIN_KEY,
        }),
      ]);
      stolenClient = new Client(stolen.origin);
      controlClient = new Client(control.origin);
    });

    afterAll(async () => {
      await Promise.all([stolen?.stop(), control?.stop()]);
    });

    it('authenticates every live credential under the original USERFLARE_SECRET (the copy is good)', async () => {
      for (const value of liveTokens) {
        const verify = await controlClient.call('control verify', '/user/tokens/verify', {
          headers: bearer(value),
        });
        expect(verify.status, value).toBe(200);
      }
      for (const { email: owner, key } of liveKeys) {
        const me = await controlClient.call('control key', '/user', { headers: globalKey(owner, key) });
        expect(me.status, owner).toBe(200);
      }
    });

    it('authenticates no token and no global key under another secret', async () => {
      for (const value of liveTokens) {
        const verify = await stolenClient.call('stolen verify', '/user/tokens/verify', {
          headers: bearer(value),
        });
        expect([verify.status, errorCode(verify)], value).toEqual([401, 1000]);
        const read = await stolenClient.call('stolen read', '/user', { headers: bearer(value) });
        expect([read.status, errorCode(read)], value).toEqual([403, 9109]);
      }
      for (const { email: owner, key } of liveKeys) {
        const me = await stolenClient.call('stolen key', '/user', { headers: globalKey(owner, key) });
        expect([me.status, errorCode(me)], owner).toEqual([403, 9103]);
      }
    });

    it('keeps no admin key in the database: a copy started with its own refuses the original', async () => {
      const refused = await stolenClient.call('stolen admin', '/__userflare/rate_plans', {
        headers: { 'x-admin-key': env.USERFLARE_ADMIN_KEY },
      });
      expect(refused.status).toBe(401);
    });

    it('refuses a stored hash presented as a credential, even under the right secret', async () => {
      expect(storedTokenHash).toMatch(/^[0-9a-f]{64}$/);
      for (const [label, headers, expected] of [
        ['hash as token', bearer(storedTokenHash), [400, 6003]],
        ['hash, cut to 40, as token', bearer(storedTokenHash.slice(0, 40)), [403, 9109]],
        ['key hash, cut to 37, as global key', globalKey(email, storedKeyHash.slice(0, 37)), [403, 9103]],
        ['key hash as global key', globalKey(email, storedKeyHash), [400, 6003]],
      ] as const) {
        const refused = await controlClient.call(label, '/user', { headers });
        expect([refused.status, errorCode(refused)], label).toEqual(expected);
      }
    });

    it('prints and answers no secret on either server', () => {
      const outputs = `${stolen.output()}\n${control.output()}`;
      expect(secrets.foundIn(outputs)).toEqual([]);
      const answers = [...stolenClient.exchanges, ...controlClient.exchanges].map(
        (e) => `${e.headers}\n${e.body}`,
      );
      expect(answers.flatMap((a) => secrets.foundIn(a))).toEqual([]);
    });
  });
});

describe('secrets generated on the first start', () => {
  const secrets = new SecretRegistry();
  let dataDir: string;
  let server: ChildServer;
  let client: Client;
  let banner: { token: string; apiKey: string; adminKey: string };
  let files: Map<string, Buffer>;

  beforeAll(async () => {
    dataDir = tempDir('generated');
    server = await serve(dataDir, {});
    const line = (label: string) => {
      const match = new RegExp(`${label}: (\\S+)`).exec(server.output());
      if (!match?.[1]) throw new Error(`no "${label}" in the banner:\n${server.output()}`);
      return match[1];
    };
    banner = {
      token: secrets.add('generated bootstrap token', line('bootstrap API token \\(shown once\\)')),
      apiKey: secrets.add('generated global key', line('bootstrap global API key \\(shown once\\)')),
      adminKey: secrets.add('generated admin key', line('admin key for /__userflare \\(shown once\\)')),
    };
    secrets.add('generated USERFLARE_SECRET', readFileSync(join(dataDir, 'secret'), 'utf8').trim());
    client = new Client(server.origin);
    const admin = { 'x-admin-key': banner.adminKey };

    const verify = await client.call('verify', '/user/tokens/verify', { headers: bearer(banner.token) });
    expect(verify.status, verify.body).toBe(200);
    const created = await client.call<CreatedUser>('admin creates a user', '/__userflare/users', {
      method: 'POST',
      headers: admin,
      body: { email: 'someone@example.com' },
    });
    expect(created.status, created.body).toBe(200);
    client.shows(
      secrets.add('provisioned key', created.json.result.api_key),
      secrets.add('provisioned token', created.json.result.token.value),
    );
    // A reset makes new bootstrap secrets and answers them once.
    const reset = await client.call<{ token: string; api_key: string }>('reset', '/__userflare/reset', {
      method: 'POST',
      headers: admin,
    });
    expect(reset.status, reset.body).toBe(200);
    client.shows(
      secrets.add('reset bootstrap token', reset.json.result.token),
      secrets.add('reset bootstrap key', reset.json.result.api_key),
    );
    const old = await client.call('old bootstrap token after reset', '/user/tokens/verify', {
      headers: bearer(banner.token),
    });
    expect(old.status).toBe(401);
    const fresh = await client.call('new bootstrap token', '/user/tokens/verify', {
      headers: bearer(reset.json.result.token),
    });
    expect(fresh.status).toBe(200);
    await server.stop();
    files = readTree(dataDir);
  });

  it('keeps USERFLARE_SECRET, and only a keyed hash of the admin key, in data-dir files of mode 0600', () => {
    expect([...files.keys()].sort()).toEqual(expect.arrayContaining(['admin-key', 'secret', 'userflare.db']));
    for (const file of ['secret', 'admin-key']) {
      expect((statSync(join(dataDir, file)).mode & 0o777).toString(8), file).toBe('600');
    }
    expect(files.get('admin-key')?.toString()).toMatch(/^hmac-sha256:[0-9a-f]{64}\n$/);
  });

  it('prints each generated secret once, in the banner, and nothing else secret', () => {
    const output = server.output();
    for (const value of [banner.token, banner.apiKey, banner.adminKey]) {
      expect(output.split(value).length - 1, value).toBe(1);
    }
    const printedOnce = [banner.token, banner.apiKey, banner.adminKey];
    expect(secrets.foundIn(output, printedOnce)).toEqual([]);
  });

  it('answers no secret except in the response that shows it', () => {
    const leaks = client.exchanges.flatMap((e) =>
      secrets.foundIn(`${e.headers}\n${e.body}`, e.shows).map((name) => `${e.label}: ${name}`),
    );
    expect(leaks).toEqual([]);
  });

  it('stores no secret in the SQLite files or the admin key file, only USERFLARE_SECRET in its file', () => {
    const leaks = [...files]
      .filter(([file]) => file.startsWith('userflare.db'))
      .flatMap(([file, bytes]) => secrets.foundIn(bytes).map((name) => `${file}: ${name}`));
    expect(leaks).toEqual([]);
    expect(secrets.foundIn(files.get('secret') ?? '')).toEqual(['generated USERFLARE_SECRET']);
    expect(secrets.foundIn(files.get('admin-key') ?? '')).toEqual([]);
  });
});

describe('Keyring, the one place secrets are hashed and compared', () => {
  const keyring = new Keyring('keyring-secret-0123456789abcdef0123456789');
  const value = generateTokenValue();

  it('hashes with HMAC-SHA256 under the secret, never a plain hash', () => {
    expect(keyring.hash(value)).toBe(hmac('keyring-secret-0123456789abcdef0123456789', value));
    expect(keyring.hash(value)).not.toBe(sha256(value));
    expect(new Keyring('another-secret-0123456789abcdef0123456789').hash(value)).not.toBe(
      keyring.hash(value),
    );
  });

  it('matches a value only against its own hash, whatever the stored text', () => {
    const stored = keyring.hash(value);
    expect(keyring.matches(value, stored)).toBe(true);
    expect(keyring.matches(generateTokenValue(), stored)).toBe(false);
    expect(keyring.matches(stored, stored)).toBe(false);
    for (const bad of [
      '',
      stored.slice(0, 63),
      `${stored}00`,
      'z'.repeat(64),
      stored.toUpperCase().slice(0, 10),
    ]) {
      expect(keyring.matches(value, bad), bad).toBe(false);
    }
  });
});
