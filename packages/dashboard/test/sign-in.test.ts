import type { Page } from 'playwright-core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  closeBrowser,
  type DashboardTest,
  expectAccessible,
  startDashboardTest,
} from './helpers/dashboard.js';
import { tabTo } from './helpers/keyboard.js';
import { officialSdk } from './helpers/seed.js';
import { text } from './helpers/text.js';

// Signing in to the dashboard (issue 13): the credential goes to the server once and stays there; the
// browser holds an HttpOnly session cookie that the server can end.

const API_TOKENS_WRITE = '686d18d5ac6c441c867cbf6771e58a0a';

const pathOf = (page: Page) => new URL(page.url()).pathname;

/** A request to the proxy from the page, as the SPA sends it; resolves with the HTTP status. */
function proxyStatus(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const response = await fetch('/dashboard/api/client/v4/user', {
      headers: { 'x-userflare-dashboard': '1' },
      credentials: 'same-origin',
    });
    return response.status;
  });
}

let t: DashboardTest | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});
afterAll(closeBrowser);

describe('signing in to the dashboard', () => {
  it('shows a wrong token refused in an alert and stays on sign in', async () => {
    t = await startDashboardTest();
    const { page, dashboard } = t;
    await page.goto(`${dashboard}/`);
    await page.getByRole('heading', { level: 1, name: 'Log in to userflare' }).waitFor();
    expect(pathOf(page)).toBe('/dashboard/sign-in');
    await page.getByLabel('API token').fill('cfut_this-is-not-a-token-of-this-server-000000');
    await page.getByRole('button', { name: 'Log in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await text(alert)).toMatch(/Could not log in.*\(code \d+\)/s);
    expect(pathOf(page)).toBe('/dashboard/sign-in');
    expect(await page.context().cookies()).toEqual([]);
    await expectAccessible(page);
    await t.expectClean();
  });

  it('lands a valid token on API Tokens, with an HttpOnly, SameSite=Strict cookie and nothing readable by scripts', async () => {
    t = await startDashboardTest();
    const { page } = t;
    await t.signIn();
    expect(pathOf(page)).toBe('/dashboard/tokens');
    const cookies = await t.context.cookies();
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/dashboard' });
    expect(cookies[0]?.value).not.toContain(t.uf.token);
    await t.expectClean();
  });

  it('signs in with the Email and the Global API key', async () => {
    t = await startDashboardTest();
    const { page, dashboard, uf } = t;
    await page.goto(`${dashboard}/sign-in`);
    await page.getByRole('tab', { name: 'Use the Global API key' }).click();
    await page.getByLabel('Email').fill(uf.email);
    await page.getByLabel('Global API key').fill(uf.apiKey);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { level: 1, name: 'API Tokens' }).waitFor();
    await page.getByText(`${uf.email} · Global API key`).waitFor();
    await t.expectClean();
  });

  it('ends the session on the server at Log out: the old cookie then gets 401 from the proxy', async () => {
    t = await startDashboardTest();
    const { page, context } = t;
    await t.signIn();
    expect(await proxyStatus(page)).toBe(200);
    const session = await context.cookies();

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { level: 1, name: 'Log in to userflare' }).waitFor();
    expect(await proxyStatus(page)).toBe(401);
    // Not only forgotten by the browser: the same cookie, sent again, is refused.
    await context.addCookies(session);
    expect(await proxyStatus(page)).toBe(401);
    await t.expectClean();
  });

  it('ends the session of a token rolled through the SDK at its next request, and shows sign in', async () => {
    t = await startDashboardTest();
    const { page, uf } = t;
    const cf = officialSdk(uf);
    const writer = await cf.user.tokens.create({
      name: 'browser token',
      policies: [
        {
          effect: 'allow',
          permission_groups: [{ id: API_TOKENS_WRITE }],
          resources: { 'com.cloudflare.api.user.*': '*' },
        },
      ],
    });
    if (!writer.id || !writer.value) throw new Error('the SDK returned a token without id or value');
    await t.signIn(writer.value);
    await page.getByText('browser token', { exact: true }).first().waitFor();

    await cf.user.tokens.value.update(writer.id, {});
    // The next request is the search reading the list: refused, and the dashboard asks to log in again.
    await page.getByLabel('Search by name').fill('browser');
    await page.getByRole('heading', { level: 1, name: 'Log in to userflare' }).waitFor();
    expect(pathOf(page)).toBe('/dashboard/sign-in');
    expect(await proxyStatus(page)).toBe(401);
    await t.expectClean();
  });

  it('works with the keyboard alone, and axe finds nothing serious in light and dark', async () => {
    t = await startDashboardTest();
    const { page, dashboard, uf } = t;
    await page.goto(`${dashboard}/sign-in`);
    await page.getByLabel('API token').waitFor();
    await expectAccessible(page);

    await tabTo(page, page.getByLabel('API token'));
    await page.keyboard.type(uf.token);
    await tabTo(page, page.getByRole('button', { name: 'Log in' }));
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'API Tokens' }).waitFor();
    await t.expectClean();
  });

  it('switches to the Global API key by keyboard', async () => {
    t = await startDashboardTest();
    const { page, dashboard, uf } = t;
    await page.goto(`${dashboard}/sign-in`);
    await tabTo(page, page.getByRole('tab', { name: 'Use an API token' }));
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    await page.getByLabel('Email').waitFor();
    await tabTo(page, page.getByLabel('Email'));
    await page.keyboard.type(uf.email);
    await tabTo(page, page.getByLabel('Global API key'));
    await page.keyboard.type(uf.apiKey);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'API Tokens' }).waitFor();
    await t.expectClean();
  });

  it('unlocks the emulator with the admin key after refusing a wrong one', async () => {
    t = await startDashboardTest();
    const { page, dashboard, uf } = t;
    await page.goto(`${dashboard}/sign-in`);
    await page.getByLabel('Admin key').fill('not-the-admin-key');
    await page.getByRole('button', { name: 'Unlock emulator' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'Could not unlock the emulator' });
    await alert.waitFor();
    expect(await text(alert)).toMatch(/\(code \d+\)/);
    await expectAccessible(page);

    await page.getByLabel('Admin key').fill(uf.adminKey);
    await page.getByRole('button', { name: 'Unlock emulator' }).click();
    await page.getByText('The emulator is unlocked in this session.').waitFor();
    await alert.waitFor({ state: 'detached' });
    const stored = await page.evaluate(
      () => JSON.stringify({ ...localStorage, ...sessionStorage }) + document.cookie,
    );
    expect(stored).not.toContain(uf.adminKey);
    await t.expectClean();
  });
});
