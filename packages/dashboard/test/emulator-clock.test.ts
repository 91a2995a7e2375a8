import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { narrowToken, openEmulatorPage, sdk, startEmulatorTest } from './emulator.helpers.js';
import { closeBrowser, type DashboardTest, expectAccessible } from './helpers/dashboard.js';
import { tabTo } from './helpers/keyboard.js';

let t: DashboardTest | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});
afterAll(closeBrowser);

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('clock page', () => {
  it('shows the server time, and sets, advances, freezes, unfreezes and returns to real time', async () => {
    t = await startEmulatorTest();
    const page = await openEmulatorPage(t, '/clock', 'Clock');
    const { admin } = t.uf;
    await page.getByText('Real time', { exact: true }).waitFor();
    await expectAccessible(page);

    await page.getByLabel('Date and time (UTC)').fill('2030-01-01T00:00');
    await page.getByRole('checkbox', { name: 'Freeze it there' }).click();
    await page.getByRole('button', { name: 'Set time' }).click();
    await expect
      .poll(() => page.getByTestId('server-time').textContent(), { timeout: 10_000 })
      .toBe('2030-01-01 00:00:00 UTC');
    expect(await admin.clock.get()).toMatchObject({ now: '2030-01-01T00:00:00Z', frozen: true, real: false });
    await page.getByText('Frozen', { exact: true }).waitFor();

    const presets: [string, number][] = [
      ['+1 hour', HOUR],
      ['+1 day', DAY],
      ['+7 days', 7 * DAY],
      ['+30 days', 30 * DAY],
    ];
    let expected = Date.parse('2030-01-01T00:00:00Z');
    for (const [label, ms] of presets) {
      await page.getByRole('button', { name: label, exact: true }).click();
      expected += ms;
      await expect
        .poll(async () => Date.parse((await admin.clock.get()).now), { timeout: 10_000 })
        .toBe(expected);
    }
    await page.getByLabel('Amount').fill('-90');
    await page.getByRole('combobox', { name: 'Unit' }).click();
    await page.getByRole('option', { name: 'Minutes' }).click();
    await page.getByRole('button', { name: 'Advance', exact: true }).click();
    expected -= 90 * 60_000;
    await expect
      .poll(async () => Date.parse((await admin.clock.get()).now), { timeout: 10_000 })
      .toBe(expected);
    await expect
      .poll(() => page.getByTestId('server-time').textContent(), { timeout: 10_000 })
      .toBe(
        `${new Date(expected)
          .toISOString()
          .replace('T', ' ')
          .replace(/\.\d+Z$/, '')} UTC`,
      );
    await page.getByText(/days? .* ahead of real time/).waitFor();

    await page.getByRole('button', { name: 'Unfreeze' }).click();
    await expect.poll(async () => (await admin.clock.get()).frozen, { timeout: 10_000 }).toBe(false);
    await page.getByRole('button', { name: 'Freeze', exact: true }).click();
    await expect.poll(async () => (await admin.clock.get()).frozen, { timeout: 10_000 }).toBe(true);

    await page.getByRole('button', { name: 'Back to real time' }).click();
    await expect.poll(async () => (await admin.clock.get()).real, { timeout: 10_000 }).toBe(true);
    const state = await admin.clock.get();
    expect(state.frozen).toBe(false);
    expect(Math.abs(Date.parse(state.now) - Date.now())).toBeLessThan(10_000);
    await page.getByText('Real time', { exact: true }).waitFor();
    expect(await page.getByRole('button', { name: 'Back to real time' }).isDisabled()).toBe(true);
    await expectAccessible(page);
    await t.expectClean();
  });

  it('refuses an empty custom amount at its field, and advances from the keyboard', async () => {
    t = await startEmulatorTest();
    const page = await openEmulatorPage(t, '/clock', 'Clock');
    await page.getByText('Real time', { exact: true }).waitFor();
    const amount = page.getByLabel('Amount');
    await amount.fill('');
    await page.getByRole('button', { name: 'Advance', exact: true }).click();
    await page.getByText('A number other than 0.').waitFor();
    expect(await amount.getAttribute('aria-invalid')).toBe('true');
    expect((await t.uf.admin.clock.get()).real).toBe(true);

    await tabTo(page, page.getByRole('button', { name: '+1 day', exact: true }));
    const before = Date.parse((await t.uf.admin.clock.get()).now);
    await page.keyboard.press('Enter');
    await expect
      .poll(async () => (await t?.uf.admin.clock.get())?.offset_ms ?? 0, { timeout: 10_000 })
      .toBeGreaterThan(DAY - 60_000);
    expect(Date.parse((await t.uf.admin.clock.get()).now) - before).toBeGreaterThanOrEqual(DAY - 1000);
    await t.expectClean();
  });
});

describe('enforcement page', () => {
  it('switches to report mode, where a refused request passes and is recorded as reported only', async () => {
    t = await startEmulatorTest();
    const narrow = await narrowToken(t);
    const page = await openEmulatorPage(t, '/enforcement', 'Enforcement');
    const enforce = page.getByRole('radio', { name: /^Enforce/ });
    await expect.poll(() => enforce.isChecked(), { timeout: 10_000 }).toBe(true);
    await page.getByText('What report mode does').waitFor();
    await expectAccessible(page);

    const narrowSdk = sdk(t, narrow.value);
    await expect(narrowSdk.user.tokens.list()).rejects.toMatchObject({ status: 403 });

    await page.getByRole('radio', { name: /^Report/ }).click();
    await page.getByText('Report mode is on.').waitFor();
    expect(await t.uf.admin.enforcement.get()).toEqual({ mode: 'report' });
    await narrowSdk.user.tokens.list();
    const [entry] = await t.uf.admin.journal.list({ token_id: narrow.id, limit: 1 });
    expect(entry?.status).toBe(200);
    expect(entry?.denial).toMatchObject({ reason: 'permission_missing', reported_only: true });

    // Back with the keyboard: arrow keys move within the radio group.
    await page.getByRole('radio', { name: /^Report/ }).focus();
    await page.keyboard.press('ArrowUp');
    await page.getByText('Enforce mode is on.').waitFor();
    expect(await t.uf.admin.enforcement.get()).toEqual({ mode: 'enforce' });
    await expect(narrowSdk.user.tokens.list()).rejects.toMatchObject({ status: 403 });
    await t.expectClean();
  });
});
