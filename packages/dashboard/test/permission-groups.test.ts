import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  closeBrowser,
  type DashboardTest,
  expectAccessible,
  startDashboardTest,
} from './helpers/dashboard.js';
import { tabTo } from './helpers/keyboard.js';
import { officialSdk } from './helpers/seed.js';

let t: DashboardTest | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});
afterAll(closeBrowser);

interface Group {
  id: string;
  name: string;
  scopes: string[];
}

/** The catalogue as the official SDK reads it: what the screen must show. */
async function catalogue(test: DashboardTest): Promise<Group[]> {
  const cf = officialSdk(test.uf);
  const page = await cf.user.tokens.permissionGroups.list();
  return page.result as Group[];
}

async function openCatalogue(): Promise<{ t: DashboardTest; page: Page; groups: Group[] }> {
  t = await startDashboardTest();
  await t.signIn();
  await t.page.goto(`${t.dashboard}/permission-groups`);
  await t.page.getByRole('heading', { level: 1, name: 'Permission groups' }).waitFor();
  return { t, page: t.page, groups: await catalogue(t) };
}

const dataRows = (page: Page): Locator => page.locator('tbody tr');

describe('permission groups screen', () => {
  it('lists the whole catalogue the API answers, with the count shown against the total', async () => {
    const { t, page, groups } = await openCatalogue();
    expect(groups.length).toBe(311);
    await page.getByText(`Showing ${groups.length} of ${groups.length} permission groups`).waitFor();
    expect(await dataRows(page).count()).toBe(groups.length);
    await expectAccessible(page);
    await t.expectClean();
    // axe-core over 311 rows in two themes takes a while on a shared CPU.
  }, 120_000);

  it('narrows to DNS Read and DNS Write with their scopes as "DNS" is typed', async () => {
    const { t, page, groups } = await openCatalogue();
    await page.getByLabel('Search by name').pressSequentially('DNS');
    const expected = groups.filter((group) => group.name.toLowerCase().includes('dns'));
    await page.getByText(`Showing ${expected.length} of ${groups.length} permission groups`).waitFor();
    expect(await dataRows(page).count()).toBe(expected.length);
    for (const name of ['DNS Read', 'DNS Write']) {
      const group = groups.find((candidate) => candidate.name === name);
      expect(group?.scopes).toEqual(['com.cloudflare.api.account.zone']);
      const row = dataRows(page).filter({ has: page.getByText(name, { exact: true }) });
      await expect.poll(() => row.count()).toBe(1);
      expect(await row.innerText()).toContain(group?.id);
      expect(await row.innerText()).toContain('Zone');
      expect(await row.innerText()).toContain('com.cloudflare.api.account.zone');
      expect(await row.getByRole('button', { name: `Copy the ID of ${name}` }).count()).toBe(1);
    }
    expect(new URL(page.url()).searchParams.get('q')).toBe('DNS');
    await expectAccessible(page);
    await t.expectClean();
  });

  it('filters by scope, keeps the filter in the URL, and says when nothing matches', async () => {
    const { t, page, groups } = await openCatalogue();
    await page.getByRole('radio', { name: /^User/ }).click();
    const users = groups.filter((group) => group.scopes.includes('com.cloudflare.api.user'));
    expect(users.length).toBeGreaterThan(0);
    await page.getByText(`Showing ${users.length} of ${groups.length} permission groups`).waitFor();
    const names = await dataRows(page).locator('td:first-child > div:first-child').allInnerTexts();
    expect(names.sort()).toEqual(users.map((group) => group.name).sort());
    expect(new URL(page.url()).searchParams.get('scope')).toBe('user');

    // The URL is the view: a reload keeps the scope.
    await page.reload();
    await page.getByText(`Showing ${users.length} of ${groups.length} permission groups`).waitFor();

    // DNS groups are zone-scoped: none among the user ones.
    await page.getByLabel('Search by name').fill('DNS');
    await page.getByText('No permission group matches').waitFor();
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByText(`Showing ${groups.length} of ${groups.length} permission groups`).waitFor();
    await t.expectClean();
  });

  it('searches, filters and copies an ID by keyboard alone', async () => {
    const { t, page, groups } = await openCatalogue();
    await t.context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await tabTo(page, page.getByLabel('Search by name'));
    await page.keyboard.type('DNS');
    const dns = groups.filter((group) => group.name.includes('DNS'));
    await page.getByText(`Showing ${dns.length} of ${groups.length} permission groups`).waitFor();

    // The radio group is one Tab stop; arrows move the choice: All → Account → Zone.
    await tabTo(page, page.getByRole('radio', { name: /^All/ }));
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.getByRole('radio', { name: /^Zone/ }).isChecked()).toBe(true);
    const zoneDns = dns.filter((group) => group.scopes.includes('com.cloudflare.api.account.zone'));
    await page.getByText(`Showing ${zoneDns.length} of ${groups.length} permission groups`).waitFor();

    const write = groups.find((group) => group.name === 'DNS Write');
    await tabTo(page, page.getByRole('button', { name: 'Copy the ID of DNS Write' }));
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(write?.id);
    await t.expectClean();
  });
});
