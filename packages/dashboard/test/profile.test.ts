import type Cloudflare from 'cloudflare';
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

const USER_DETAILS_READ = '8acbe5bb0d54464ab867149d7f7cf8ac';

let t: DashboardTest | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});
afterAll(closeBrowser);

async function openProfile(token?: string): Promise<{ t: DashboardTest; page: Page; cf: Cloudflare }> {
  t = await startDashboardTest();
  await t.signIn(token);
  await t.page.goto(`${t.dashboard}/profile`);
  await t.page.getByRole('heading', { level: 1, name: 'Profile' }).waitFor();
  await t.page.getByLabel('First name').waitFor();
  return { t, page: t.page, cf: officialSdk(t.uf) };
}

describe('profile screen', () => {
  it('shows the user as GET /user answers, and saves only the changed names with PATCH /user', async () => {
    const { t, page, cf } = await openProfile();
    const before = await cf.user.get();
    const main = page.getByRole('main');
    await main.getByText(before.email as string, { exact: true }).waitFor();
    await main.getByText(before.id as string, { exact: true }).waitFor();
    await expectAccessible(page);

    await page.getByLabel('First name').fill('Ada');
    await page.getByLabel('Last name').fill('Lovelace');
    await page.getByText('2 unsaved changes.').waitFor();
    const patch = page.waitForRequest((request) => request.method() === 'PATCH');
    await page.getByRole('button', { name: 'Save' }).click();
    expect((await patch).postDataJSON()).toEqual({ first_name: 'Ada', last_name: 'Lovelace' });
    await page.getByText('Changed: First name, Last name.').waitFor();

    const after = await cf.user.get();
    expect(after).toMatchObject({ first_name: 'Ada', last_name: 'Lovelace' });
    expect(after.country).toBe(before.country);
    expect(after.telephone).toBe(before.telephone);
    await page.getByText('No changes to save.').waitFor();

    // A reload reads the saved values back from the server.
    await page.reload();
    await expect.poll(() => page.getByLabel('First name').inputValue()).toBe('Ada');
    await expectAccessible(page);
    await t.expectClean();
  });

  it('shows a value the API refuses at its field, and changes nothing on the server', async () => {
    const { t, page, cf } = await openProfile();
    const before = await cf.user.get();
    await page.getByLabel('First name').fill('Grace');
    const country = page.getByLabel('Country');
    await country.fill('A country name far longer than thirty characters');
    await page.getByRole('button', { name: 'Save' }).click();

    await expect.poll(() => country.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await country.getAttribute('aria-describedby')) ?? '';
    const described = await page.evaluate(
      (ids) => ids.map((id) => document.getElementById(id)?.textContent ?? '').join(' '),
      describedBy.split(/\s+/).filter(Boolean),
    );
    expect(described).toMatch(/30 characters/);
    expect(described).toMatch(/code \d{4,}/);
    expect(await page.getByLabel('First name').getAttribute('aria-invalid')).not.toBe('true');
    await page.getByRole('alert').filter({ hasText: 'Not saved' }).waitFor();
    await expectAccessible(page);

    // PATCH is all or nothing: the valid first name was not saved either.
    const after = await cf.user.get();
    expect(after.first_name).toBe(before.first_name);
    expect(after.country).toBe(before.country);

    // Fixing the field and saving again clears the error.
    await country.fill('GB');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Changed: First name, Country.').waitFor();
    expect(await country.getAttribute('aria-invalid')).not.toBe('true');
    expect(await cf.user.get()).toMatchObject({ first_name: 'Grace', country: 'GB' });
    await t.expectClean();
  });

  it('edits and saves by keyboard alone', async () => {
    const { t, page, cf } = await openProfile();
    await tabTo(page, page.getByLabel('Telephone'));
    await page.keyboard.type('+44 20 7946 0000');
    await tabTo(page, page.getByRole('button', { name: 'Save' }));
    await page.keyboard.press('Enter');
    await page.getByText('Changed: Telephone.').waitFor();
    expect((await cf.user.get()).telephone).toBe('+44 20 7946 0000');
    await t.expectClean();
  });

  it('disables editing, with the reason, for a token without User Details Write', async () => {
    t = await startDashboardTest();
    const created = await officialSdk(t.uf).user.tokens.create({
      name: 'read-only profile',
      policies: [
        {
          effect: 'allow',
          permission_groups: [{ id: USER_DETAILS_READ }],
          resources: { 'com.cloudflare.api.user.*': '*' },
        },
      ],
    });
    const test = t;
    await test.signIn(created.value as string);
    await test.page.goto(`${test.dashboard}/profile`);
    const first = test.page.getByLabel('First name');
    await first.waitFor();
    expect(await first.isDisabled()).toBe(true);
    expect(await test.page.getByRole('button', { name: 'Save' }).isDisabled()).toBe(true);
    await test.page.getByText('You cannot edit your profile with this credential').waitFor();
    await expectAccessible(test.page);
    await test.expectClean();
  });
});
