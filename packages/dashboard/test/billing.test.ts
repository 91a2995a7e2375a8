import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  closeBrowser,
  type DashboardTest,
  expectAccessible,
  startDashboardTest,
} from './helpers/dashboard.js';
import { tabTo } from './helpers/keyboard.js';
import { narrowToken, officialSdk } from './helpers/seed.js';

const PRO = '506e3185e9c882d175a2d0cb0093d9f2';
const BUSINESS = '7e6e3185e9c882d175a2d0cb0093d9f3';

const BILLING_READ = '7cf72faf220841aabcfdfab81c43c4f6';

const fixture = {
  rate_plans: [
    { id: 'pro_promo', public_name: 'Pro Plan (promotion)', tier: 'pro' as const, prices: { monthly: 20 } },
  ],
  subscriptions: [
    {
      id: PRO,
      user: 'admin@example.com',
      rate_plan: 'pro',
      frequency: 'monthly' as const,
      zone: { name: 'example.com' },
    },
    {
      id: BUSINESS,
      user: 'admin@example.com',
      rate_plan: 'business',
      frequency: 'yearly' as const,
      zone: { name: 'shop.example.com' },
    },
  ],
  billing_history: [
    {
      user: 'admin@example.com',
      action: 'subscription',
      type: 'charge',
      amount: 2400,
      description: 'Business Plan (yearly)',
      occurred_at: '2026-10-01T12:00:00Z',
      zone: { name: 'shop.example.com' },
    },
    {
      user: 'admin@example.com',
      action: 'payment',
      type: 'credit',
      amount: -25,
      description: 'Card payment, thank you',
      occurred_at: '2026-10-02T08:30:00Z',
    },
    {
      user: 'admin@example.com',
      action: 'subscription',
      type: 'charge',
      amount: 19.5,
      currency: 'EUR',
      description: 'Workers Paid',
      occurred_at: '2026-10-03T08:30:00Z',
    },
  ],
  billing_profiles: [
    {
      user: 'admin@example.com',
      first_name: 'Ada',
      last_name: 'Admin',
      address: '101 Townsend St',
      city: 'San Francisco',
      zipcode: '94107',
      country: 'US',
      company: 'Acme Corp',
      card_number: '4242424242424242',
      card_expiry_month: 3,
      card_expiry_year: 2099,
      vat: 'GB123456789',
    },
  ],
};

let t: DashboardTest | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});
afterAll(closeBrowser);

async function openBilling(options: Parameters<typeof startDashboardTest>[0] = { fixture }, query = '') {
  t = await startDashboardTest(options);
  await t.signIn();
  await t.page.goto(`${t.dashboard}/billing${query}`);
  await t.page.getByRole('heading', { level: 1, name: 'Billing' }).waitFor();
  const cf = officialSdk(t.uf);
  const subscription = async (id: string) =>
    (await cf.user.subscriptions.get()).result.find((s) => s.id === id);
  return { t, page: t.page, cf, subscription };
}

describe('Billing: subscriptions', () => {
  it('lists each subscription with plan, price, frequency and state; a plan and frequency changed in the UI is what the SDK sees', async () => {
    const { t, page, subscription } = await openBilling();
    const row = page.getByRole('row', { name: /example\.com/ }).filter({ hasText: 'Pro Plan' });
    await row.waitFor();
    const text = await row.textContent();
    expect(text).toContain('$25.00 / month');
    expect(text).toContain('Monthly');
    expect(text).toContain('Paid');
    expect(await page.getByRole('row', { name: /shop\.example\.com/ }).textContent()).toContain(
      '$2,400.00 / year',
    );
    await expectAccessible(page);

    await page.getByRole('button', { name: 'Change Pro Plan for example.com' }).click();
    const dialog = page.getByRole('dialog', { name: 'Change Pro Plan' });
    await dialog.waitFor();
    const save = dialog.getByRole('button', { name: 'Save changes' });
    expect(await save.isDisabled()).toBe(true);
    await dialog.getByRole('radio', { name: 'Business Plan', exact: true }).click();
    await dialog.getByRole('radio', { name: 'Yearly' }).click();
    await expectAccessible(page);
    await save.click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByText('is now Business Plan, billed yearly at $2,400.00 / year').waitFor();

    expect(await subscription(PRO)).toMatchObject({
      rate_plan: { id: 'business' },
      frequency: 'yearly',
      price: 2400,
    });
    await t.expectClean();
  });

  it('offers the server’s own plans once the emulator is unlocked', async () => {
    t = await startDashboardTest({ fixture });
    await t.unlockEmulator();
    await t.signIn();
    await t.page.goto(`${t.dashboard}/billing`);
    const page = t.page;
    await page.getByRole('button', { name: 'Change Pro Plan for example.com' }).click();
    const dialog = page.getByRole('dialog', { name: 'Change Pro Plan' });
    await dialog.getByRole('radio', { name: 'Pro Plan (promotion)' }).click();
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const cf = officialSdk(t.uf);
    const after = (await cf.user.subscriptions.get()).result.find((s) => s.id === PRO);
    expect(after).toMatchObject({ rate_plan: { id: 'pro_promo' }, frequency: 'monthly', price: 20 });
    await t.expectClean();
  });

  it('shows Cloudflare’s error in the dialog when the API refuses the change', async () => {
    const { t, page, cf } = await openBilling();
    await page.getByRole('button', { name: 'Change Pro Plan for example.com' }).click();
    const dialog = page.getByRole('dialog', { name: 'Change Pro Plan' });
    await dialog.waitFor();
    // Cancelled elsewhere while the dialog was open.
    await cf.user.subscriptions.delete(PRO);
    await dialog.getByRole('radio', { name: 'Quarterly' }).click();
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    const alert = dialog.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('code 7003');
    expect(await dialog.isVisible()).toBe(true);
    await t.expectClean();
  });

  it('cancels a subscription with the keyboard after a confirmation; the SDK no longer lists it', async () => {
    const { t, page, subscription } = await openBilling();
    const cancel = page.getByRole('button', { name: 'Cancel Business Plan for shop.example.com' });
    await cancel.waitFor();

    await tabTo(page, cancel);
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Cancel Business Plan for shop.example.com?' });
    await dialog.waitFor();
    await expectAccessible(page);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await subscription(BUSINESS)).toBeDefined();

    await tabTo(page, cancel);
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    await tabTo(page, dialog.getByRole('button', { name: 'Cancel subscription' }));
    await page.keyboard.press('Enter');
    await page.getByText('Business Plan for shop.example.com is cancelled.').waitFor();
    await expect.poll(() => subscription(BUSINESS)).toBeUndefined();
    expect(await subscription(PRO)).toBeDefined();
    await expect.poll(() => page.getByRole('row', { name: /shop\.example\.com/ }).count()).toBe(0);
    await t.expectClean();
  });
});

