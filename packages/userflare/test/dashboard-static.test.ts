import helmet from '@fastify/helmet';
import Fastify from 'fastify';
import { ConfigError, loadConfig, startServer } from 'userflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_CSP } from '../src/modules/dashboard/dashboard-security.js';
import {
  createDashboardApp,
  type DashboardApp,
  fromDashboard,
  sessionSetCookie,
  signIn,
  TEST_APP_JS,
} from './helpers/dashboard-app.js';
import { BOOTSTRAP, bearer } from './helpers/test-server.js';

/** What @fastify/helmet sends with the dashboard's options: the reference for our header set. */
async function helmetReference(): Promise<Record<string, string>> {
  const directives = Object.fromEntries(
    DASHBOARD_CSP.split(/; */).map((directive) => {
      const [name, ...values] = directive.split(' ');
      return [name as string, values];
    }),
  );
  const app = Fastify();
  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives },
    frameguard: { action: 'deny' },
    strictTransportSecurity: false,
  });
  app.get('/', async () => 'ok');
  const response = await app.inject({ url: '/' });
  await app.close();
  const drop = new Set(['content-type', 'content-length', 'date', 'connection', 'keep-alive']);
  const headers = Object.fromEntries(
    Object.entries(response.headers)
      .filter(([name]) => !drop.has(name))
      .map(([name, value]) => [name, String(value)]),
  );
  // Helmet joins directives with ";", ours are written with "; ": the same policy.
  expect(headers['content-security-policy']).toBe(DASHBOARD_CSP.replaceAll('; ', ';'));
  headers['content-security-policy'] = DASHBOARD_CSP;
  return headers;
}

