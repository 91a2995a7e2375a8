import { ConfigError, loadConfig } from 'userflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOOTSTRAP, bearer, createTestApp, type TestApp } from './helpers/test-server.js';

describe('USERFLARE_TRUST_PROXY', () => {
  for (const entry of ['10.0.0.0/33', '::1/129', '10.0.0.0/', '10.0.0.0/8/1', '1.2.3.4/abc', 'not-an-ip']) {
    it(`refuses ${entry}, naming the variable and the entry`, () => {
      const load = () => loadConfig({ USERFLARE_TRUST_PROXY: entry });
      expect(load).toThrow(ConfigError);
      expect(load).toThrow('USERFLARE_TRUST_PROXY');
      expect(load).toThrow(`"${entry}"`);
    });
  }

  it('names the bad entry of a list, not the list', () => {
    expect(() => loadConfig({ USERFLARE_TRUST_PROXY: '10.0.0.0/8, 192.168.1.1/40' })).toThrow(
      /USERFLARE_TRUST_PROXY.*"192\.168\.1\.1\/40"/,
    );
  });

  it('accepts lists of addresses and CIDRs, true and false', () => {
    const trustProxyOf = (value: string | undefined) =>
      loadConfig(value === undefined ? {} : { USERFLARE_TRUST_PROXY: value }).trustProxy;
    expect(trustProxyOf('10.0.0.0/8, 192.168.1.1')).toBe('10.0.0.0/8,192.168.1.1');
    expect(trustProxyOf('::1/128')).toBe('::1/128');
    expect(trustProxyOf('10.0.0.0/0')).toBe('10.0.0.0/0');
    expect(trustProxyOf('true')).toBe(true);
    expect(trustProxyOf('false')).toBe(false);
    expect(trustProxyOf('')).toBe(false);
    expect(trustProxyOf(undefined)).toBe(false);
  });
});

/** A token usable only from 192.0.2.0/24: who the server takes the client to be decides its fate. */
async function tokenFrom192(t: TestApp): Promise<string> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/client/v4/user/tokens',
    headers: bearer(BOOTSTRAP.token),
    payload: {
      name: 'from 192.0.2.0/24',
      policies: [
        {
          effect: 'allow',
          permission_groups: [{ id: '0cc3a61731504c89b99ec1be78b77aa0' }],
          resources: { [`com.cloudflare.api.user.${t.userId}`]: '*' },
        },
      ],
      condition: { request_ip: { in: ['192.0.2.0/24'] } },
    },
  });
  expect(response.statusCode).toBe(200);
  return response.json().result.value as string;
}

describe('X-Forwarded-For, as USERFLARE_TRUST_PROXY says', () => {
  const servers: Record<string, TestApp> = {};
  const tokens: Record<string, string> = {};
  const settings = { off: '', loopback: '127.0.0.1', chain: '127.0.0.1, 203.0.113.0/24', any: 'true' };
  beforeAll(async () => {
    for (const [name, value] of Object.entries(settings)) {
      servers[name] = await createTestApp({ env: { USERFLARE_TRUST_PROXY: value } });
      tokens[name] = await tokenFrom192(servers[name] as TestApp);
    }
  });
  afterAll(async () => {
    await Promise.all(Object.values(servers).map((t) => t.close()));
  });

  /**
   * Who the server took a verify from 127.0.0.1 claiming `forwardedFor` to come from: `192.0.2.7` when
   * the token was let through, else the address its refusal names ("…from location: <ip>").
   */
  async function seenAs(name: keyof typeof settings, forwardedFor: string): Promise<string> {
    const t = servers[name] as TestApp;
    const response = await t.app.inject({
      url: '/client/v4/user/tokens/verify',
      headers: { ...bearer(tokens[name] as string), 'x-forwarded-for': forwardedFor },
      remoteAddress: '127.0.0.1',
    });
    if (response.statusCode === 200) return '192.0.2.7';
    expect(response.statusCode).toBe(403);
    const [error] = response.json().errors as { code: number; message: string }[];
    expect(error?.code).toBe(9109);
    return /from location: (\S+)$/.exec(error?.message ?? '')?.[1] ?? `unexpected: ${error?.message}`;
  }

  it('ignores X-Forwarded-For when no proxy is trusted: the socket’s address decides', async () => {
    expect(await seenAs('off', '192.0.2.7')).toBe('127.0.0.1');
  });

  it('takes the address a trusted proxy forwarded for', async () => {
    expect(await seenAs('loopback', '192.0.2.7')).toBe('192.0.2.7');
    expect(await seenAs('loopback', '198.51.100.1')).toBe('198.51.100.1');
  });

  it('reads a chain from the right, skipping only the trusted hops', async () => {
    // 203.0.113.9 is not trusted by `loopback`: it is the client, whatever it claims before it.
    expect(await seenAs('loopback', '192.0.2.7, 203.0.113.9')).toBe('203.0.113.9');
    expect(await seenAs('chain', '192.0.2.7, 203.0.113.9')).toBe('192.0.2.7');
  });

  it('believes the left-most entry with true, whoever wrote it', async () => {
    expect(await seenAs('any', '198.51.100.1, 203.0.113.9')).toBe('198.51.100.1');
    expect(await seenAs('any', '192.0.2.7, 203.0.113.9')).toBe('192.0.2.7');
  });
});
