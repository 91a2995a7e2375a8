import Cloudflare from 'cloudflare';
import type { Token } from 'cloudflare/resources/shared';
import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  closeBrowser,
  type DashboardTest,
  expectAccessible,
  startDashboardTest,
} from './helpers/dashboard.js';
import { isFocused, tabTo } from './helpers/keyboard.js';
import { createToken, officialSdk } from './helpers/seed.js';
import { text } from './helpers/text.js';

// My Profile → API Tokens (issue 13): seeded and checked through the official SDK, driven in Chromium.

const GROUPS = {
  apiTokensRead: '0cc3a61731504c89b99ec1be78b77aa0',
  userDetailsRead: '8acbe5bb0d54464ab867149d7f7cf8ac',
  dnsWrite: '4755a26eedb94da69e1066d98aa820be',
  zoneRead: 'c8fed203ed3043cba015a93ad1616f1f',
} as const;

const EXCLUDED_ZONE = '0123456789abcdef0123456789abcdef';

const userPolicy = (...groupIds: string[]) => ({
  effect: 'allow' as const,
  permission_groups: groupIds.map((id) => ({ id })),
  resources: { 'com.cloudflare.api.user.*': '*' },
});

/** The exact time as the dashboard shows it on hover and focus. */
const utc = (iso: string) =>
  `${new Date(iso)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, '')} UTC`;

const rowOf = (page: Page, name: string) =>
  page.getByRole('row').filter({ has: page.getByText(name, { exact: true }) });

/** The cell of `row` under `column`, once the row is on screen (the headers come with the rows). */
async function cellOf(page: Page, row: Locator, column: string): Promise<Locator> {
  await row.waitFor();
  const headers = (await page.getByRole('columnheader').allTextContents()).map((text) => text.trim());
  const index = headers.indexOf(column);
  if (index < 0) throw new Error(`no column "${column}" in ${JSON.stringify(headers)}`);
  return row.getByRole('cell').nth(index);
}

/** Opens a row's menu and picks an entry with the keyboard alone: Tab, Enter, arrows, Enter. */
async function chooseFromMenu(page: Page, tokenName: string, entry: string): Promise<void> {
  await tabTo(page, page.getByRole('button', { name: `Actions for ${tokenName}` }));
  await page.keyboard.press('Enter');
  const item = page.getByRole('menuitem', { name: entry, exact: true });
  await item.waitFor();
  for (let presses = 0; presses < 10 && !(await isFocused(item)); presses++)
    await page.keyboard.press('ArrowDown');
  expect(await isFocused(item), `menu entry ${entry} focused`).toBe(true);
  await page.keyboard.press('Enter');
}

/** Presses the dialog's button by keyboard: Tab to it, Enter. */
async function pressInDialog(page: Page, dialog: Locator, name: string): Promise<void> {
  const button = dialog.getByRole('button', { name, exact: true });
  await tabTo(page, button, 20);
  await page.keyboard.press('Enter');
}

let t: DashboardTest | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});
afterAll(closeBrowser);

