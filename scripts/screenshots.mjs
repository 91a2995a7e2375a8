// Screenshots of the dashboard's main screens for docs/ and the README (issue 13), made from a real
// server on the example fixture in Debian's Chromium — never by hand. `npm run screenshots`.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = new URL('..', import.meta.url).pathname;
const OUT = join(ROOT, 'docs/screenshots');
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--hide-scrollbars',
];

/** [file name, dashboard path, theme, width, what to wait for]. */
const SHOTS = [
  ['api-tokens', '/tokens', 'light', 1280, { role: 'heading', name: 'API Tokens' }],
  ['api-tokens-dark', '/tokens', 'dark', 1280, { role: 'heading', name: 'API Tokens' }],
  ['api-tokens-mobile', '/tokens', 'light', 390, { role: 'heading', name: 'API Tokens' }],
  ['create-token', '/tokens/new', 'light', 1280, { role: 'heading', level: 1 }],
  ['audit-log', '/audit-log', 'light', 1280, { role: 'heading', name: 'Audit Log' }],
  ['invites', '/invites', 'dark', 1280, { role: 'heading', level: 1 }],
  ['billing', '/billing', 'light', 1280, { role: 'heading', level: 1 }],
  ['emulator-journal', '/emulator/journal', 'dark', 1280, { role: 'heading', level: 1 }],
];

const { startUserflare } = await import(
  pathToFileURL(join(ROOT, 'packages/userflare/dist/testing/index.js')).href
);
const uf = await startUserflare({
  fixture: join(ROOT, 'fixtures/example.json'),
  clock: '2026-12-01T09:00:00Z',
});
const origin = new URL(uf.url).origin;
const api = async (method, path, body) => {
  const answer = await fetch(`${uf.baseURL}${path}`, {
    method,
    headers: { authorization: `Bearer ${uf.token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const envelope = await answer.json();
  if (!envelope.success) throw new Error(`${method} ${path}: ${JSON.stringify(envelope.errors)}`);
  return envelope.result;
};
const groups = await api('GET', '/user/tokens/permission_groups');
const group = (name) => {
  const found = groups.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no permission group "${name}"`);
  return { id: found.id };
};
const allZones = { 'com.cloudflare.api.account.zone.*': '*' };
const allAccounts = { 'com.cloudflare.api.account.*': '*' };
const ci = await api('POST', '/user/tokens', {
  name: 'CI deploys',
  policies: [
    { effect: 'allow', permission_groups: [group('DNS Write'), group('Zone Read')], resources: allZones },
    { effect: 'allow', permission_groups: [group('Workers Scripts Write')], resources: allAccounts },
  ],
  condition: { request_ip: { in: ['10.0.0.0/8'], not_in: ['10.1.0.0/16'] } },
});
await api('POST', '/user/tokens', {
  name: 'Billing export',
  policies: [{ effect: 'allow', permission_groups: [group('Billing Read')], resources: allAccounts }],
  expires_on: '2026-12-03T00:00:00Z',
});
const old = await api('POST', '/user/tokens', {
  name: 'Old laptop',
  policies: [{ effect: 'allow', permission_groups: [group('Zone Read')], resources: allZones }],
});
await api('PUT', `/user/tokens/${old.id}`, {
  name: 'Old laptop',
  policies: old.policies,
  status: 'disabled',
});
await fetch(`${uf.baseURL}/user/tokens/verify`, { headers: { authorization: `Bearer ${ci.value}` } });
await uf.admin.clock.advance(3 * 86_400);

mkdirSync(OUT, { recursive: true });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
try {
  for (const [name, path, theme, width, waitFor] of SHOTS) {
    const context = await browser.newContext({
      baseURL: origin,
      viewport: { width, height: width < 600 ? 844 : 800 },
      colorScheme: theme,
      deviceScaleFactor: 1,
    });
    for (const route of ['', '/emulator']) {
      const body = route === '' ? { token: uf.token } : { admin_key: uf.adminKey };
      const answer = await context.request.post(`/dashboard/api/session${route}`, {
        headers: { origin, 'x-userflare-dashboard': '1' },
        data: body,
      });
      if (answer.status() !== 200) throw new Error(`sign-in${route}: ${answer.status()}`);
    }
    const page = await context.newPage();
    await page.addInitScript((mode) => localStorage.setItem('userflare-dashboard-theme', mode), theme);
    await page.goto(`/dashboard${path}`);
    const { role, ...options } = waitFor;
    await page.getByRole(role, options).first().waitFor();
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: join(OUT, `${name}.png`) });
    process.stdout.write(`docs/screenshots/${name}.png\n`);
    await context.close();
  }
} finally {
  await browser.close();
  await uf.close();
}
