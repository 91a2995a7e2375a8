import { mkdirSync, writeFileSync } from 'node:fs';
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

const FIXTURES = '/tmp/uf/emulator-fixtures';

function fixtureFile(name: string, content: unknown): string {
  mkdirSync(FIXTURES, { recursive: true });
  const path = `${FIXTURES}/${name}`;
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

async function tokenNames(test: DashboardTest): Promise<string[]> {
  const page = await sdk(test).user.tokens.list();
  return page.result.map((token) => token.name as string);
}

describe('snapshots page', () => {
  it('saves a snapshot, restores it after a change made through the SDK, and deletes it, each after a confirmation', async () => {
    t = await startEmulatorTest();
    const page = await openEmulatorPage(t, '/snapshots', 'Snapshots');
    await page.getByText('No snapshots yet').waitFor();
    await expectAccessible(page);

    await page.getByLabel('Snapshot name').fill('clean');
    await page.getByRole('button', { name: 'Save snapshot' }).click();
    await page.getByText('Saved snapshot clean.').waitFor();
    expect((await t.uf.admin.snapshots.list()).map((snapshot) => snapshot.name)).toEqual(['clean']);
    const row = page.getByRole('row', { name: /clean/ });
    await row.waitFor();
    await expectAccessible(page);

    const before = await tokenNames(t);
    await narrowToken(t, 'made after the snapshot');
    expect(await tokenNames(t)).toContain('made after the snapshot');

    await row.getByRole('button', { name: 'Restore' }).click();
    const dialog = page.getByRole('dialog', { name: 'Restore snapshot clean?' });
    await dialog.waitFor();
    await expectAccessible(page);
    // Cancel first: nothing happens.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await tokenNames(t)).toContain('made after the snapshot');

    await row.getByRole('button', { name: 'Restore' }).click();
    await dialog.getByRole('button', { name: 'Restore' }).click();
    await page.getByText('Restored snapshot clean').waitFor();
    expect(await tokenNames(t)).toEqual(before);

    await row.getByRole('button', { name: 'Delete' }).click();
    await page
      .getByRole('dialog', { name: 'Delete snapshot clean?' })
      .getByRole('button', { name: 'Delete' })
      .click();
    await page.getByText('No snapshots yet').waitFor();
    expect(await t.uf.admin.snapshots.list()).toEqual([]);
    await t.expectClean();
  });

  it('refuses a bad name at its field, and asks before replacing a snapshot of the same name', async () => {
    t = await startEmulatorTest();
    await t.uf.admin.snapshots.save('seeded');
    const first = (await t.uf.admin.snapshots.list())[0];
    const page = await openEmulatorPage(t, '/snapshots', 'Snapshots');
    const name = page.getByLabel('Snapshot name');
    await name.fill('no spaces');
    await page.getByRole('button', { name: 'Save snapshot' }).click();
    expect(await name.getAttribute('aria-invalid')).toBe('true');
    await page.getByText('Use 1 to 64 of').waitFor();

    await name.fill('seeded');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Replace snapshot seeded?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Replace' }).click();
    await page.getByText('Saved snapshot seeded.').waitFor();
    const [replaced] = await t.uf.admin.snapshots.list();
    expect(replaced?.created_on).not.toBe(undefined);
    expect(Date.parse(replaced?.created_on ?? '')).toBeGreaterThanOrEqual(
      Date.parse(first?.created_on ?? ''),
    );
    await t.expectClean();
  });

  it('ends gracefully when a restore removes the token this session signed in with', async () => {
    t = await startEmulatorTest();
    await t.uf.admin.snapshots.save('before-the-token');
    const later = await narrowToken(t, 'made after the snapshot');
    await t.context.clearCookies();
    await t.signIn(later.value);
    const page = await openEmulatorPage(t, '/snapshots', 'Snapshots');
    await page.getByLabel('Admin key').fill(t.uf.adminKey);
    await page.getByRole('button', { name: 'Unlock emulator' }).click();
    await page
      .getByRole('row', { name: /before-the-token/ })
      .getByRole('button', { name: 'Restore' })
      .click();
    await page.getByRole('dialog').getByRole('button', { name: 'Restore' }).click();
    await page.getByRole('heading', { name: 'Your session ended' }).waitFor();
    await expect(sdk(t, later.value).user.tokens.verify()).rejects.toMatchObject({ status: 401 });
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Log in again' }).click();
    await page.getByLabel('API token').waitFor();
    expect(new URL(page.url()).pathname).toBe('/dashboard/sign-in');
    await t.expectClean();
  });
});

describe('fixtures and reset page', () => {
  it('loads a small fixture file, seen through the SDK, and shows the new users’ secrets', async () => {
    t = await startEmulatorTest();
    const page = await openEmulatorPage(t, '/store', 'Fixtures and reset');
    await expectAccessible(page);
    const file = fixtureFile('small.json', {
      users: [{ email: 'fixture-user@example.com' }],
      organizations: [{ name: 'Fixture Org', members: [{ user: t.uf.email, roles: ['Administrator'] }] }],
    });
    await page.getByLabel('Fixture file').setInputFiles(file);
    await page.getByRole('button', { name: 'Load fixture' }).click();
    await page.getByText('Fixture loaded').waitFor();
    await page.getByText('fixture-user@example.com').waitFor();
    const orgs = await sdk(t).user.organizations.list();
    expect(orgs.result.map((org) => org.name)).toContain('Fixture Org');
    await expectAccessible(page);
    await t.expectClean();
  });

  it('shows each refused field of a bad fixture, loads nothing, and says when a file is not JSON', async () => {
    t = await startEmulatorTest();
    const page = await openEmulatorPage(t, '/store', 'Fixtures and reset');
    const bad = fixtureFile('bad.json', {
      users: [{ email: 'never-loaded@example.com' }],
      invites: [{ organization: 'Nope', to: 'someone@example.com', roles: ['Administrator'] }],
    });
    await page.getByLabel('Fixture file').setInputFiles(bad);
    await page.getByRole('button', { name: 'Load fixture' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'The fixture was refused' });
    await alert.waitFor();
    expect(await alert.textContent()).toContain('invites[0].organization');
    await expectAccessible(page);
    // Nothing was loaded: the same user loads fine afterwards.
    const seeded = await t.uf.admin.seed({ users: [{ email: 'never-loaded@example.com' }] });
    expect(seeded.counts.users).toBe(1);

    await page.getByLabel('Fixture file').setInputFiles(fixtureFile('broken.json', '{"users": ['));
    await page.getByText(/The file is not JSON/).waitFor();
    expect(await page.getByLabel('Fixture file').getAttribute('aria-invalid')).toBe('true');
    await t.expectClean();
  });

  it('resets to the start after a confirmation; the bootstrap token’s session goes on', async () => {
    t = await startEmulatorTest();
    await t.uf.admin.clock.set({ set: '2031-01-01T00:00:00Z', freeze: true });
    await narrowToken(t, 'gone after the reset');
    const page = await openEmulatorPage(t, '/store', 'Fixtures and reset');
    await page.getByRole('radio', { name: /^Start/ }).click();
    await page.getByRole('button', { name: 'Reset store' }).click();
    const dialog = page.getByRole('dialog', { name: 'Reset the store to its start?' });
    await dialog.waitFor();
    await expectAccessible(page);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect((await t.uf.admin.clock.get()).frozen).toBe(true);
    expect(await tokenNames(t)).toContain('gone after the reset');

    await page.getByRole('button', { name: 'Reset store' }).click();
    await dialog.getByRole('button', { name: 'Reset store' }).click();
    await page.getByText('The store was reset to start.').waitFor();
    expect((await t.uf.admin.clock.get()).real).toBe(true);
    expect(await tokenNames(t)).not.toContain('gone after the reset');
    // Still signed in and unlocked: the page goes on working.
    await openEmulatorPage(t, '/clock', 'Clock');
    await page.getByText('Real time', { exact: true }).waitFor();
    await t.expectClean();
  });

  it('resets to empty from the keyboard, then sends the ended session to log in again', async () => {
    t = await startEmulatorTest();
    await narrowToken(t, 'gone after the reset');
    const page = await openEmulatorPage(t, '/store', 'Fixtures and reset');
    await page.getByRole('radio', { name: /^Empty/ }).click();
    await tabTo(page, page.getByRole('button', { name: 'Reset store' }));
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Reset the store to empty?' });
    await dialog.waitFor();
    await tabTo(page, dialog.getByRole('button', { name: 'Reset store' }), 5);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Your session ended' }).waitFor();
    await page.getByText('The store was reset to empty.', { exact: false }).waitFor();
    expect(await tokenNames(t)).not.toContain('gone after the reset');
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Log in again' }).click();
    await t.signIn();
    await t.expectClean();
  });
});
