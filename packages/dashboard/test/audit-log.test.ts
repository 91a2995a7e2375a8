import { readFile } from 'node:fs/promises';
import type Cloudflare from 'cloudflare';
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

// My Profile → Audit Log (issue 13): entries written through the official SDK, read in Chromium.

const USER_DETAILS_READ = '8acbe5bb0d54464ab867149d7f7cf8ac';
const HOUR = 3600_000;

let t: DashboardTest | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});
afterAll(closeBrowser);

interface Seeded {
  tokenId: string;
  /** Between the create (two hours ago) and the roll (one hour ago). */
  sinceCreate: Date;
}

/**
 * A token created two hours ago, rolled one hour ago and deleted now, by the server's clock: three
 * entries far enough apart for a time filter to tell them apart.
 */
async function seedTokenHistory(test: DashboardTest): Promise<Seeded> {
  const cf = officialSdk(test.uf);
  const start = Date.now() - 2 * HOUR;
  await test.uf.admin.clock.set({ set: new Date(start).toISOString() });
  const created = await cf.user.tokens.create({
    name: 'audited token',
    policies: [
      {
        effect: 'allow',
        permission_groups: [{ id: USER_DETAILS_READ }],
        resources: { 'com.cloudflare.api.user.*': '*' },
      },
    ],
  });
  await test.uf.admin.clock.advance(3600);
  await cf.user.tokens.value.update(created.id as string, {});
  await test.uf.admin.clock.reset();
  await cf.user.tokens.delete(created.id as string);
  return { tokenId: created.id as string, sinceCreate: new Date(start + HOUR / 2) };
}

async function openAuditLog(query = ''): Promise<{ t: DashboardTest; page: Page; seeded: Seeded }> {
  t = await startDashboardTest();
  const seeded = await seedTokenHistory(t);
  await t.signIn();
  await t.page.goto(`${t.dashboard}/audit-log${query}`);
  await t.page.getByRole('heading', { level: 1, name: 'Audit Log' }).waitFor();
  return { t, page: t.page, seeded };
}

const rows = (page: Page): Locator => page.locator('tbody tr');

/** The row of the entry with this action on this resource. */
function rowOf(page: Page, action: string, resourceId: string): Locator {
  return rows(page)
    .filter({ has: page.getByRole('cell').getByText(action, { exact: true }) })
    .filter({ hasText: resourceId });
}

/** Waits until the table shows exactly the entries with these ids (in this order). */
async function expectEntries(page: Page, ids: string[]): Promise<void> {
  await expect
    .poll(async () =>
      Promise.all(
        (await rows(page).all()).map(async (row) => {
          const text = await row.innerText();
          return ids.find((id) => text.includes(id)) ?? text;
        }),
      ),
    )
    .toEqual(ids);
}

/** The entries the API answers for the same filters: what the screen must show. */
async function apiEntries(
  test: DashboardTest,
  query: Parameters<Cloudflare['user']['auditLogs']['list']>[0],
) {
  return (await officialSdk(test.uf).user.auditLogs.list(query)).result;
}

/** The entries' resource ids as rows show them (each row names its resource id). */
const resourceIds = (entries: { resource?: { id?: string } }[]) =>
  entries.map((entry) => entry.resource?.id ?? '');

async function applyFilters(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Apply filters' }).click();
}

