import { loadConfig } from 'userflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOOTSTRAP, bearer, createTestApp, type TestApp } from './helpers/test-server.js';
import { createTestDatabase, TEST_STORE, type TestDatabase } from './helpers/test-store.js';

// Windows of a day: a run never straddles two of them, so counts are exact.
const DAY = 86_400;
const UNKNOWN_TOKEN = 'unknownUnknownUnknownUnknownUnknownUnkno';

async function getUser(t: TestApp, token: string, ip = '192.0.2.1') {
  return t.app.inject({ url: '/client/v4/user', headers: bearer(token), remoteAddress: ip });
}

async function createUserWithToken(t: TestApp, email: string): Promise<string> {
  const created = await t.app.inject({
    method: 'POST',
    url: '/__userflare/users',
    headers: { 'x-admin-key': BOOTSTRAP.adminKey },
    payload: { email },
  });
  return (created.json() as { result: { token: { value: string } } }).result.token.value;
}

describe('rate limits', () => {
  it('are off unless configured', () => {
    expect(loadConfig({}).rateLimits).toEqual({});
  });

  it("offer Cloudflare's documented defaults: 1200 per 5 minutes per user, 200 per second per IP", () => {
    expect(loadConfig({ USERFLARE_RATE_LIMIT: 'cloudflare' }).rateLimits).toEqual({
      perUser: { limit: 1200, windowSeconds: 300 },
      perAddress: { limit: 200, windowSeconds: 1 },
    });
  });

  it('refuse a malformed setting, naming the variable', () => {
    expect(() => loadConfig({ USERFLARE_RATE_LIMIT: 'fast' })).toThrow(/USERFLARE_RATE_LIMIT/);
    expect(() => loadConfig({ USERFLARE_AUTH_FAILURE_LIMIT: '0/60' })).toThrow(
      /USERFLARE_AUTH_FAILURE_LIMIT/,
    );
  });

  describe('per user', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ env: { USERFLARE_RATE_LIMIT: `5/${DAY}` } });
    });
    afterAll(() => t.close());

    it('answers 429 with code 971 and retry-after past the limit, and leaves other users alone', async () => {
      for (let i = 0; i < 5; i++) expect((await getUser(t, BOOTSTRAP.token)).statusCode).toBe(200);
      const limited = await getUser(t, BOOTSTRAP.token);
      expect(limited.statusCode).toBe(429);
      expect(limited.json()).toMatchObject({
        success: false,
        errors: [{ code: 971, message: 'Please wait and consider throttling your request speed' }],
        result: null,
      });
      const retryAfter = Number(limited.headers['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(DAY);
      const other = await createUserWithToken(t, 'other@example.com');
      expect((await getUser(t, other)).statusCode).toBe(200);
    });
  });

  describe('per address, for failed authentication', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ env: { USERFLARE_AUTH_FAILURE_LIMIT: `3/${DAY}` } });
    });
    afterAll(() => t.close());

    it('slows an address that keeps presenting invalid tokens, without affecting other addresses', async () => {
      for (let i = 0; i < 3; i++)
        expect((await getUser(t, UNKNOWN_TOKEN, '198.51.100.7')).statusCode).toBe(403);
      const slowed = await getUser(t, UNKNOWN_TOKEN, '198.51.100.7');
      expect(slowed.statusCode).toBe(429);
      expect(slowed.json().errors[0].code).toBe(971);
      // Even a valid token from that address waits: the address is what is being slowed.
      expect((await getUser(t, BOOTSTRAP.token, '198.51.100.7')).statusCode).toBe(429);
      expect((await getUser(t, BOOTSTRAP.token, '198.51.100.8')).statusCode).toBe(200);
      expect((await getUser(t, UNKNOWN_TOKEN, '198.51.100.8')).statusCode).toBe(403);
    });

    it('does not count successful requests as failures', async () => {
      for (let i = 0; i < 10; i++)
        expect((await getUser(t, BOOTSTRAP.token, '203.0.113.9')).statusCode).toBe(200);
    });
  });

  describe.runIf(TEST_STORE === 'postgres')('on PostgreSQL', () => {
    let database: TestDatabase;
    let replicas: TestApp[];
    beforeAll(async () => {
      database = await createTestDatabase();
      const env = { USERFLARE_DATABASE_URL: database.url, USERFLARE_RATE_LIMIT: `4/${DAY}` };
      replicas = [await createTestApp({ env }), await createTestApp({ env })];
    });
    afterAll(async () => {
      for (const replica of replicas) await replica.close();
      await database.drop();
    });

    it('shares the counters between replicas on one database', async () => {
      const [a, b] = replicas as [TestApp, TestApp];
      expect((await getUser(a, BOOTSTRAP.token)).statusCode).toBe(200);
      expect((await getUser(b, BOOTSTRAP.token)).statusCode).toBe(200);
      expect((await getUser(a, BOOTSTRAP.token)).statusCode).toBe(200);
      expect((await getUser(b, BOOTSTRAP.token)).statusCode).toBe(200);
      expect((await getUser(a, BOOTSTRAP.token)).statusCode).toBe(429);
      expect((await getUser(b, BOOTSTRAP.token)).statusCode).toBe(429);
    });
  });
});
