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

describe('request journal page', () => {
  it('shows a refused SDK request with its denial explanation, and copies it as curl without a credential', async () => {
    t = await startEmulatorTest();
    await t.context.grantPermissions(['clipboard-read', 'clipboard-write']);
    const narrow = await narrowToken(t);
    await expect(sdk(t, narrow.value).user.tokens.list()).rejects.toMatchObject({ status: 403 });
    const [recorded] = await t.uf.admin.journal.list({ token_id: narrow.id, limit: 1 });
    expect(recorded?.denial?.reason).toBe('permission_missing');

    const page = await openEmulatorPage(t, `/journal?token_id=${narrow.id}`, 'Request journal');
    const request = page.getByRole('button', { name: 'GET /client/v4/user/tokens' });
    await request.waitFor();
    expect(await page.getByLabel('Token ID').inputValue()).toBe(narrow.id);
    await page.getByText('Denied: Permission missing').waitFor();
    await page.getByRole('switch', { name: 'Live' }).click();
    await expectAccessible(page);

    await request.click();
    expect(await request.getAttribute('aria-expanded')).toBe('true');
    const details = page.locator(`[id="${await request.getAttribute('aria-controls')}"]`);
    await details.getByText('Why it was refused').waitFor();
    expect(await details.textContent()).toContain(recorded?.denial?.message);
    const policy = details.getByRole('row').filter({ hasText: recorded?.denial?.policies[0]?.why ?? '?' });
    await policy.waitFor();
    expect(await policy.textContent()).toContain('No');
    await expectAccessible(page);

    const curl = (await details.locator('pre code').textContent()) ?? '';
    expect(curl).toContain(`${t.uf.url}/client/v4/user/tokens`);
    expect(curl).toContain('$CLOUDFLARE_API_TOKEN');
    for (const secret of [narrow.value, t.uf.token, t.uf.apiKey, t.uf.adminKey])
      expect(curl).not.toContain(secret);
    await details.getByRole('button', { name: 'Copy as curl' }).click();
    await details.getByRole('button', { name: 'Copied' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(curl);

    // The dashboard's own requests are journaled too; as curl they go to the API, not the proxy.
    await openEmulatorPage(t, '/journal?path=dashboard%2Fapi%2Fclient', 'Request journal');
    const own = page.getByRole('button', { name: /^GET \/dashboard\/api\/client\/v4\// }).first();
    await own.click();
    await page.getByText('From this dashboard').first().waitFor();
    const ownCurl =
      (await page.locator(`[id="${await own.getAttribute('aria-controls')}"] pre code`).textContent()) ?? '';
    expect(ownCurl).toMatch(new RegExp(`^curl '${t.uf.url}/client/v4/`));
    await t.expectClean();
  });

  it('picks up new requests while Live is on, stops while paused, and refreshes on request', async () => {
    t = await startEmulatorTest();
    const cf = sdk(t);
    const page = await openEmulatorPage(t, '/journal?path=%2Fuser%2Ftokens%2Fverify', 'Request journal');
    await page.getByText('No request matches these filters').waitFor();
    const live = page.getByRole('switch', { name: 'Live' });
    expect(await live.getAttribute('aria-checked')).toBe('true');

    await cf.user.tokens.verify();
    const rows = page.getByRole('button', { name: 'GET /client/v4/user/tokens/verify' });
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(1);

    await live.click();
    await page.getByText('Paused: turn Live on, or refresh.').waitFor();
    await cf.user.tokens.verify();
    await page.waitForTimeout(3_000);
    expect(await rows.count()).toBe(1);
    await page.getByRole('button', { name: 'Refresh' }).click();
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(2);

    await live.click();
    await cf.user.tokens.verify();
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(3);
    await t.expectClean();
  });

  it('filters by method, status, path and denied only, keeping the filters in the address', async () => {
    t = await startEmulatorTest();
    const narrow = await narrowToken(t);
    const cf = sdk(t);
    await cf.user.get();
    await cf.user.tokens.verify();
    await expect(sdk(t, narrow.value).user.tokens.list()).rejects.toMatchObject({ status: 403 });
    const page = await openEmulatorPage(t, '/journal', 'Request journal');
    await page.getByRole('switch', { name: 'Live' }).click();
    await page.getByRole('button', { name: 'GET /client/v4/user/tokens/verify' }).waitFor();

    await page.getByRole('checkbox', { name: 'Denied only' }).click();
    await page.getByRole('button', { name: 'GET /client/v4/user/tokens', exact: true }).waitFor();
    await expect
      .poll(() => page.getByRole('button', { name: /^GET \/client\/v4\/user\/tokens\/verify/ }).count(), {
        timeout: 10_000,
      })
      .toBe(0);
    expect(new URL(page.url()).searchParams.get('denied')).toBe('1');
    await page.getByRole('checkbox', { name: 'Denied only' }).click();

    await page.getByLabel('Status').fill('403');
    await page.getByLabel('Path contains').fill('user/tokens');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('button', { name: 'GET /client/v4/user/tokens', exact: true }).waitFor();
    await expect
      .poll(() => page.getByRole('button', { name: /^GET \/client\/v4\/user$/ }).count(), { timeout: 10_000 })
      .toBe(0);
    const params = new URL(page.url()).searchParams;
    expect(params.get('status')).toBe('403');
    expect(params.get('path')).toBe('user/tokens');

    await page.getByRole('combobox', { name: 'Method' }).click();
    await page.getByRole('option', { name: 'POST' }).click();
    await page.getByText('No request matches these filters').waitFor();
    expect(new URL(page.url()).searchParams.get('method')).toBe('POST');

    await page.getByLabel('Status').fill('99');
    await page.getByRole('button', { name: 'Apply' }).click();
    expect(await page.getByLabel('Status').getAttribute('aria-invalid')).toBe('true');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page
      .getByRole('button', { name: /^GET \/client\/v4\/user$/ })
      .first()
      .waitFor();
    expect(new URL(page.url()).search).toBe('');
    await t.expectClean();
  });

  it('opens an entry and clears the journal after a confirmation, from the keyboard', async () => {
    t = await startEmulatorTest();
    await sdk(t).user.tokens.verify();
    const page = await openEmulatorPage(t, '/journal?path=verify', 'Request journal');
    const request = page.getByRole('button', { name: 'GET /client/v4/user/tokens/verify' });
    await request.waitFor();
    await tabTo(page, request);
    await page.keyboard.press('Enter');
    await page.getByText('Not refused.').waitFor();
    await tabTo(page, page.getByRole('button', { name: 'Clear journal' }));
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Clear the request journal?' });
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect((await t.uf.admin.journal.list()).length).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Clear journal' }).click();
    await dialog.getByRole('button', { name: 'Clear journal' }).click();
    await page.getByText('No request matches these filters').waitFor();
    await expect
      .poll(async () => (await t?.uf.admin.journal.list({ path: '/*verify*' }))?.length, { timeout: 10_000 })
      .toBe(0);
    await t.expectClean();
  });
});