describe('the API Tokens screen', () => {
  it('shows name, permissions, resources, status, last used and expiry as the API has them: active, disabled and expired', async () => {
    t = await startDashboardTest();
    const cf = officialSdk(t.uf);
    const { now } = await t.uf.admin.clock.get();
    const expiresOn = new Date(new Date(now).getTime() + 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
    await cf.user.tokens.create({
      name: 'dns editor',
      policies: [
        {
          effect: 'allow',
          permission_groups: [{ id: GROUPS.dnsWrite }, { id: GROUPS.zoneRead }],
          resources: { 'com.cloudflare.api.account.zone.*': '*' },
        },
        userPolicy(GROUPS.userDetailsRead, GROUPS.apiTokensRead),
        {
          effect: 'deny',
          permission_groups: [{ id: GROUPS.dnsWrite }],
          resources: { [`com.cloudflare.api.account.zone.${EXCLUDED_ZONE}`]: '*' },
        },
      ],
    });
    const paused = await createToken(cf, 'paused token');
    await cf.user.tokens.update(paused.id, {
      name: 'paused token',
      policies: [userPolicy(GROUPS.userDetailsRead)],
      status: 'disabled',
    });
    await createToken(cf, 'short-lived token', { expires_on: expiresOn });
    await t.uf.admin.clock.advance(120);

    await t.signIn();
    const { page } = t;
    // Listed with the global API key: a listing with the bootstrap token would move that token's
    // last use past what the screen already shows.
    const byKey = new Cloudflare({ apiEmail: t.uf.email, apiKey: t.uf.apiKey, baseURL: t.uf.baseURL });
    const listed = new Map<string, Token>();
    for await (const token of byKey.user.tokens.list({ include_expired: true }))
      listed.set(token.name ?? '', token);
    expect([...listed.values()].map((token) => token.status).sort()).toEqual([
      'active',
      'active',
      'disabled',
      'expired',
    ]);

    for (const name of ['dns editor', 'paused token', 'short-lived token', 'userflare bootstrap token']) {
      const token = listed.get(name);
      if (!token) throw new Error(`the API has no token ${name}`);
      const row = rowOf(page, name);
      await row.waitFor();
      expect(await text(await cellOf(page, row, 'Status'))).toBe(token.status);
      const lastUsed = await cellOf(page, row, 'Last used');
      if (token.last_used_on)
        await expect(lastUsed.getByRole('button').getAttribute('aria-label')).resolves.toContain(
          utc(token.last_used_on),
        );
      else expect(await text(lastUsed)).toBe('Never');
      const expires = await cellOf(page, row, 'Expires');
      if (token.expires_on)
        await expect(expires.getByRole('button').getAttribute('aria-label')).resolves.toContain(
          utc(token.expires_on),
        );
      else expect(await text(expires)).toBe('Never');
    }
    const dns = rowOf(page, 'dns editor');
    expect(await text(await cellOf(page, dns, 'Permissions'))).toBe('DNS: Edit, Zone: Read +3');
    expect(await text(await cellOf(page, dns, 'Resources'))).toBe(
      `All zones; You (user); Excludes Zone ${EXCLUDED_ZONE}`,
    );
    expect(await text(page.getByRole('heading', { level: 1 }))).toBe('API Tokens');
    // An expired token cannot be enabled by status: the menu says what to do instead.
    await page.getByRole('button', { name: 'Actions for short-lived token' }).click();
    const enable = page.getByRole('menuitem', { name: /^Enable/ });
    expect(await enable.getAttribute('aria-disabled')).toBe('true');
    expect(await text(enable)).toContain('expired');
    await page.keyboard.press('Escape');
    await expectAccessible(page);
    await t.expectClean();
  });

  it('says "Never" until a token is used, then a relative time whose exact UTC time the keyboard reaches', async () => {
    t = await startDashboardTest();
    const { page, uf } = t;
    const cf = officialSdk(uf);
    const fresh = await createToken(cf, 'fresh token');
    await t.signIn();
    const row = rowOf(page, 'fresh token');
    expect(await text(await cellOf(page, row, 'Last used'))).toBe('Never');

    await officialSdk(uf, fresh.value).user.tokens.verify();
    // last_used_on is written in the background: read the list again until it shows.
    await expect
      .poll(
        async () => {
          await page.reload();
          await row.waitFor();
          return await text(await cellOf(page, row, 'Last used'));
        },
        { timeout: 10_000 },
      )
      .not.toBe('Never');
    const usedOn = (await cf.user.tokens.get(fresh.id)).last_used_on;
    if (!usedOn) throw new Error('the API has no last_used_on after a call');
    const time = (await cellOf(page, row, 'Last used')).getByRole('button');
    expect(await text(time)).toMatch(/ago|now|min/);
    const exact = page.getByText(utc(usedOn), { exact: true });
    expect(await exact.count()).toBe(0);
    await tabTo(page, time);
    // Base UI's tooltip popup has no tooltip role: the exact time is found as visible text.
    await exact.waitFor({ state: 'visible' });
    await t.expectClean();
  });

  it('rolls a token from its menu by keyboard: the value shows once, the old one is refused, the policies stay', async () => {
    t = await startDashboardTest();
    const { page, uf, context } = t;
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(uf.url).origin });
    const cf = officialSdk(uf);
    const old = await createToken(cf, 'ci deploy', {
      groups: [GROUPS.userDetailsRead, GROUPS.apiTokensRead],
    });
    const before = await cf.user.tokens.get(old.id);
    await t.signIn();

    await chooseFromMenu(page, 'ci deploy', 'Roll');
    const confirm = page.getByRole('dialog');
    expect(await text(confirm)).toContain('“ci deploy”');
    await expectAccessible(page, '[role="dialog"]');
    await pressInDialog(page, confirm, 'Roll');

    const shown = page.getByRole('alertdialog');
    await shown.waitFor();
    expect(await text(shown)).toContain('ci deploy');
    expect(await text(shown)).toMatch(/only time/);
    const value = await text(shown.getByTestId('rolled-token-value'));
    expect(value).not.toBe(old.value);
    expect(value.length).toBeGreaterThanOrEqual(40);
    await expectAccessible(page, '[role="alertdialog"]');

    // Not dismissed by accident: Escape and a click on the backdrop leave it open.
    await page.keyboard.press('Escape');
    await page.mouse.click(3, 3);
    await expect(shown.isVisible()).resolves.toBe(true);
    await shown.getByRole('button', { name: 'Copy' }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(value);
    await pressInDialog(page, shown, 'I have copied it');
    await shown.waitFor({ state: 'detached' });

    await expect.poll(() => text(page.getByRole('status'))).toContain('Rolled “ci deploy”');
    await page.reload();
    await rowOf(page, 'ci deploy').waitFor();
    expect(await page.content()).not.toContain(value);

    await expect(officialSdk(uf, old.value).user.tokens.verify()).rejects.toMatchObject({ status: 401 });
    await expect(officialSdk(uf, value).user.tokens.verify()).resolves.toMatchObject({
      id: old.id,
      status: 'active',
    });
    expect((await cf.user.tokens.get(old.id)).policies).toEqual(before.policies);
    await t.expectClean();
  });

  it('disables and enables a token from its menu; the SDK sees each status', async () => {
    t = await startDashboardTest();
    const { page, uf } = t;
    const cf = officialSdk(uf);
    const token = await createToken(cf, 'toggled token');
    await t.signIn();
    const row = rowOf(page, 'toggled token');

    // Without the emulator unlocked, the menu has no Leak.
    await page.getByRole('button', { name: 'Actions for toggled token' }).click();
    await page.getByRole('menuitem', { name: 'Edit', exact: true }).waitFor();
    expect(await page.getByRole('menuitem', { name: 'Leak (emulator)' }).count()).toBe(0);
    await page.keyboard.press('Escape');

    await chooseFromMenu(page, 'toggled token', 'Disable');
    await expect.poll(async () => (await cf.user.tokens.get(token.id)).status).toBe('disabled');
    await expect.poll(async () => await text(await cellOf(page, row, 'Status'))).toBe('disabled');
    await expect.poll(() => text(page.getByRole('status'))).toContain('Disabled “toggled token”');
    await expect(officialSdk(uf, token.value).user.tokens.verify()).rejects.toMatchObject({ status: 401 });

    await chooseFromMenu(page, 'toggled token', 'Enable');
    await expect.poll(async () => (await cf.user.tokens.get(token.id)).status).toBe('active');
    await expect.poll(async () => await text(await cellOf(page, row, 'Status'))).toBe('active');
    const after = await cf.user.tokens.get(token.id);
    expect(after.name).toBe('toggled token');
    expect(after.policies?.[0]?.permission_groups.map((group) => group.id)).toEqual([GROUPS.userDetailsRead]);
    await t.expectClean();
  });

  it('deletes a token after a confirmation that names it; the SDK then answers 404', async () => {
    t = await startDashboardTest();
    const { page, uf } = t;
    const cf = officialSdk(uf);
    const token = await createToken(cf, 'doomed token');
    await t.signIn();

    await chooseFromMenu(page, 'doomed token', 'Delete');
    const confirm = page.getByRole('dialog');
    expect(await text(confirm)).toContain('Delete “doomed token”?');
    await pressInDialog(page, confirm, 'Delete');
    await confirm.waitFor({ state: 'detached' });
    await rowOf(page, 'doomed token').waitFor({ state: 'detached' });
    await expect(cf.user.tokens.get(token.id)).rejects.toMatchObject({ status: 404 });
    await t.expectClean();
  });

  it('pages and searches by name, with page, page size and search in the URL', async () => {
    t = await startDashboardTest();
    const { page, uf, dashboard } = t;
    const cf = officialSdk(uf);
    for (let index = 0; index < 25; index++) await createToken(cf, `ci-${String(index).padStart(2, '0')}`);
    for (let index = 0; index < 30; index++) await createToken(cf, `web-${String(index).padStart(2, '0')}`);
    await t.signIn();
    const rows = page.getByRole('row').filter({ has: page.getByRole('cell') });
    await expect.poll(() => rows.count()).toBe(20);

    await page.getByRole('button', { name: 'Next page' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('page')).toBe('2');
    await expect.poll(() => rows.count()).toBe(20);

    await page.getByRole('combobox', { name: 'Page size' }).click();
    await page.getByRole('option', { name: '50' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('per_page')).toBe('50');
    expect(new URL(page.url()).searchParams.get('page')).toBeNull();
    await expect.poll(() => rows.count()).toBe(50);
    await page.getByRole('button', { name: 'Next page' }).click();
    await expect.poll(() => rows.count()).toBe(6);

    await page.getByLabel('Search by name').fill('ci');
    await expect.poll(() => new URL(page.url()).searchParams.get('name')).toBe('ci');
    await expect.poll(() => rows.count()).toBe(25);
    await expect(page.getByText('25 of 56 tokens match “ci”.').isVisible()).resolves.toBe(true);
    for (const name of await rows.locator('td:first-child').allTextContents()) expect(name).toMatch(/^ci-/);

    await page.goto(`${dashboard}/tokens?page=2&per_page=20&name=ci`);
    await expect.poll(() => rows.count()).toBe(5);
    expect(await rows.locator('td:first-child').allTextContents()).toEqual([
      'ci-20',
      'ci-21',
      'ci-22',
      'ci-23',
      'ci-24',
    ]);
    await expect(page.getByLabel('Search by name').inputValue()).resolves.toBe('ci');

    await page.getByLabel('Search by name').fill('no such token');
    await page.getByText('No token name contains “no such token”').waitFor();
    await expectAccessible(page);
    await t.expectClean();
  });

  it('gives a token with only API Tokens Read the list, with every change disabled and the reason shown', async () => {
    t = await startDashboardTest();
    const { page, uf } = t;
    const reader = await createToken(officialSdk(uf), 'token reader', { groups: [GROUPS.apiTokensRead] });
    await t.signIn(reader.value);

    const create = page.getByRole('button', { name: 'Create Token' });
    await expect(create.isDisabled()).resolves.toBe(true);
    const createReason = await create.getAttribute('aria-describedby');
    expect(createReason).toBeTruthy();
    expect(await text(page.locator(`[id="${createReason}"]`))).toMatch(/\S/);

    await page.getByRole('button', { name: 'Actions for userflare bootstrap token' }).click();
    for (const entry of ['Roll', 'Disable', 'Delete']) {
      const item = page.getByRole('menuitem', { name: new RegExp(`^${entry}`) });
      await expect(item.getAttribute('aria-disabled')).resolves.toBe('true');
      expect((await text(item)).replace(entry, '').trim().length, `${entry} says why`).toBeGreaterThan(0);
    }
    await expect(
      page.getByRole('menuitem', { name: 'Edit', exact: true }).getAttribute('aria-disabled'),
    ).resolves.not.toBe('true');
    await expectAccessible(page);
    await page.keyboard.press('Escape');
    await t.expectClean();
  });

  it("shows a token that may not list tokens its 403, with Cloudflare's code and the explanation", async () => {
    t = await startDashboardTest();
    const { page, uf } = t;
    const narrow = await createToken(officialSdk(uf), 'details only', { groups: [GROUPS.userDetailsRead] });
    await t.signIn(narrow.value);

    const alert = page.getByRole('alert').filter({ hasText: 'Could not list your API tokens' });
    await alert.waitFor();
    const said = await text(alert);
    expect(said).toMatch(/\(code \d+\)/);
    expect(said).toContain('Why:');
    await expect(page.getByText('Listing tokens needs the User permission').isVisible()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: 'Create Token' }).isDisabled()).resolves.toBe(true);
    await expectAccessible(page);
    await t.expectClean();
  });

  it('says what to do next when the user has no token, with Create Token', async () => {
    t = await startDashboardTest();
    const { page, uf, dashboard } = t;
    const cf = officialSdk(uf);
    const { id } = await cf.user.tokens.verify();
    await cf.user.tokens.delete(id);
    await page.goto(`${dashboard}/sign-in`);
    await page.getByRole('tab', { name: 'Use the Global API key' }).click();
    await page.getByLabel('Email').fill(uf.email);
    await page.getByLabel('Global API key').fill(uf.apiKey);
    await page.getByRole('button', { name: 'Log in' }).click();

    await page.getByText('No API tokens yet.').waitFor();
    await page.getByText('Create one to let your code call the API.').waitFor();
    await page.getByRole('link', { name: 'Create Token' }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/dashboard/tokens/new');
    await page.goBack();
    await page.getByText('No API tokens yet.').waitFor();
    await expectAccessible(page);
    await t.expectClean();
  });

  it('leaks a token from its menu once the emulator is unlocked', async () => {
    t = await startDashboardTest();
    const { page, uf } = t;
    const cf = officialSdk(uf);
    const token = await createToken(cf, 'soon public');
    await t.unlockEmulator();
    await t.signIn();
    await chooseFromMenu(page, 'soon public', 'Leak (emulator)');
    const confirm = page.getByRole('dialog');
    expect(await text(confirm)).toContain('“soon public”');
    await pressInDialog(page, confirm, 'Leak token');
    await expect.poll(async () => (await cf.user.tokens.get(token.id)).status).toBe('disabled');
    await expect.poll(() => text(page.getByRole('status'))).toContain('Leaked “soon public”');
    await expect(officialSdk(uf, token.value).user.tokens.verify()).rejects.toMatchObject({ status: 401 });
    await t.expectClean();
  });
});
