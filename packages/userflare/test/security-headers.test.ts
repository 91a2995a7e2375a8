import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The browser the dashboard's tests use: Debian's headless shell, else its full Chromium.
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../dashboard/test/helpers/chromium.js';
import { DOCS_CSP } from '../src/http/openapi.js';
import { createDashboardApp, type DashboardApp, signIn } from './helpers/dashboard-app.js';
import {
  BOOTSTRAP,
  bearer,
  createTestApp,
  startTestServer,
  type TestApp,
  type TestServer,
} from './helpers/test-server.js';

const admin = { 'x-admin-key': BOOTSTRAP.adminKey };

function expectApiHeaders(response: LightMyRequestResponse | Response, what: string): void {
  const get = (name: string) =>
    response instanceof Response ? response.headers.get(name) : response.headers[name];
  expect(get('x-content-type-options'), what).toBe('nosniff');
  expect(get('cache-control'), what).toBe('no-store');
}

/** The directives of a policy: `{ 'script-src': ["'self'"], … }`. */
function directivesOf(policy: string): Record<string, string[]> {
  return Object.fromEntries(
    policy.split(/;\s*/).map((directive) => {
      const [name = '', ...values] = directive.trim().split(/\s+/);
      return [name, values];
    }),
  );
}

describe('security headers on every API and admin answer', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('sends nosniff and no-store on every route’s answer, even refused ones', async () => {
    const checked: string[] = [];
    for (const { method, url } of t.routes) {
      if (method === 'HEAD' || method === 'OPTIONS') continue;
      const path = url.replace(/:[^/]+/g, 'x').replace(/\*$/, 'x');
      const response = await t.app.inject({
        method: method as 'GET',
        url: path,
        ...(['POST', 'PUT', 'PATCH'].includes(method) ? { payload: {} } : {}),
      });
      const what = `${method} ${path} → ${response.statusCode}`;
      expect(response.headers['x-content-type-options'], what).toBe('nosniff');
      // Static files set their own caching: the reference page's scripts, the dashboard's hashed files.
      if (!/^\/(docs\/static|dashboard)\//.test(path))
        expect(response.headers['cache-control'], what).toBe('no-store');
      checked.push(what);
    }
    expect(checked.length).toBeGreaterThan(60);
  });

  it('sends them with the answers that show a secret once', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/client/v4/user/tokens',
      headers: bearer(BOOTSTRAP.token),
      payload: {
        name: 'headers',
        policies: [
          {
            effect: 'allow',
            permission_groups: [{ id: '0cc3a61731504c89b99ec1be78b77aa0' }],
            resources: { [`com.cloudflare.api.user.${t.userId}`]: '*' },
          },
        ],
      },
    });
    expect(created.statusCode).toBe(200);
    expect(created.json().result.value).toEqual(expect.any(String));
    expectApiHeaders(created, 'token create');
    const id = created.json().result.id as string;

    const rolled = await t.app.inject({
      method: 'PUT',
      url: `/user/tokens/${id}/value`,
      headers: bearer(BOOTSTRAP.token),
    });
    expect(rolled.statusCode).toBe(200);
    expectApiHeaders(rolled, 'token roll at the root');

    const user = await t.app.inject({
      method: 'POST',
      url: '/__userflare/users',
      headers: admin,
      payload: { email: 'headers@example.com' },
    });
    expect(user.statusCode).toBe(200);
    expectApiHeaders(user, 'admin user create');

    const key = await t.app.inject({
      method: 'POST',
      url: '/__userflare/users/headers@example.com/api_key/roll',
      headers: admin,
    });
    expect(key.statusCode).toBe(200);
    expectApiHeaders(key, 'global key roll');

    const seeded = await t.app.inject({
      method: 'POST',
      url: '/__userflare/seed',
      headers: admin,
      payload: {},
    });
    expect(seeded.statusCode).toBe(200);
    expectApiHeaders(seeded, 'seed');

    const reset = await t.app.inject({ method: 'POST', url: '/__userflare/reset', headers: admin });
    expect(reset.statusCode).toBe(200);
    expectApiHeaders(reset, 'reset');
  });

  it('sends them with 400, 401, 403, 404, 413 and routing failures', async () => {
    const cases = {
      400: await t.app.inject({ method: 'GET', url: '/client/v4/user' }),
      401: await t.app.inject({ url: '/client/v4/user/tokens/verify', headers: bearer('x'.repeat(40)) }),
      adminRefused: await t.app.inject({ method: 'POST', url: '/__userflare/users', payload: {} }),
      403: await t.app.inject({ url: '/user', headers: bearer('y'.repeat(40)) }),
      404: await t.app.inject({
        url: `/client/v4/user/tokens/${'0'.repeat(32)}`,
        headers: bearer(BOOTSTRAP.token),
      }),
      413: await t.app.inject({
        method: 'POST',
        url: '/client/v4/user/tokens',
        headers: { ...bearer(BOOTSTRAP.token), 'content-type': 'application/json' },
        payload: `{"name":"${'a'.repeat(2 * 1024 * 1024)}"}`,
      }),
      unknownRoute: await t.app.inject({ url: '/client/v4/nope' }),
      undecodablePath: await t.app.inject({ url: '/client/v4/user/tokens/%E0%A4%A' }),
    };
    const statuses = Object.fromEntries(Object.entries(cases).map(([name, r]) => [name, r.statusCode]));
    expect(statuses).toEqual({
      400: 400,
      401: 401,
      403: 403,
      404: 404,
      413: 413,
      adminRefused: 401,
      unknownRoute: 400,
      undecodablePath: 400,
    });
    for (const [name, response] of Object.entries(cases)) {
      expectApiHeaders(response, name);
      expect(response.json().success, name).toBe(false);
    }
  });

  it('answers a body sent to no route as that route’s absence, not as too large or malformed', async () => {
    for (const payload of ['{"a":', `{"a":"${'b'.repeat(2 * 1024 * 1024)}"}`]) {
      const response = await t.app.inject({
        method: 'PUT',
        url: '/client/v4/user/nope',
        headers: { 'content-type': 'application/json' },
        payload,
      });
      expect(response.statusCode).toBe(400);
      expect(response.json().errors.map((e: { code: number }) => e.code)).toEqual([7003, 7000]);
    }
  });
});

