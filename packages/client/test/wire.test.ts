import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_BASE_URL, Userflare } from '@userflare/client';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { stringifyQuery } from '../src/internal/query.js';
import { clientFor, type StubServer, sendJson, startStub, success } from './helpers/servers.js';

// What goes on the wire: the same requests as the official SDK (CLIENTS §3, §4).

let stub: StubServer;

beforeAll(async () => {
  stub = await startStub((request, _index, response) => {
    sendJson(response, 200, success(request.url.endsWith('/value') ? 'new-secret-value' : { id: 'x' }));
  });
});

afterAll(async () => {
  await stub.close();
});

afterEach(() => {
  stub.requests.length = 0;
  vi.unstubAllEnvs();
});

function last() {
  const request = stub.requests.at(-1);
  if (!request) throw new Error('no request');
  return request;
}

describe('query serialization', () => {
  it.each([
    [
      {
        action: { type: 'add' },
        actor: { ip: '1.2.3.4', email: 'a+b@example.com' },
        zone: { name: 'example.com' },
      },
      'action.type=add&actor.ip=1.2.3.4&actor.email=a%2Bb%40example.com&zone.name=example.com',
    ],
    [{ a: { b: { c: 'd' } } }, 'a.b.c=d'],
    [{ scope: ['x', 'y'], ids: [1, 2] }, 'scope=x&scope=y&ids=1&ids=2'],
    [{ f: [{ a: 1 }, { a: 2 }] }, 'f.a=1&f.a=2'],
    [{ t: true, f: false }, 't=true&f=false'],
    [{ n: null, u: undefined, e: '' }, 'n=&e='],
    [{ arr: [] }, ''],
    [{ s: 'a b&c=d/é:@,;*' }, 's=a%20b%26c%3Dd%2F%C3%A9%3A%40%2C%3B%2A'],
    [{ since: new Date('2020-01-02T03:04:05Z') }, 'since=2020-01-02T03%3A04%3A05.000Z'],
  ])('serializes %j as the official SDK does', (query, wire) => {
    expect(stringifyQuery(query)).toBe(wire);
  });

  it('sends audit log filters with dotted names in insertion order', async () => {
    await clientFor(stub).user.auditLogs.list({
      id: 'abc',
      action: { type: 'add' },
      actor: { ip: '17.168.228.63', email: 'alice@example.com' },
      direction: 'desc',
      zone: { name: 'example.com' },
      hide_user_logs: false,
    });
    expect(last().url).toBe(
      '/client/v4/user/audit_logs?id=abc&action.type=add&actor.ip=17.168.228.63&actor.email=alice%40example.com&direction=desc&zone.name=example.com&hide_user_logs=false',
    );
  });
});