describe('the dashboard’s pages and files', () => {
  let t: DashboardApp;
  let reference: Record<string, string>;
  beforeAll(async () => {
    t = await createDashboardApp();
    reference = await helmetReference();
  });
  afterAll(async () => {
    await t.close();
  });

  it('redirects /dashboard to /dashboard/ with 308, keeping the query', async () => {
    const response = await t.app.inject({ url: '/dashboard?from=banner' });
    expect(response.statusCode).toBe(308);
    expect(response.headers.location).toBe('/dashboard/?from=banner');
  });

  it('serves index.html at /dashboard/, never cached, with its <base> as built', async () => {
    const response = await t.app.inject({ url: '/dashboard/' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body).toContain('<base href="/dashboard/">');
  });

  it('answers index.html for any page path the SPA routes, query and all', async () => {
    for (const url of [
      '/dashboard/tokens/new?x=1',
      '/dashboard/tokens/0123/edit',
      '/dashboard/index.html',
      '/dashboard/api',
    ]) {
      const response = await t.app.inject({ url });
      expect(response.statusCode, url).toBe(url === '/dashboard/api' ? 404 : 200);
      if (url !== '/dashboard/api') expect(response.body).toContain('<div id="root">');
    }
  });

  it('serves a hashed asset cached for good, and a missing one as a 404', async () => {
    const script = await t.app.inject({ url: '/dashboard/assets/app.js' });
    expect(script.statusCode).toBe(200);
    expect(script.body).toBe(TEST_APP_JS);
    expect(script.headers['content-type']).toMatch(/^(text|application)\/javascript/);
    expect(script.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const missing = await t.app.inject({ url: '/dashboard/assets/app-0ld.js' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().success).toBe(false);
  });

  it('never serves a file outside the build', async () => {
    for (const url of [
      '/dashboard/%2e%2e/%2e%2e/package.json',
      '/dashboard/..%2f..%2fpackage.json',
      '/dashboard/assets/%2e%2e/%2e%2e/%2e%2e/package.json',
    ]) {
      const response = await t.app.inject({ url });
      expect(response.body, url).not.toContain('"name"');
    }
  });

  it('answers an unknown /dashboard/api/ path with the Cloudflare 404 envelope', async () => {
    for (const method of ['GET', 'POST', 'DELETE'] as const) {
      const response = await t.app.inject({
        method,
        url: '/dashboard/api/nope',
        headers: fromDashboard(undefined),
      });
      expect(response.statusCode).toBe(404);
      expect(response.json()).toEqual({
        success: false,
        errors: [
          {
            code: 7003,
            message: 'Could not route to /dashboard/api/nope, perhaps your object identifier is invalid?',
          },
          { code: 7000, message: 'No route for that URI' },
        ],
        messages: [],
        result: null,
      });
    }
  });

  it('sends helmet’s security headers with the dashboard’s CSP on every dashboard response', async () => {
    const { cookie } = await signIn(t, { token: BOOTSTRAP.token });
    const responses = {
      index: await t.app.inject({ url: '/dashboard/' }),
      asset: await t.app.inject({ url: '/dashboard/assets/app.js' }),
      redirect: await t.app.inject({ url: '/dashboard' }),
      session: await t.app.inject({ url: '/dashboard/api/session', headers: fromDashboard(cookie) }),
      proxied: await t.app.inject({ url: '/dashboard/api/client/v4/user', headers: fromDashboard(cookie) }),
      admin: await t.app.inject({ url: '/dashboard/api/__userflare/clock', headers: fromDashboard(cookie) }),
      refusal: await t.app.inject({
        url: '/dashboard/api/client/v4/user',
        headers: fromDashboard(undefined),
      }),
      csrf: await t.app.inject({ method: 'POST', url: '/dashboard/api/client/v4/user/tokens', payload: {} }),
      error: await t.app.inject({ url: '/dashboard/api/nope' }),
      unknownMethod: await t.app.inject({ method: 'PUT', url: '/dashboard/tokens' }),
    };
    expect(reference['content-security-policy']).toBe(DASHBOARD_CSP);
    expect(reference['x-frame-options']).toBe('DENY');
    for (const [name, response] of Object.entries(responses)) {
      for (const [header, value] of Object.entries(reference)) {
        expect(response.headers[header], `${name}: ${header}`).toBe(value);
      }
      expect(response.headers['strict-transport-security'], name).toBeUndefined();
    }
    expect(responses.proxied.statusCode).toBe(200);
    expect(responses.admin.statusCode).toBe(401);
  });

  it('leaves the API’s own responses as they were', async () => {
    const response = await t.app.inject({ url: '/client/v4/user', headers: bearer(BOOTSTRAP.token) });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-security-policy']).toBeUndefined();
    expect(response.headers['x-frame-options']).toBeUndefined();
  });

  it('keeps the dashboard out of the OpenAPI document', async () => {
    const response = await t.app.inject({ url: '/client/v4/openapi.json' });
    const paths = Object.keys(response.json().paths as Record<string, unknown>);
    expect(paths.filter((path) => path.includes('dashboard'))).toEqual([]);
  });
});

describe('the dashboard behind an https proxy', () => {
  let t: DashboardApp;
  beforeAll(async () => {
    t = await createDashboardApp({ env: { USERFLARE_TRUST_PROXY: 'true' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('adds HSTS and marks the session cookie Secure when the request came over https', async () => {
    const headers = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'dash.example' };
    const page = await t.app.inject({ url: '/dashboard/', headers });
    expect(page.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    const { response } = await signIn(
      t,
      { token: BOOTSTRAP.token },
      { headers: { ...headers, origin: 'https://dash.example' } },
    );
    expect(response.statusCode).toBe(200);
    expect(sessionSetCookie(response)).toContain('; Secure');
    expect(response.json().result.server_url).toBe('https://dash.example/client/v4');
  });
});

describe('the dashboard without its build', () => {
  let t: DashboardApp;
  beforeAll(async () => {
    t = await createDashboardApp({ assets: null });
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers its pages with 503 saying how to build it, and its session routes still work', async () => {
    for (const url of ['/dashboard/', '/dashboard/tokens']) {
      const response = await t.app.inject({ url });
      expect(response.statusCode).toBe(503);
      expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(response.body).toBe(
        'The dashboard is not built: run `npm run build` in the userflare repository.\n',
      );
      expect(response.headers['content-security-policy']).toBeDefined();
    }
    expect((await t.app.inject({ url: '/dashboard/assets/app.js' })).statusCode).toBe(404);
    expect((await signIn(t, { token: BOOTSTRAP.token })).response.statusCode).toBe(200);
  });
});

describe('USERFLARE_DASHBOARD=off', () => {
  let t: DashboardApp;
  beforeAll(async () => {
    t = await createDashboardApp({ env: { USERFLARE_DASHBOARD: 'off' } });
  });
  afterAll(async () => {
    await t.close();
  });

  it('serves nothing under /dashboard: every path answers as an unknown one does', async () => {
    const unknown = await t.app.inject({ url: '/no-such-thing' });
    for (const [method, url] of [
      ['GET', '/dashboard'],
      ['GET', '/dashboard/'],
      ['GET', '/dashboard/assets/app.js'],
      ['POST', '/dashboard/api/session'],
      ['GET', '/dashboard/api/client/v4/user'],
      ['GET', '/dashboard/api/__userflare/clock'],
    ] as const) {
      const response = await t.app.inject({
        method,
        url,
        headers: { ...fromDashboard(undefined), ...bearer(BOOTSTRAP.token) },
        ...(method === 'POST' ? { payload: { token: BOOTSTRAP.token } } : {}),
      });
      expect(response.statusCode, url).toBe(unknown.statusCode);
      expect(response.json().errors[1], url).toEqual(unknown.json().errors[1]);
      expect(response.headers['content-security-policy']).toBeUndefined();
      expect(sessionSetCookie(response)).toBeUndefined();
    }
  });

  it('is refused as a setting unless on or off', () => {
    expect(() => loadConfig({ USERFLARE_DASHBOARD: 'yes' })).toThrow(ConfigError);
    expect(() => loadConfig({ USERFLARE_DASHBOARD: 'yes' })).toThrow(/USERFLARE_DASHBOARD must be on or off/);
    expect(loadConfig({}).dashboard).toBe(true);
    expect(loadConfig({ USERFLARE_DASHBOARD: 'off' }).dashboard).toBe(false);
  });
});

describe('the start banner', () => {
  it('prints the dashboard’s URL, unless it is off', async () => {
    for (const setting of ['on', 'off']) {
      const lines: string[] = [];
      const server = await startServer(
        loadConfig({
          USERFLARE_DATABASE_URL: 'sqlite::memory:',
          PORT: '0',
          USERFLARE_ADMIN_KEY: BOOTSTRAP.adminKey,
          USERFLARE_SECRET: 'test-secret-0123456789abcdef0123456789abcdef',
          USERFLARE_DASHBOARD: setting,
        }),
        { print: (line) => lines.push(line) },
      );
      try {
        const expected = `Dashboard: ${server.url}/dashboard/`;
        if (setting === 'on') expect(lines).toContain(expected);
        else expect(lines.some((line) => line.startsWith('Dashboard:'))).toBe(false);
      } finally {
        await server.close();
      }
    }
  });
});