describe('security headers on answers written straight to the socket', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s.close();
  });

  /** Sends raw bytes and returns everything the server wrote before it closed. */
  function raw(request: string): Promise<string> {
    const { port } = new URL(s.origin);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1');
      let answer = '';
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => {
        answer += chunk;
        if (/\r\n\r\n/.test(answer) && /content-length: (\d+)/i.test(answer)) {
          const [head = '', body = ''] = answer.split('\r\n\r\n');
          if (body.length >= Number(/content-length: (\d+)/i.exec(head)?.[1])) socket.end();
        }
      });
      socket.on('error', reject);
      socket.on('close', () => resolve(answer));
      socket.write(request);
    });
  }

  it('sends them with a 431 for oversized headers and a 417 for an unknown expectation', async () => {
    const tooLarge = await raw(`GET /user HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    const expectation = await raw('GET /user HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\n\r\n');
    for (const [name, answer] of [
      ['431', tooLarge],
      ['417', expectation],
    ] as const) {
      expect(answer.startsWith(`HTTP/1.1 ${name} `), answer).toBe(true);
      expect(answer, name).toMatch(/\r\nx-content-type-options: nosniff\r\n/i);
      expect(answer, name).toMatch(/\r\ncache-control: no-store\r\n/i);
    }
  });
});

describe('the dashboard’s sign-in', () => {
  let d: DashboardApp;
  beforeAll(async () => {
    d = await createDashboardApp();
  });
  afterAll(async () => {
    await d.close();
  });

  it('is never stored by a cache', async () => {
    const { response } = await signIn(d, { token: BOOTSTRAP.token });
    expect(response.statusCode).toBe(200);
    expectApiHeaders(response, 'sign-in');
  });
});

describe('the reference page at /docs', () => {
  let s: TestServer;
  let page: Response;
  let html: string;
  beforeAll(async () => {
    s = await startTestServer();
    page = await fetch(`${s.origin}/docs`);
    html = await page.text();
  });
  afterAll(async () => {
    await s.close();
  });

  it('carries its CSP, refuses framing and sends no referrer', () => {
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(DOCS_CSP);
    expect(directivesOf(DOCS_CSP)['frame-ancestors']).toEqual(["'none'"]);
    expect(directivesOf(DOCS_CSP)['default-src']).toEqual(["'none'"]);
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expectApiHeaders(page, '/docs');
  });

  it('allows every script and stylesheet the page loads, each served from here with its own type', async () => {
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    const styles = [...html.matchAll(/<link\b[^>]*rel="stylesheet"[^>]*>/g)].map(
      (m) => /href="([^"]+)"/.exec(m[0])?.[1],
    );
    expect(scripts.length).toBeGreaterThan(0);
    expect(styles.length).toBeGreaterThan(0);
    // script-src 'self' allows files from here only: no inline script, no other origin.
    expect(directivesOf(DOCS_CSP)['script-src']).toEqual(["'self'"]);
    expect(html).not.toMatch(/<style\b|\sstyle=|\son\w+=/i);
    const resources: [string, RegExp][] = [];
    for (const [, attributes = '', body = ''] of scripts) {
      expect(body.trim(), 'inline script').toBe('');
      const src = /src="([^"]+)"/.exec(attributes)?.[1];
      expect(src).toBeDefined();
      resources.push([src as string, /^(application|text)\/javascript/]);
    }
    for (const href of styles) resources.push([href as string, /^text\/css/]);
    for (const [url, type] of resources) {
      const resolved = new URL(url, `${s.origin}/docs`);
      expect(resolved.origin, url).toBe(s.origin);
      const response = await fetch(resolved);
      await response.arrayBuffer();
      expect(response.status, url).toBe(200);
      // nosniff: a script or stylesheet served with another type would be refused by the browser.
      expect(response.headers.get('content-type'), url).toMatch(type);
      expect(response.headers.get('x-content-type-options'), url).toBe('nosniff');
    }
  });

  it('allows each inline style Swagger UI adds by its hash', () => {
    const require = createRequire(import.meta.url);
    const staticDir = join(dirname(require.resolve('@fastify/swagger-ui/package.json')), 'static');
    const allowed = directivesOf(DOCS_CSP)['style-src'] ?? [];
    const inline: string[] = [];
    for (const file of readdirSync(staticDir).filter((name) => name.endsWith('.js'))) {
      const source = readFileSync(join(staticDir, file), 'utf8');
      for (const m of source.matchAll(/createElement\("style",null,("(?:[^"\\]|\\.)*")\)/g)) {
        inline.push(JSON.parse(m[1] as string) as string);
      }
    }
    expect(inline.length).toBeGreaterThan(0);
    for (const text of inline) {
      const hash = `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
      expect(allowed, text).toContain(hash);
    }
  });

  it.skipIf(!existsSync(CHROMIUM_PATH))(
    'renders in Chromium with no CSP violation',
    async () => {
      const browser = await chromium.launch({
        executablePath: CHROMIUM_PATH,
        headless: true,
        args: CHROMIUM_ARGS,
      });
      try {
        const tab = await browser.newPage();
        const problems: string[] = [];
        tab.on('console', (message) => {
          if (message.type() === 'error') problems.push(message.text());
        });
        tab.on('pageerror', (error) => problems.push(error.message));
        await tab.addInitScript(() => {
          document.addEventListener('securitypolicyviolation', (event) => {
            console.error(
              `CSP violation: ${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}`,
            );
          });
        });
        await tab.goto(`${s.origin}/docs`, { waitUntil: 'networkidle' });
        await tab.waitForSelector('.opblock');
        expect(await tab.locator('.opblock').count()).toBeGreaterThan(20);
        // "Try it out" calls this server from the page: allowed by connect-src 'self'.
        await tab.locator('.opblock-summary').first().click();
        await tab.locator('button.try-out__btn').first().click();
        await tab.locator('button.execute').first().click();
        await tab.locator('.responses-wrapper .live-responses-table').waitFor();
        expect(problems).toEqual([]);
      } finally {
        await browser.close();
      }
    },
    60_000,
  );
});