describe('Billing: a narrow token', () => {
  it('disables Change and Cancel, saying why, for a token that may only read billing', async () => {
    t = await startDashboardTest({ fixture });
    await t.signIn(await narrowToken(t.uf, BILLING_READ, 'com.cloudflare.api.account.*'));
    await t.page.goto(`${t.dashboard}/billing`);
    const change = t.page.getByRole('button', { name: 'Change Pro Plan for example.com' });
    await change.waitFor();
    expect(await change.isDisabled()).toBe(true);
    expect(await t.page.getByRole('button', { name: 'Cancel Pro Plan for example.com' }).isDisabled()).toBe(
      true,
    );
    await t.page.getByText(/^Change is disabled: .+/).waitFor();
    await t.page.getByText(/^Cancel is disabled: .+/).waitFor();
    await expectAccessible(t.page);
    await t.expectClean();
  });
});

describe('Billing: history and profile', () => {
  it('shows the billing history with each amount in its own currency', async () => {
    const { t, page } = await openBilling();
    await page.getByRole('tab', { name: 'Billing history' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('tab')).toBe('history');
    const business = page.getByRole('row', { name: /Business Plan \(yearly\)/ });
    await business.waitFor();
    expect(await business.textContent()).toContain('$2,400.00');
    expect(await business.textContent()).toContain('shop.example.com');
    expect(await page.getByRole('row', { name: /Card payment/ }).textContent()).toContain('-$25.00');
    expect(await page.getByRole('row', { name: /Workers Paid/ }).textContent()).toContain('€19.50');
    // Newest first, each date relative with the exact UTC time on focus.
    await page.getByRole('button', { name: /2026-10-03 08:30:00 UTC/ }).waitFor();
    await expectAccessible(page);
    await t.expectClean();
  });

  it('shows the billing profile read-only, with only the card’s last four digits', async () => {
    const { t, page } = await openBilling({ fixture }, '?tab=profile');
    await page.getByText('101 Townsend St').waitFor();
    const panel = page.getByRole('region', { name: 'Billing profile' });
    const text = await panel.textContent();
    expect(text).toContain('Ada Admin');
    expect(text).toContain('•••• 4242');
    expect(text).not.toContain('4242424242424242');
    expect(text).toContain('03/2099');
    expect(text).toContain('GB123456789');
    expect(await panel.getByRole('textbox').count()).toBe(0);
    await expectAccessible(page);
    await t.expectClean();
  });

  it('shows empty states when there are no subscriptions, no history and no billing profile', async () => {
    const { t, page } = await openBilling({});
    await page.getByText('No active subscriptions').waitFor();
    await expectAccessible(page);

    await tabTo(page, page.getByRole('tab', { name: 'Subscriptions' }));
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    await page.getByText('No billing history').waitFor();
    await expectAccessible(page);

    await page.getByRole('tab', { name: 'Billing profile' }).click();
    await page.getByText('No billing profile').waitFor();
    // What the server knows without a profile: the user's email.
    expect(await page.getByRole('region', { name: 'Billing profile' }).textContent()).toContain(t.uf.email);
    await expectAccessible(page);
    await t.expectClean();
  });
});
