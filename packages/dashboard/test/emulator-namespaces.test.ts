import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openEmulatorPage, sdk, startEmulatorTest } from './emulator.helpers.js';
import { closeBrowser, type DashboardTest, expectAccessible } from './helpers/dashboard.js';
import { tabTo } from './helpers/keyboard.js';

let t: DashboardTest | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});
afterAll(closeBrowser);

describe('namespaces page', () => {
  it('creates a namespace, shows its token once, opens its own dashboard and signs in there with it', async () => {
    t = await startEmulatorTest();
    const page = await openEmulatorPage(t, '/namespaces', 'Namespaces');
    await page.getByText('No namespaces').waitFor();
    await expectAccessible(page);

    await page.getByLabel('Namespace ID').fill('suite-a');
    await page.getByLabel('Bootstrap user email').fill('ci@example.com');
    await page.getByRole('button', { name: 'Create namespace' }).click();
    const dialog = page.getByRole('dialog', { name: 'Namespace suite-a created' });
    await dialog.waitFor();
    const token = await dialog.getByLabel('API token').inputValue();
    expect(token.length).toBeGreaterThan(20);
    await expectAccessible(page);

    const [listed] = await t.uf.admin.namespaces.list();
    expect(listed).toMatchObject({ id: 'suite-a', email: 'ci@example.com' });
    expect(listed).not.toHaveProperty('token');
    const user = await sdk(t, token, `${t.uf.url}/ns/suite-a/client/v4`).user.get();
    expect((user as { email: string }).email).toBe('ci@example.com');

    // The token stays on screen while the namespace's dashboard opens in a new tab.
    const opened = t.context.waitForEvent('page');
    await dialog.getByRole('link', { name: /Open its dashboard/ }).click();
    const nsPage = await opened;
    await nsPage.waitForLoadState();
    expect(new URL(nsPage.url()).pathname).toMatch(/^\/ns\/suite-a\/dashboard\//);
    await nsPage.getByLabel('API token').fill(token);
    await nsPage.getByRole('button', { name: 'Log in' }).click();
    await nsPage.getByRole('heading', { level: 1, name: 'API Tokens' }).waitFor();
    await nsPage.getByText('ci@example.com').first().waitFor();
    await nsPage.close();

    await dialog.getByRole('button', { name: 'I copied the token' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const row = page.getByRole('row', { name: /suite-a/ });
    expect(await row.getByRole('link', { name: 'Open dashboard of suite-a' }).getAttribute('href')).toBe(
      '/ns/suite-a/dashboard/',
    );
    await t.expectClean();
  });

  it('deletes a namespace after a confirmation that names it, from the keyboard', async () => {
    t = await startEmulatorTest();
    await t.uf.admin.namespaces.create({ id: 'to-delete' });
    await t.uf.admin.namespaces.create({ id: 'to-keep' });
    const page = await openEmulatorPage(t, '/namespaces', 'Namespaces');
    const remove = page.getByRole('button', { name: 'Delete namespace to-delete' });
    await remove.waitFor();
    await tabTo(page, remove);
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Delete namespace to-delete?' });
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect((await t.uf.admin.namespaces.list()).map((ns) => ns.id).sort()).toEqual(['to-delete', 'to-keep']);

    await remove.click();
    await dialog.getByRole('button', { name: 'Delete namespace' }).click();
    await page.getByRole('row', { name: /to-delete/ }).waitFor({ state: 'detached' });
    expect((await t.uf.admin.namespaces.list()).map((ns) => ns.id)).toEqual(['to-keep']);
    await expect(
      sdk(t, 'x'.repeat(40), `${t.uf.url}/ns/to-delete/client/v4`).user.get(),
    ).rejects.toMatchObject({ status: 404 });
    await t.expectClean();
  });

  it('checks the optional fields, and shows the API’s refusal of a taken id', async () => {
    t = await startEmulatorTest();
    await t.uf.admin.namespaces.create({ id: 'taken' });
    const page = await openEmulatorPage(t, '/namespaces', 'Namespaces');
    await page.getByLabel('Namespace ID').fill('Not Valid');
    await page.getByLabel('Bootstrap user email').fill('nope');
    await page.getByRole('button', { name: 'Create namespace' }).click();
    expect(await page.getByLabel('Namespace ID').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel('Bootstrap user email').getAttribute('aria-invalid')).toBe('true');

    await page.getByLabel('Namespace ID').fill('taken');
    await page.getByLabel('Bootstrap user email').fill('');
    await page.getByRole('button', { name: 'Create namespace' }).click();
    await page.getByText('The namespace was not created').waitFor();
    await page.getByText(/\(code \d+\)/).waitFor();
    expect((await t.uf.admin.namespaces.list()).map((ns) => ns.id)).toEqual(['taken']);
    await t.expectClean();
  });
});
