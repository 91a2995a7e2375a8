import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  closeBrowser,
  type DashboardTest,
  expectAccessible,
  startDashboardTest,
} from './helpers/dashboard.js';
import { tabTo } from './helpers/keyboard.js';
import { narrowToken, officialSdk } from './helpers/seed.js';

const GLOBEX_INVITE = '4f5f0c14a2a41d5063dd301b2f829f04';
const INITECH_INVITE = '6c2f0c14a2a41d5063dd301b2f829f05';

const MEMBERSHIPS_READ = '3518d0f75557482e952c6762d3e64903';

const fixture = {
  users: [{ email: 'alice@example.com', token: false as const }],
  organizations: [
    {
      id: '5a7805061c76ada191ed06f989cc3dac',
      name: 'Globex',
      members: [{ user: 'alice@example.com', roles: ['All Privileges - Super Administrator'] }],
    },
    {
      id: '9a7806061c88ada191ed06f989cc3dac',
      name: 'Initech',
      members: [{ user: 'alice@example.com', roles: ['All Privileges - Super Administrator'] }],
    },
  ],
  invites: [
    {
      id: GLOBEX_INVITE,
      organization: 'Globex',
      to: 'admin@example.com',
      roles: ['Administrator', 'Billing'],
      invited_by: 'alice@example.com',
      expires_on: '2099-01-01T00:00:00Z',
    },
    {
      id: INITECH_INVITE,
      organization: 'Initech',
      to: 'admin@example.com',
      roles: ['DNS'],
      invited_by: 'alice@example.com',
      expires_on: '2099-02-01T00:00:00Z',
    },
  ],
};

let t: DashboardTest | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});
afterAll(closeBrowser);

async function openInvites(options: Parameters<typeof startDashboardTest>[0] = { fixture }) {
  t = await startDashboardTest(options);
  await t.signIn();
  await t.page.goto(`${t.dashboard}/invites`);
  await t.page.getByRole('heading', { level: 1, name: 'Invites' }).waitFor();
  const cf = officialSdk(t.uf);
  return { t, page: t.page, cf };
}

describe('Invites', () => {
  it('shows a pending invite with its organisation, inviter, roles and expiry, and Accept makes the account appear under Accounts', async () => {
    const { t, page, cf } = await openInvites();
    const invite = page.getByRole('article', { name: 'Globex' });
    await invite.waitFor();
    await expect.poll(() => invite.textContent()).toContain('Invited by alice@example.com');
    expect(await invite.textContent()).toContain('Administrator');
    expect(await invite.textContent()).toContain('Billing');
    // The expiry is relative, with the exact UTC time as its accessible name (hover and focus).
    await invite.getByRole('button', { name: /2099-01-01 00:00:00 UTC/ }).waitFor();
    await expectAccessible(page);

    await page.getByRole('button', { name: 'Accept the invite to Globex' }).click();
    await page.getByText('You joined Globex').waitFor();
    expect((await cf.user.invites.get(GLOBEX_INVITE)).status).toBe('accepted');
    await expect.poll(() => invite.count()).toBe(0);
    await expectAccessible(page);

    await page.getByRole('link', { name: 'Go to Accounts' }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Accounts' }).waitFor();
    const row = page.getByRole('row', { name: /Globex/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('Member');
    const globex = (await cf.user.organizations.list()).result.find((org) => org.name === 'Globex');
    expect(globex).toMatchObject({ status: 'member', roles: ['Administrator', 'Billing'] });
    await t.expectClean();
  });

  it('rejects an invite with the keyboard after a confirmation: it leaves the inbox and the SDK shows it rejected', async () => {
    const { t, page, cf } = await openInvites();
    const reject = page.getByRole('button', { name: 'Reject the invite to Initech' });
    await reject.waitFor();

    await tabTo(page, reject);
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Reject the invite to Initech?' });
    await dialog.waitFor();
    await expectAccessible(page);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect((await cf.user.invites.get(INITECH_INVITE)).status).toBe('pending');

    await tabTo(page, reject);
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    await tabTo(page, dialog.getByRole('button', { name: 'Reject invite' }));
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => page.getByRole('article', { name: 'Initech' }).count()).toBe(0);
    expect((await cf.user.invites.get(INITECH_INVITE)).status).toBe('rejected');
    // The other invite is untouched.
    expect((await cf.user.invites.get(GLOBEX_INVITE)).status).toBe('pending');
    await page.getByRole('article', { name: 'Globex' }).waitFor();
    await t.expectClean();
  });

  it('shows Cloudflare’s error when an invite can no longer be answered', async () => {
    const { t, page, cf } = await openInvites();
    await page.getByRole('article', { name: 'Globex' }).waitFor();
    // Answered elsewhere while the page was open.
    await cf.user.invites.edit(GLOBEX_INVITE, { status: 'rejected' });
    await page.getByRole('button', { name: 'Accept the invite to Globex' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'The invite could not be accepted' });
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/already rejected.*\(code \d+\)/);
    await expect.poll(() => page.getByRole('article', { name: 'Globex' }).count()).toBe(0);
    await t.expectClean();
  });

  it('disables Accept and Reject, saying why, for a token that may only read memberships', async () => {
    t = await startDashboardTest({ fixture });
    await t.signIn(await narrowToken(t.uf, MEMBERSHIPS_READ, 'com.cloudflare.api.user.*'));
    await t.page.goto(`${t.dashboard}/invites`);
    const accept = t.page.getByRole('button', { name: 'Accept the invite to Globex' });
    await accept.waitFor();
    expect(await accept.isDisabled()).toBe(true);
    expect(await t.page.getByRole('button', { name: 'Reject the invite to Globex' }).isDisabled()).toBe(true);
    const reason = t.page.getByText(/^Accept and Reject are disabled: .+/);
    await reason.waitFor();
    expect(await accept.getAttribute('aria-describedby')).toBe(await reason.getAttribute('id'));
    await t.expectClean();
  });

  it('says "No pending invites" when there is nothing to answer', async () => {
    const { t, page } = await openInvites({});
    await page.getByText('No pending invites').waitFor();
    await page.getByRole('link', { name: 'Go to Accounts' }).waitFor();
    await expectAccessible(page);
    await t.expectClean();
  });
});
