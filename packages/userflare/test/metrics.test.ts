import { Writable } from 'node:stream';
import { type BuiltApp, buildApp, loadConfig } from 'userflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DURATION_BUCKETS } from '../src/modules/metrics/metrics.js';
import { MemoryCounters } from '../src/modules/rate-limits/rate-limit-counters.js';
import { RateLimits } from '../src/modules/rate-limits/rate-limits.js';
import {
  histogramOf,
  type MetricFamily,
  parsePrometheusText,
  samplesOf,
  sampleValue,
} from './helpers/prometheus-text.js';
import { BOOTSTRAP, bearer, globalKey } from './helpers/test-server.js';
import { createTestDatabase, TEST_STORE, type TestDatabase } from './helpers/test-store.js';
import { GROUP, policy, userResource } from './helpers/tokens-fixtures.js';

const VERIFY = '/client/v4/user/tokens/verify';
const USER = '/client/v4/user';
const UNKNOWN_TOKEN = 'unknownUnknownUnknownUnknownUnknownUnkno';
const MALFORMED = 'Basic c2VjcmV0LXVzZXI6c2VjcmV0LXBhc3N3b3Jk';
const WRONG_API_KEY = 'fedcba9876543210fedcba9876543210fedcb';
const WRONG_ADMIN_KEY = 'not-the-admin-key-at-all';
/** Every secret a request below sends: none may reach a log line. */
const SECRETS = [
  BOOTSTRAP.token,
  BOOTSTRAP.apiKey,
  BOOTSTRAP.adminKey,
  UNKNOWN_TOKEN,
  MALFORMED,
  WRONG_API_KEY,
  WRONG_ADMIN_KEY,
];

interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

const WARN = 40;