describe('audit log screen', () => {
  it('lists token create, roll and delete with actor email, IP, exact time and action', async () => {
    const { t, page, seeded } = await openAuditLog();
    const entries = await apiEntries(t, {});
    for (const action of ['create', 'roll', 'delete']) {
      const entry = entries.find((candidate) => candidate.action?.type === action);
      expect(entry?.resource?.id).toBe(seeded.tokenId);
      const row = rowOf(page, action, seeded.tokenId);
      await row.waitFor();
      const text = await row.innerText();
      expect(text).toContain(t.uf.email);
      expect(text).toContain(entry?.actor?.ip as string);
      expect(text).toContain('token');
      expect(text).toContain('Success');
      // The time: relative, with the exact UTC time as the accessible name (hover and focus).
      const exact = `${String(entry?.when)
        .replace('T', ' ')
        .replace(/(\.\d+)?Z$/, '')} UTC`;
      await row.getByRole('button', { name: new RegExp(`\\(${exact}\\)$`) }).waitFor();
    }
    // The dashboard sign-in is an entry too, and the table holds exactly what the API answers.
    expect(await rows(page).count()).toBe(entries.length);
    await expectAccessible(page);
    await t.expectClean();
  });

  it('narrows by the API filters, mirrors them in the URL, and keeps them on reload and in a new page', async () => {
    const { t, page, seeded } = await openAuditLog();
    const all = await apiEntries(t, {});

    await page.getByLabel('Action type').fill('roll');
    await applyFilters(page);
    await expectEntries(page, [seeded.tokenId]);
    await rowOf(page, 'roll', seeded.tokenId).waitFor();
    expect(new URL(page.url()).searchParams.get('action.type')).toBe('roll');

    // Since: a datetime-local field read in UTC, sent as an RFC 3339 date-time.
    await page.getByRole('button', { name: 'Clear filters' }).first().click();
    await expectEntries(page, resourceIds(all));
    await page.getByLabel('Since (UTC)').fill(seeded.sinceCreate.toISOString().slice(0, 16));
    await page.getByLabel('Actor email').fill(t.uf.email);
    await page.getByLabel('Actor IP').fill('127.0.0.0/8');
    await page.getByLabel('Per page').fill('2');
    await page.getByRole('radio', { name: 'Oldest first' }).click();
    await applyFilters(page);
    const since = `${seeded.sinceCreate.toISOString().slice(0, 16)}:00Z`;
    const query = {
      since,
      actor: { email: t.uf.email, ip: '127.0.0.0/8' },
      direction: 'asc' as const,
      per_page: 2,
    };
    const firstPage = await apiEntries(t, query);
    expect(firstPage.map((entry) => entry.action?.type)).toEqual(['roll', 'delete']);
    await expectEntries(page, resourceIds(firstPage));
    const url = new URL(page.url());
    expect(Object.fromEntries(url.searchParams)).toEqual({
      'actor.email': t.uf.email,
      'actor.ip': '127.0.0.0/8',
      since,
      direction: 'asc',
      per_page: '2',
    });

    // Page 2 holds the dashboard sign-in, the newest entry.
    await page.getByRole('button', { name: /next page/i }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('page')).toBe('2');
    const secondPage = await apiEntries(t, { ...query, page: 2 });
    expect(secondPage.map((entry) => entry.action?.type)).toEqual(['login']);
    await expectEntries(page, resourceIds(secondPage));
    expect(secondPage.length + firstPage.length).toBeLessThan(all.length);

    // A reload keeps the view, fields included; so does the URL opened in a new page.
    await page.reload();
    await expectEntries(page, resourceIds(secondPage));
    expect(await page.getByLabel('Actor email').inputValue()).toBe(t.uf.email);
    expect(await page.getByRole('radio', { name: 'Oldest first' }).isChecked()).toBe(true);
    const shared = await t.context.newPage();
    await shared.goto(page.url());
    await shared.getByRole('heading', { level: 1, name: 'Audit Log' }).waitFor();
    await expectEntries(shared, resourceIds(secondPage));
    await shared.close();

    // An email nobody acted with: nothing matches, and the screen says what to do.
    await page.getByLabel('Actor email').fill('nobody@example.com');
    await applyFilters(page);
    await page.getByText('No entries match these filters').waitFor();
    await expectAccessible(page);
    await t.expectClean();
    // Many steps, each a round trip: room for a shared, busy CPU.
  }, 120_000);

  it("shows Cloudflare's error for a filter the API refuses", async () => {
    const { t, page } = await openAuditLog();
    await page.getByLabel('Actor IP').fill('not-an-ip');
    await applyFilters(page);
    const alert = page.getByRole('alert').filter({ hasText: 'The API refused these filters' });
    await alert.waitFor();
    expect(await alert.innerText()).toMatch(/actor\.ip: must be an IP address or a CIDR range.*\(code \d+\)/);
    expect(await rows(page).count()).toBe(0);
    await expectAccessible(page);

    // The same from a shared URL: the page size is out of the API's range.
    await page.goto(`${t.dashboard}/audit-log?per_page=5000`);
    const perPage = page.getByRole('alert').filter({ hasText: 'per_page' });
    await perPage.waitFor();
    expect(await perPage.innerText()).toMatch(/\(code \d+\)/);
    await t.expectClean();
  });

  it("opens and closes an entry's JSON by keyboard", async () => {
    const { t, page, seeded } = await openAuditLog();
    const [roll] = await apiEntries(t, { action: { type: 'roll' } });
    const trigger = rowOf(page, 'roll', seeded.tokenId).getByRole('button', { name: /^JSON/ });
    await trigger.waitFor();
    await tabTo(page, trigger);
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Audit log entry' });
    await dialog.waitFor();
    const json = await dialog.getByLabel('Entry JSON').innerText();
    expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(roll)));
    await expectAccessible(page, '[role="dialog"]');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => trigger.evaluate((element) => element === document.activeElement)).toBe(true);
    await t.expectClean();
  });

  it('downloads the filtered entries as a CSV file', async () => {
    const { t, page, seeded } = await openAuditLog('?action.type=roll');
    await expectEntries(page, [seeded.tokenId]);
    const [roll] = await apiEntries(t, { action: { type: 'roll' } });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('audit_logs.csv');
    const lines = (await readFile(await download.path(), 'utf8')).trim().split(/\r?\n/);
    expect(lines[0]?.split(',').slice(0, 6)).toEqual([
      'id',
      'when',
      'action_type',
      'action_result',
      'actor_id',
      'actor_email',
    ]);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(roll?.id as string);
    expect(lines[1]).toContain(',roll,');
    expect(lines[1]).toContain(t.uf.email);

    // Without filters: every entry, one line each.
    await page.getByRole('button', { name: 'Clear filters' }).first().click();
    await expect.poll(() => rows(page).count()).toBeGreaterThan(1);
    const [everything] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    const all = (await readFile(await everything.path(), 'utf8')).trim().split(/\r?\n/);
    expect(all).toHaveLength((await apiEntries(t, {})).length + 1);
    await t.expectClean();
  });

  it('says that unlocking the emulator enables copy as curl', async () => {
    const { t, page, seeded } = await openAuditLog();
    await page.getByText('Copy as curl needs the request journal').waitFor();
    expect(await page.getByRole('button', { name: /^Copy as curl/ }).count()).toBe(0);
    await rowOf(page, 'roll', seeded.tokenId).getByRole('button', { name: /^JSON/ }).click();
    await page.getByText('Unlock the emulator to find this entry’s request').waitFor();
    await page.keyboard.press('Escape');
    await t.expectClean();
  });

  it("copies an entry's request from the journal as curl, without a credential, once unlocked", async () => {
    t = await startDashboardTest();
    const seeded = await seedTokenHistory(t);
    await t.unlockEmulator();
    await t.signIn();
    await t.context.grantPermissions(['clipboard-read', 'clipboard-write']);
    const page = t.page;
    await page.goto(`${t.dashboard}/audit-log`);
    await page.getByRole('heading', { level: 1, name: 'Audit Log' }).waitFor();

    const copied = async (action: string) => {
      await rowOf(page, action, seeded.tokenId)
        .getByRole('button', { name: /^Copy as curl/ })
        .click();
      await rowOf(page, action, seeded.tokenId)
        .getByRole('button', { name: /^Copied/ })
        .waitFor();
      return page.evaluate(() => navigator.clipboard.readText());
    };
    const base = t.uf.baseURL.replace(/\/+$/, '');
    const roll = await copied('roll');
    expect(roll).toContain(`curl -X PUT '${base}/user/tokens/${seeded.tokenId}/value'`);
    expect(roll).toContain('"Authorization: Bearer $CLOUDFLARE_API_TOKEN"');
    const remove = await copied('delete');
    expect(remove).toContain(`curl -X DELETE '${base}/user/tokens/${seeded.tokenId}'`);
    const create = await copied('create');
    expect(create).toContain(`curl -X POST '${base}/user/tokens'`);
    for (const command of [roll, remove, create]) {
      for (const secret of [t.uf.token, t.uf.apiKey, t.uf.adminKey]) expect(command).not.toContain(secret);
    }
    // The dashboard sign-in was not an API request: nothing to copy.
    expect(
      await rows(page)
        .filter({ hasText: 'login' })
        .getByRole('button', { name: /^Copy as curl/ })
        .count(),
    ).toBe(0);
    await expectAccessible(page);
    await t.expectClean();
  });
});
