import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openEmulatorPage, startEmulatorTest } from './emulator.helpers.js';
import {
  closeBrowser,
  type DashboardTest,
  expectAccessible,
  startDashboardTest,
} from './helpers/dashboard.js';
import { tabTo } from './helpers/keyboard.js';

let t: DashboardTest | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});
afterAll(closeBrowser);

const PAGES: [string, string][] = [
  ['', 'Emulator'],
  ['/clock', 'Clock'],
  ['/snapshots', 'Snapshots'],
  ['/enforcement', 'Enforcement'],
  ['/journal', 'Request journal'],
  ['/faults', 'Faults'],
  ['/namespaces', 'Namespaces'],
  ['/explain', 'Explain'],
  ['/store', 'Fixtures and reset'],
];

describe('emulator pages without the admin key', () => {
  it('each page says the controls are locked and offers the admin key form, and no admin call is made', async () => {
    t = await startDashboardTest();
    await t.signIn();
    const adminCalls: string[] = [];
    t.page.on('request', (request) => {
      if (request.url().includes('/api/__userflare/')) adminCalls.push(request.url());
    });
    for (const [path, title] of PAGES) {
      const page = await openEmulatorPage(t, path, title);
      await page.getByText('The emulator controls are locked').waitFor();
      await page.getByLabel('Admin key').waitFor();
      await page.getByRole('button', { name: 'Unlock emulator' }).waitFor();
    }
    expect(adminCalls).toEqual([]);
    // Nothing changed on the server: the controls answer as they started.
    expect((await t.uf.admin.clock.get()).real).toBe(true);
    await expectAccessible(t.page);
    await t.expectClean();
  });

  it('refuses a wrong admin key with the server’s error at the field, then unlocks with the right one', async () => {
    t = await startDashboardTest();
    await t.signIn();
    const page = await openEmulatorPage(t, '/clock', 'Clock');
    await page.getByLabel('Admin key').fill('not-the-admin-key-0000');
    await page.getByRole('button', { name: 'Unlock emulator' }).click();
    const message = page.getByText(/\(code \d+\)/);
    await message.waitFor();
    // The message is the field's error: announced with it, and the field marked invalid.
    const id = await message.getAttribute('id');
    expect(id).toBeTruthy();
    const field = page.locator(`input[aria-describedby~="${id}"]`);
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    await expectAccessible(page);
    expect((await t.uf.admin.clock.get()).real).toBe(true);

    await page.getByLabel('Admin key').fill(t.uf.adminKey);
    await page.getByRole('button', { name: 'Unlock emulator' }).click();
    await page.getByRole('heading', { name: 'Server time' }).waitFor();
    await expect
      .poll(() => page.getByTestId('server-time').textContent(), { timeout: 10_000 })
      .toMatch(/UTC$/);
    await t.expectClean();
  });

  it('unlocks from the keyboard alone', async () => {
    t = await startDashboardTest();
    await t.signIn();
    const page = await openEmulatorPage(t, '/snapshots', 'Snapshots');
    await tabTo(page, page.getByLabel('Admin key'));
    await page.keyboard.type(t.uf.adminKey);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Saved snapshots' }).waitFor();
    await t.expectClean();
  });
});

describe('emulator overview', () => {
  it('links every control with its current state, and locks the emulator again', async () => {
    t = await startEmulatorTest();
    await t.uf.admin.snapshots.save('one');
    await t.uf.admin.enforcement.set('report');
    const page = await openEmulatorPage(t, '', 'Emulator');
    await page.getByText('1 snapshot').waitFor();
    await page.getByText('Report: refusals go through').waitFor();
    for (const [path, title] of PAGES.slice(1)) {
      const link = page.getByRole('main').getByRole('link', { name: new RegExp(`^${title}`) });
      expect(await link.getAttribute('href')).toBe(`/dashboard/emulator${path}`);
    }
    await expectAccessible(page);
    await page
      .getByRole('main')
      .getByRole('link', { name: /^Clock/ })
      .click();
    await page.getByRole('heading', { level: 1, name: 'Clock' }).waitFor();

    await openEmulatorPage(t, '', 'Emulator');
    await page.getByRole('button', { name: 'Lock emulator' }).click();
    await page.getByText('The emulator controls are locked').waitFor();
    await t.expectClean();
  });
});