describe('requests', () => {
  it('sends the token, accept, user-agent and retry count, and no content-type without a body', async () => {
    await clientFor(stub).user.get();
    const { method, url, headers, body } = last();
    expect({ method, url, body }).toEqual({ method: 'GET', url: '/client/v4/user', body: '' });
    expect(headers).toMatchObject({
      authorization: 'Bearer uf_test_bootstrap_token_0123456789abcdef',
      accept: 'application/json',
      'user-agent': 'Userflare/JS 0.1.0',
      'x-userflare-retry-count': '0',
    });
    expect(headers).not.toHaveProperty('content-type');
    expect(headers).not.toHaveProperty('x-userflare-timeout');
  });

  it('sends every configured credential at once', async () => {
    await clientFor(stub, { apiToken: 't'.repeat(40), apiEmail: 'a@example.com', apiKey: 'k' }).user.get();
    expect(last().headers).toMatchObject({
      authorization: `Bearer ${'t'.repeat(40)}`,
      'x-auth-email': 'a@example.com',
      'x-auth-key': 'k',
    });
  });

  it('sends a JSON body with its content-type on PATCH, POST and PUT', async () => {
    await clientFor(stub).user.edit({ first_name: 'Jane', country: 'US' });
    expect(last()).toMatchObject({ method: 'PATCH', body: '{"first_name":"Jane","country":"US"}' });
    expect(last().headers['content-type']).toBe('application/json');
  });

  it('rolls a token with PUT, no body and no content-type, and resolves with the bare string', async () => {
    const secret = await clientFor(stub).user.tokens.value.update('abc', { body: { ignored: true } });
    expect(secret).toBe('new-secret-value');
    const { method, url, headers, body } = last();
    expect({ method, url, body }).toEqual({
      method: 'PUT',
      url: '/client/v4/user/tokens/abc/value',
      body: '',
    });
    expect(headers).not.toHaveProperty('content-type');
    expect(headers['content-length']).toBe('0');
  });

  it('encodes a path parameter as one segment', async () => {
    await clientFor(stub).user.tokens.get('a b/c?d');
    expect(last().url).toBe('/client/v4/user/tokens/a%20b%2Fc%3Fd');
  });

  it('merges default and per-request headers, null removing one', async () => {
    const client = clientFor(stub, { defaultHeaders: { 'x-team': 'core', 'user-agent': 'mine/1' } });
    await client.user.get({ headers: { 'x-trace': 't1', 'x-team': null, accept: null } });
    const { headers } = last();
    expect(headers).toMatchObject({ 'x-trace': 't1', 'user-agent': 'mine/1' });
    expect(headers).not.toHaveProperty('x-team');
    expect(headers.accept).not.toBe('application/json');
  });

  it('accepts a base URL with a trailing slash', async () => {
    await clientFor(stub, { baseURL: `${stub.baseURL}/` }).user.tokens.verify();
    expect(last().url).toBe('/client/v4/user/tokens/verify');
  });
});

describe('options from the environment', () => {
  it('reads USERFLARE_API_TOKEN before CLOUDFLARE_API_TOKEN, the key pair and USERFLARE_BASE_URL', async () => {
    vi.stubEnv('USERFLARE_API_TOKEN', 'from-userflare');
    vi.stubEnv('CLOUDFLARE_API_TOKEN', 'from-cloudflare');
    vi.stubEnv('CLOUDFLARE_EMAIL', 'env@example.com');
    vi.stubEnv('CLOUDFLARE_API_KEY', 'env-key');
    vi.stubEnv('USERFLARE_BASE_URL', stub.baseURL);
    await new Userflare().user.get();
    expect(last().headers).toMatchObject({
      authorization: 'Bearer from-userflare',
      'x-auth-email': 'env@example.com',
      'x-auth-key': 'env-key',
    });
  });

  it('falls back to CLOUDFLARE_API_TOKEN and the local default base URL; null turns a credential off', () => {
    vi.stubEnv('USERFLARE_API_TOKEN', '');
    vi.stubEnv('CLOUDFLARE_API_TOKEN', 'from-cloudflare');
    vi.stubEnv('USERFLARE_BASE_URL', '');
    const client = new Userflare();
    expect(client.apiToken).toBe('from-cloudflare');
    expect(client.baseURL).toBe(DEFAULT_BASE_URL);
    expect(DEFAULT_BASE_URL).toBe('http://127.0.0.1:4010/client/v4');
    expect(new Userflare({ apiToken: null }).apiToken).toBeNull();
    expect(client.timeout).toBe(60_000);
    expect(client.maxRetries).toBe(2);
  });
});

describe('package', () => {
  const root = resolve(import.meta.dirname, '..');

  function sourceFiles(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : [join(dir, entry.name)],
    );
  }

  it('has no runtime dependencies and imports nothing from Node or the contract at run time', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
    // The contract is there for the declarations' types only; pack:check proves the built JS imports nothing.
    expect(Object.keys(manifest.dependencies as object)).toEqual(['@userflare/contract']);
    for (const file of sourceFiles(join(root, 'src'))) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toMatch(/from 'node:/);
      expect(text, file).not.toMatch(/^import \{[^}]*\} from '@(userflare|sinclair)\//m);
    }
  });
});