describe('metrics', () => {
  let database: TestDatabase;
  let built: BuiltApp;
  let userId: string;
  let limitedToken: string;
  const logText: string[] = [];
  const logLines = () => logText.map((line) => JSON.parse(line) as LogLine);

  const request = (
    url: string,
    headers: Record<string, string> = {},
    remoteAddress = '192.0.2.1',
    method = 'GET',
  ) => built.app.inject({ method: method as 'GET', url, headers, remoteAddress });
  const admin = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) =>
    built.app.inject({
      method,
      url: `/__userflare${url}`,
      headers: { 'x-admin-key': BOOTSTRAP.adminKey },
      ...(payload ? { payload } : {}),
    });
  async function scrape(): Promise<Map<string, MetricFamily>> {
    const response = await request('/metrics', { 'x-admin-key': BOOTSTRAP.adminKey });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    return parsePrometheusText(response.payload);
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    const config = loadConfig({
      USERFLARE_DATABASE_URL: database.url,
      USERFLARE_BOOTSTRAP_EMAIL: BOOTSTRAP.email,
      USERFLARE_BOOTSTRAP_TOKEN: BOOTSTRAP.token,
      USERFLARE_BOOTSTRAP_API_KEY: BOOTSTRAP.apiKey,
      USERFLARE_ADMIN_KEY: BOOTSTRAP.adminKey,
      USERFLARE_SECRET: 'test-secret-0123456789abcdef0123456789abcdef',
      // Two failed authentications a day from one address, then 429.
      USERFLARE_AUTH_FAILURE_LIMIT: '2/86400',
    });
    const stream = new Writable({
      write(chunk, _encoding, callback) {
        logText.push(...String(chunk).split('\n').filter(Boolean));
        callback();
      },
    });
    built = await buildApp(config, { logger: { level: 'info', stream } });
    const user = await built.store.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', BOOTSTRAP.email)
      .executeTakeFirstOrThrow();
    userId = user.id;
    const created = await built.app.inject({
      method: 'POST',
      url: '/client/v4/user/tokens',
      headers: bearer(BOOTSTRAP.token),
      payload: { name: 'tokens only', policies: [policy([GROUP.apiTokensRead], userResource(userId))] },
    });
    expect(created.statusCode).toBe(200);
    limitedToken = (created.json() as { result: { value: string } }).result.value;
    SECRETS.push(limitedToken);
  });
  afterAll(async () => {
    await built?.app.close();
    await database?.drop();
  });

  it('refuses /metrics without the admin key, and with an API token, with 401', async () => {
    const keyless = await request('/metrics');
    expect(keyless.statusCode).toBe(401);
    expect(keyless.json()).toMatchObject({ success: false, errors: [{ code: 1401 }] });
    expect((await request('/metrics', bearer(BOOTSTRAP.token))).statusCode).toBe(401);
    expect((await request('/metrics', { 'x-admin-key': WRONG_ADMIN_KEY })).statusCode).toBe(401);
  });

  it('serves Prometheus text to X-Admin-Key and to Authorization: Bearer <admin key>', async () => {
    const byHeader = await request('/metrics', { 'x-admin-key': BOOTSTRAP.adminKey });
    const byBearer = await request('/metrics', bearer(BOOTSTRAP.adminKey));
    for (const response of [byHeader, byBearer]) {
      expect(response.statusCode).toBe(200);
      expect(() => parsePrometheusText(response.payload)).not.toThrow();
    }
    // Not an API path: /client/v4/metrics is no route.
    expect((await request('/client/v4/metrics', { 'x-admin-key': BOOTSTRAP.adminKey })).statusCode).toBe(400);
  });

  it('counts requests by route pattern and status, with a duration histogram per route', async () => {
    const before = await scrape();
    const verifiedBefore =
      sampleValue(before, 'userflare_http_requests_total', { method: 'GET', route: VERIFY, status: '200' }) ??
      0;
    for (let i = 0; i < 3; i++) expect((await request(VERIFY, bearer(BOOTSTRAP.token))).statusCode).toBe(200);
    // The same route at the root (DESIGN, "Operating contract") counts under its one pattern.
    expect((await request('/user/tokens/verify', bearer(BOOTSTRAP.token))).statusCode).toBe(200);
    const id = 'f'.repeat(32);
    expect((await request(`/client/v4/user/tokens/${id}`, bearer(BOOTSTRAP.token))).statusCode).toBe(404);
    expect((await request(`/client/v4/no/such/route/${id}`, bearer(BOOTSTRAP.token))).statusCode).toBe(400);
    const after = await scrape();

    expect(
      sampleValue(after, 'userflare_http_requests_total', { method: 'GET', route: VERIFY, status: '200' }),
    ).toBe(verifiedBefore + 4);
    expect(
      sampleValue(after, 'userflare_http_requests_total', {
        method: 'GET',
        route: '/client/v4/user/tokens/:token_id',
        status: '404',
      }),
    ).toBe(1);
    expect(
      sampleValue(after, 'userflare_http_requests_total', {
        method: 'GET',
        route: 'unmatched',
        status: '400',
      }),
    ).toBeGreaterThanOrEqual(1);
    // Patterns only: no id, no raw path, in any label.
    for (const sample of samplesOf(after, 'userflare_http_requests_total')) {
      expect(sample.labels.route).not.toContain(id);
      expect(sample.labels.route === 'unmatched' || sample.labels.route?.startsWith('/')).toBe(true);
    }

    const histogram = histogramOf(after, 'userflare_http_request_duration_seconds', {
      method: 'GET',
      route: VERIFY,
    });
    expect(histogram.buckets.map(([le]) => le)).toEqual([...DURATION_BUCKETS, Number.POSITIVE_INFINITY]);
    expect(histogram.count).toBe(
      sampleValue(after, 'userflare_http_requests_total', { method: 'GET', route: VERIFY, status: '200' }),
    );
    expect(histogram.sum).toBeGreaterThan(0);
    expect(histogram.sum).toBeLessThan(histogram.count * 10);
  });

  it('counts refusals by reason and logs each at warn with the address and reason, never the credential', async () => {
    const before = await scrape();
    const refusals = (families: Map<string, MetricFamily>, reason: string, reportedOnly = 'false') =>
      sampleValue(families, 'userflare_authentication_refusals_total', {
        reason,
        reported_only: reportedOnly,
      }) ?? 0;

    expect((await request(USER, bearer(UNKNOWN_TOKEN), '192.0.2.10')).statusCode).toBe(403);
    expect((await request(USER, { authorization: MALFORMED }, '192.0.2.11')).statusCode).toBe(400);
    expect((await request(USER, globalKey(BOOTSTRAP.email, WRONG_API_KEY), '192.0.2.12')).statusCode).toBe(
      403,
    );
    expect((await request(USER, {}, '192.0.2.13')).statusCode).toBe(400);
    expect((await request(USER, bearer(limitedToken), '192.0.2.14')).statusCode).toBe(403);
    expect((await request('/__userflare/clock', {}, '192.0.2.15')).statusCode).toBe(401);
    const after = await scrape();

    expect(refusals(after, 'unknown_credential') - refusals(before, 'unknown_credential')).toBe(2);
    expect(refusals(after, 'malformed_credential') - refusals(before, 'malformed_credential')).toBe(1);
    expect(refusals(after, 'no_credential') - refusals(before, 'no_credential')).toBe(1);
    expect(refusals(after, 'permission_missing') - refusals(before, 'permission_missing')).toBe(1);
    expect(refusals(after, 'invalid_admin_key') - refusals(before, 'invalid_admin_key')).toBe(1);

    const warnings = logLines().filter((line) => line.level === WARN);
    expect(warnings).toContainEqual(
      expect.objectContaining({
        msg: 'authentication refused',
        clientAddress: '192.0.2.10',
        reason: 'unknown_credential',
        method: 'GET',
        route: USER,
        status: 403,
      }),
    );
    expect(warnings).toContainEqual(
      expect.objectContaining({ clientAddress: '192.0.2.11', reason: 'malformed_credential', status: 400 }),
    );
    expect(warnings).toContainEqual(
      expect.objectContaining({
        msg: 'authorization refused',
        clientAddress: '192.0.2.14',
        reason: 'permission_missing',
        status: 403,
        userId,
        tokenId: expect.stringMatching(/^[0-9a-f]{32}$/),
      }),
    );
    expect(warnings).toContainEqual(
      expect.objectContaining({
        clientAddress: '192.0.2.15',
        reason: 'invalid_admin_key',
        route: '/__userflare/clock',
      }),
    );
    // From the address of every other request: only the refused scrapes of the first test.
    expect(
      warnings
        .filter((line) => line.clientAddress === '192.0.2.1')
        .map(({ reason, route }) => `${reason} ${route}`),
    ).toEqual(Array(3).fill('invalid_admin_key /metrics'));
    for (const secret of SECRETS) expect(logText.join('\n')).not.toContain(secret);
    expect(logText.join('\n')).not.toContain(BOOTSTRAP.email);
  });

  it('counts a refused dashboard sign-in by its reason, and logs it', async () => {
    const reason = { reason: 'unknown_credential', reported_only: 'false' };
    const before = sampleValue(await scrape(), 'userflare_authentication_refusals_total', reason) ?? 0;
    const signIn = await built.app.inject({
      method: 'POST',
      url: '/dashboard/api/session',
      headers: { origin: 'http://localhost:80', 'x-userflare-dashboard': '1' },
      payload: { token: UNKNOWN_TOKEN },
      remoteAddress: '192.0.2.30',
    });
    expect(signIn.statusCode).toBe(403);
    expect(sampleValue(await scrape(), 'userflare_authentication_refusals_total', reason)).toBe(before + 1);
    expect(logLines()).toContainEqual(
      expect.objectContaining({
        level: WARN,
        clientAddress: '192.0.2.30',
        reason: 'unknown_credential',
        method: 'POST',
        route: '/dashboard/api/session',
      }),
    );
    expect(logText.join('\n')).not.toContain(UNKNOWN_TOKEN);
  });

  it('counts a refusal in report mode apart, and logs no warning for it', async () => {
    expect((await admin('PUT', '/enforcement', { mode: 'report' })).statusCode).toBe(200);
    try {
      const before = await scrape();
      const warned = logLines().filter((line) => line.level === WARN).length;
      expect((await request(USER, bearer(limitedToken), '192.0.2.20')).statusCode).toBe(200);
      const after = await scrape();
      const labels = { reason: 'permission_missing', reported_only: 'true' };
      expect(
        (sampleValue(after, 'userflare_authentication_refusals_total', labels) ?? 0) -
          (sampleValue(before, 'userflare_authentication_refusals_total', labels) ?? 0),
      ).toBe(1);
      expect(logLines().filter((line) => line.level === WARN)).toHaveLength(warned);
    } finally {
      await admin('PUT', '/enforcement', { mode: 'enforce' });
    }
  });

  it('counts rate-limit rejections by limit', async () => {
    const address = '203.0.113.9';
    expect((await request(USER, bearer(UNKNOWN_TOKEN), address)).statusCode).toBe(403);
    expect((await request(USER, bearer(UNKNOWN_TOKEN), address)).statusCode).toBe(403);
    expect((await request(USER, bearer(BOOTSTRAP.token), address)).statusCode).toBe(429);
    const families = await scrape();
    expect(sampleValue(families, 'userflare_rate_limit_rejections_total', { limit: 'auth_failures' })).toBe(
      1,
    );
    expect(
      sampleValue(families, 'userflare_http_requests_total', { method: 'GET', route: USER, status: '429' }),
    ).toBe(1);
  });

  it("reports the read cache's hits and misses", async () => {
    for (let i = 0; i < 3; i++) await request(VERIFY, bearer(BOOTSTRAP.token));
    const families = await scrape();
    expect(sampleValue(families, 'userflare_read_cache_hits_total')).toBeGreaterThan(0);
    expect(sampleValue(families, 'userflare_read_cache_misses_total')).toBeGreaterThan(0);
    if (TEST_STORE === 'postgres') {
      // USERFLARE_PG_CACHE=exact (the default) asks PostgreSQL for its snapshot.
      expect(sampleValue(families, 'userflare_read_cache_snapshot_checks_total')).toBeGreaterThan(0);
    } else expect(families.has('userflare_read_cache_snapshot_checks_total')).toBe(false);
  });

  it('reports the PostgreSQL pool on PostgreSQL only', async () => {
    const families = await scrape();
    if (TEST_STORE === 'sqlite') {
      expect([...families.keys()].filter((name) => name.startsWith('userflare_postgres_'))).toEqual([]);
      return;
    }
    const inUse = sampleValue(families, 'userflare_postgres_pool_connections', { state: 'in_use' });
    const idle = sampleValue(families, 'userflare_postgres_pool_connections', { state: 'idle' });
    expect(inUse).toBeGreaterThanOrEqual(0);
    expect(idle).toBeGreaterThanOrEqual(0);
    expect((inUse ?? 0) + (idle ?? 0)).toBeGreaterThanOrEqual(1);
    expect(sampleValue(families, 'userflare_postgres_pool_waiting')).toBe(0);
    expect(sampleValue(families, 'userflare_postgres_pool_max_connections')).toBe(10);
    expect(families.get('userflare_postgres_pool_connections')?.type).toBe('gauge');
  });

  it('serves the process metrics and documents every userflare metric', async () => {
    const families = await scrape();
    expect(families.get('process_cpu_user_seconds_total')?.type).toBe('counter');
    expect(families.get('nodejs_eventloop_lag_seconds')?.type).toBe('gauge');
    for (const family of families.values()) {
      if (!family.name.startsWith('userflare_')) continue;
      expect(family.help, family.name).not.toBe('');
      expect(family.type, family.name).not.toBe('untyped');
    }
  });

  it("counts a namespace's requests under one route label", async () => {
    expect((await admin('POST', '/namespaces', { id: 'metrics' })).statusCode).toBe(200);
    try {
      const before = await scrape();
      const { statusCode } = await request(`/ns/metrics${VERIFY}`, bearer(BOOTSTRAP.token));
      const status = String(statusCode);
      const after = await scrape();
      const namespaced = (families: Map<string, MetricFamily>) =>
        sampleValue(families, 'userflare_http_requests_total', {
          method: 'GET',
          route: 'namespace',
          status,
        }) ?? 0;
      expect(namespaced(after) - namespaced(before)).toBe(1);
      // Answered by the namespace's app: not counted as a request of the root's routes.
      const verified = (families: Map<string, MetricFamily>) =>
        samplesOf(families, 'userflare_http_requests_total', { route: VERIFY }).reduce(
          (n, s) => n + s.value,
          0,
        );
      expect(verified(after)).toBe(verified(before));
    } finally {
      await admin('DELETE', '/namespaces/metrics');
    }
  });
});

