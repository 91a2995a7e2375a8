import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  closeBrowser,
  type DashboardTest,
  expectAccessible,
  startDashboardTest,
} from './helpers/dashboard.js';
import { tabTo } from './helpers/keyboard.js';
import { narrowToken, officialSdk } from './helpers/seed.js';

const SUPER = 'All Privileges - Super Administrator';
const ACME = '023e105f4ecef8ad9ca31a8372d0c353';
const GLOBEX = '5a7805061c76ada191ed06f989cc3dac';
const INITECH = '9a7806061c88ada191ed06f989cc3dac';

const MEMBERSHIPS_READ = '3518d0f75557482e952c6762d3e64903';

const fixture = {
  users: [{ email: 'alice@example.com', token: false as const }],
  organizations: [
    // Alice is a Super Administrator too: the signed-in user may leave.
    {
      id: ACME,
      name: 'Acme Corp',
      members: [
        { user: 'admin@example.com', roles: [SUPER] },
        { user: 'alice@example.com', roles: [SUPER] },
      ],
    },
    // The signed-in user is its only Super Administrator: leaving is refused.
    {
      id: GLOBEX,
      name: 'Globex',
      members: [
        { user: 'admin@example.com', roles: [SUPER] },
        { user: 'alice@example.com', roles: ['Administrator'] },
      ],
    },
    {
      id: INITECH,
      name: 'Initech',
      members: [
        { user: 'alice@example.com', roles: [SUPER] },
        { user: 'admin@example.com', roles: ['DNS', 'Analytics'] },
      ],
    },
  ],
};

let t: DashboardTest | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});
afterAll(closeBrowser);

async function openAccounts(options: Parameters<typeof startDashboardTest>[0] = { fixture }) {
  t = await startDashboardTest(options);
  await t.signIn();
  await t.page.goto(`${t.dashboard}/accounts`);
  await t.page.getByRole('heading', { level: 1, name: 'Accounts' }).waitFor();
  const cf = officialSdk(t.uf);
  const accountNames = async () => (await cf.user.organizations.list()).result.map((org) => org.name).sort();
  return { t, page: t.page, cf, accountNames };
}

describe('Accounts', () => {
  it('lists each account with its id, status and the roles the user holds there', async () => {
    const { t, page } = await openAccounts();
    const initech = page.getByRole('row', { name: /Initech/ });
    await initech.waitFor();
    expect(await initech.textContent()).toContain(INITECH);
    expect(await initech.textContent()).toContain('Member');
    const roles = initech.getByRole('list', { name: 'Roles in Initech' }).getByRole('listitem');
    expect(await roles.allTextContents()).toEqual(['DNS', 'Analytics']);
    expect(
      await page.getByRole('list', { name: 'Roles in Acme Corp' }).getByRole('listitem').allTextContents(),
    ).toEqual([SUPER]);
    await expectAccessible(page);
    await t.expectClean();
  });

  it('leaves an account with the keyboard after a confirmation naming it; the SDK no longer lists it', async () => {
    const { t, page, accountNames } = await openAccounts();
    const leave = page.getByRole('button', { name: 'Leave Acme Corp' });
    await leave.waitFor();

    await tabTo(page, leave);
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Leave Acme Corp?' });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain(ACME);
    await expectAccessible(page);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await accountNames()).toContain('Acme Corp');

    await tabTo(page, leave);
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    await tabTo(page, dialog.getByRole('button', { name: 'Leave account' }));
    await page.keyboard.press('Enter');
    await page.getByText('You left Acme Corp').waitFor();
    await expect.poll(accountNames).toEqual(['Globex', 'Initech']);
    await expect.poll(() => page.getByRole('row', { name: /Acme Corp/ }).count()).toBe(0);
    await t.expectClean();
  });

  it('explains in plain words why the last Super Administrator cannot leave, and changes nothing', async () => {
    const { t, page, cf, accountNames } = await openAccounts();
    await page.getByRole('button', { name: 'Leave Globex' }).click();
    await page
      .getByRole('dialog', { name: 'Leave Globex?' })
      .getByRole('button', { name: 'Leave account' })
      .click();

    const alert = page
      .getByRole('alert')
      .filter({ hasText: 'You are the last Super Administrator of Globex' });
    await alert.waitFor();
    const text = await alert.textContent();
    expect(text).toContain(
      'You are the last Super Administrator of Globex: make someone else one before you leave.',
    );
    // The API's own code stays visible beside the words.
    expect(text).toContain('code 1103');
    await expectAccessible(page);

    expect(await accountNames()).toEqual(['Acme Corp', 'Globex', 'Initech']);
    const globex = (await cf.user.organizations.list()).result.find((org) => org.id === GLOBEX);
    expect(globex).toMatchObject({ status: 'member', roles: [SUPER] });
    await page.getByRole('row', { name: /Globex/ }).waitFor();
    await t.expectClean();
  });

  it('lists a pending invite as such, with a way to answer it', async () => {
    const { t, page } = await openAccounts({
      fixture: {
        ...fixture,
        invites: [{ organization: 'Initech', to: 'admin@example.com', roles: ['Billing'] }],
        organizations: fixture.organizations
          .filter((org) => org.id !== INITECH)
          .concat({
            id: INITECH,
            name: 'Initech',
            members: [{ user: 'alice@example.com', roles: [SUPER] }],
          }),
      },
    });
    const initech = page.getByRole('row', { name: /Initech/ });
    await initech.waitFor();
    expect(await initech.textContent()).toContain('Invite pending');
    await initech.getByRole('link', { name: 'Answer the invite' }).click();
    await page.getByRole('heading', { level: 1, name: 'Invites' }).waitFor();
    await t.expectClean();
  });

  it('disables Leave, saying why, for a token that may only read memberships', async () => {
    t = await startDashboardTest({ fixture });
    await t.signIn(await narrowToken(t.uf, MEMBERSHIPS_READ, 'com.cloudflare.api.user.*'));
    await t.page.goto(`${t.dashboard}/accounts`);
    const leave = t.page.getByRole('button', { name: 'Leave Acme Corp' });
    await leave.waitFor();
    expect(await leave.isDisabled()).toBe(true);
    await t.page.getByText(/^Leave is disabled: .+/).waitFor();
    await t.expectClean();
  });

  it('says what to do next when the user belongs to no account', async () => {
    const { t, page } = await openAccounts({});
    await page.getByRole('heading', { name: 'No accounts' }).waitFor();
    await page.getByRole('link', { name: 'Go to Invites' }).waitFor();
    await expectAccessible(page);
    await t.expectClean();
  });
});