describe('rate limit rejections', () => {
  it('are counted by the limit that refused', async () => {
    const limits = new RateLimits(
      {
        perUser: { limit: 1, windowSeconds: 3600 },
        perAddress: { limit: 2, windowSeconds: 3600 },
        failedAuthenticationsPerAddress: { limit: 1, windowSeconds: 3600 },
      },
      new MemoryCounters(),
    );
    await limits.admitUser('u');
    await expect(limits.admitUser('u')).rejects.toMatchObject({ statusCode: 429 });
    await limits.admitAddress('a');
    await limits.admitAddress('a');
    await expect(limits.admitAddress('a')).rejects.toMatchObject({ statusCode: 429 });
    await limits.recordFailedAuthentication('b');
    await expect(limits.admitAddress('b')).rejects.toMatchObject({ statusCode: 429 });
    expect(limits.rejections).toEqual({ user: 1, address: 1, auth_failures: 1 });
  });
});

describe('the Prometheus text parser of these tests', () => {
  it('rejects what the format does not allow', () => {
    for (const text of [
      'c{ 2',
      'c 1 2 3',
      'c one',
      'c{a="1} 2',
      'c{a="\\x"} 1',
      '# TYPE c counter\nc 1\n# TYPE c counter',
      '# TYPE c counter\nc 1\nd 1\nc{a="1"} 2',
      'c 1\nc 2',
      '# TYPE h histogram\nh_bucket 1',
    ]) {
      expect(() => parsePrometheusText(text), text).toThrow();
    }
  });

  it('reads labels with escapes, and histogram series apart', () => {
    const families = parsePrometheusText(
      [
        '# HELP h a histogram',
        '# TYPE h histogram',
        'h_bucket{le="0.5",a="x\\"y"} 1',
        'h_bucket{le="+Inf",a="x\\"y"} 2',
        'h_sum{a="x\\"y"} 2.5',
        'h_count{a="x\\"y"} 2',
        'h_bucket{le="0.5",a="z"} 0',
        'h_bucket{le="+Inf",a="z"} 1',
        'h_sum{a="z"} 0.7',
        'h_count{a="z"} 1',
      ].join('\n'),
    );
    expect(histogramOf(families, 'h', { a: 'x"y' })).toEqual({
      buckets: [
        [0.5, 1],
        [Number.POSITIVE_INFINITY, 2],
      ],
      sum: 2.5,
      count: 2,
    });
    expect(histogramOf(families, 'h', { a: 'z' }).count).toBe(1);
  });
});
