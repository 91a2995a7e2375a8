import type Cloudflare from 'cloudflare';
import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  closeBrowser,
  type DashboardTest,
  expectAccessible,
  startDashboardTest,
} from './helpers/dashboard.js';
import { isFocused, tabTo } from './helpers/keyboard.js';
import { createToken, officialSdk } from './helpers/seed.js';
import { text } from './helpers/text.js';

// Create Token and Token detail/Edit (issue 13, research §1.2 and §5 items 3–4): driven in Chromium,
// checked through the official SDK.

const GROUPS = {
  dnsWrite: '4755a26eedb94da69e1066d98aa820be',
  dnsRead: '82e64a83756745bbbb1c9c2701bf816b',
  zoneRead: 'c8fed203ed3043cba015a93ad1616f1f',
  billingRead: '7cf72faf220841aabcfdfab81c43c4f6',
  accountSettingsRead: 'c1fde68c7bcc44588cbb6ddbc16d6480',
  userDetailsRead: '8acbe5bb0d54464ab867149d7f7cf8ac',
  apiTokensRead: '0cc3a61731504c89b99ec1be78b77aa0',
  r2BucketItemRead: '6a018a9f2fc74eb6b293b0c548f38b39',
} as const;

const ACME = '023e105f4ecef8ad9ca31a8372d0c353';
const GLOBEX = '5a7805061c76ada191ed06f989cc3dac';
const ZONE = '9a7806061c88ada191ed06f989cc3dac';
const OTHER_ZONE = '0da42c8d2132a9ddaf714f9e7c920711';
const SUPER = ['All Privileges - Super Administrator'];
const FIXTURE = {
  organizations: [
    { id: ACME, name: 'Acme Corp', members: [{ user: 'admin@example.com', roles: SUPER }] },
    { id: GLOBEX, name: 'Globex', members: [{ user: 'admin@example.com', roles: SUPER }] },
  ],
};

const TEMPLATE_NAMES = [
  'Edit zone DNS',
  'Read billing info',
  'Read analytics and logs',
  'Edit Cloudflare Workers',
  'Edit load balancing configuration',
  'WordPress',
  'Create Additional Tokens',
  'Read all resources',
];

const policyGroup = (page: Page, position: number) =>
  page.getByRole('group', { name: `Policy ${position}`, exact: true });

/** Opens a Kumo Select and clicks one of its options. */
async function choose(page: Page, trigger: Locator, option: string): Promise<void> {
  await trigger.click();
  await page.getByRole('option', { name: option, exact: true }).click();
  await expect.poll(() => text(trigger)).toContain(option);
}

/** Types into a policy's permission picker (a combobox), picks the permission, then its access level. */
async function pickPermission(page: Page, policy: Locator, line: number, name: string, level: string) {
  const input = policy.getByRole('combobox', { name: 'Permission group' }).nth(line);
  await input.fill(name.slice(0, 4));
  await page.getByRole('option', { name, exact: true }).click();
  await expect(input.inputValue()).resolves.toBe(name);
  await choose(page, policy.getByRole('combobox', { name: 'Access' }).nth(line), level);
}

/**
 * axe in both themes, with CSS transitions off: expectAccessible switches the theme and measures at
 * once, and a colour still fading between the themes reads as low contrast. A constructed stylesheet
 * is not an inline style, so the page's CSP allows it.
 */
async function accessible(page: Page): Promise<void> {
  await page.evaluate(() => {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync('*, *::before, *::after { transition: none !important; animation: none !important; }');
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  });
  await expectAccessible(page);
}

const summaryLines = (page: Page) => page.getByRole('list', { name: 'Permissions' }).getByRole('listitem');

/** The secret shown by the one-time dialog. */
async function createdValue(page: Page): Promise<string> {
  const dialog = page.getByRole('alertdialog');
  await dialog.waitFor();
  return text(dialog.getByTestId('created-token-value'));
}

/** Strips what the server generates, for comparing a token before and after a save. */
function stable(token: Awaited<ReturnType<Cloudflare['user']['tokens']['get']>>) {
  const { modified_on: _modified, last_used_on: _used, ...rest } = token;
  return rest;
}

let t: DashboardTest | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});
afterAll(closeBrowser);

describe('Create Token', () => {
  it('creates a token from the Edit zone DNS template; the value shows once and verifies with the official SDK', async () => {
    t = await startDashboardTest({ fixture: FIXTURE });
    const { page, uf, context } = t;
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(uf.url).origin });
    await t.signIn();
    await page.goto(`${t.dashboard}/tokens/new`);
    const templates = page.getByRole('heading', { level: 3 });
    await templates.first().waitFor();
    expect(await templates.allTextContents()).toEqual([...TEMPLATE_NAMES, 'Create Custom Token']);
    await accessible(page);

    await page.getByRole('button', { name: 'Use template: Edit zone DNS' }).click();
    await expect(page.getByRole('textbox', { name: 'Token name' }).inputValue()).resolves.toBe(
      'Edit zone DNS',
    );
    const policy = policyGroup(page, 1);
    expect(await text(policy.getByRole('combobox', { name: 'Resource type' }))).toBe('Zone');
    await expect(policy.getByRole('combobox', { name: 'Permission group' }).inputValue()).resolves.toBe(
      'DNS',
    );
    expect(await text(policy.getByRole('combobox', { name: 'Access' }))).toBe('Edit');
    expect(await text(policy.getByRole('combobox', { name: 'Resource', exact: true }))).toBe('Specific zone');
    // Cloudflare's template asks for the zone: Create waits for it, and says so.
    const create = page.getByRole('button', { name: 'Create Token' });
    expect(await create.isDisabled()).toBe(true);
    expect(await text(page.locator('#token-form-reason'))).toContain('Policy 1, resource 1: Enter a zone ID');
    await policy.getByLabel('Zone ID').fill(ZONE);
    expect(await create.isDisabled()).toBe(false);
    await accessible(page);

    await page.getByRole('button', { name: 'Continue to summary' }).click();
    expect(await summaryLines(page).allTextContents()).toEqual([`DNS: Edit on zone ${ZONE}`]);
    expect(await text(page.getByTestId('summary-ip'))).toBe('from any IP address');
    expect(await text(page.getByTestId('summary-ttl'))).toBe(
      'valid from the moment it is created; never expires',
    );
    await accessible(page);

    await create.click();
    const value = await createdValue(page);
    expect(value.length).toBeGreaterThanOrEqual(40);
    const dialog = page.getByRole('alertdialog');
    expect(await text(dialog.locator('pre').nth(1))).toBe(
      `curl '${uf.baseURL}/user/tokens/verify' -H 'Authorization: Bearer ${value}'`,
    );
    await dialog.getByRole('button', { name: 'Copy token' }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(value);
    await accessible(page);

    // Not dismissed by accident: Escape and a click on the backdrop leave it open.
    await page.keyboard.press('Escape');
    await page.mouse.click(5, 5);
    await page.waitForTimeout(300);
    expect(await dialog.isVisible()).toBe(true);
    expect(await createdValue(page)).toBe(value);

    const verified = await officialSdk(uf, value).user.tokens.verify();
    expect(verified.status).toBe('active');
    const stored = await officialSdk(uf).user.tokens.get(verified.id);
    expect(stored.name).toBe('Edit zone DNS');
    expect(
      stored.policies?.map(({ effect, permission_groups, resources }) => ({
        effect,
        groups: permission_groups.map((g) => g.id),
        resources,
      })),
    ).toEqual([
      {
        effect: 'allow',
        groups: [GROUPS.dnsWrite],
        resources: { [`com.cloudflare.api.account.zone.${ZONE}`]: '*' },
      },
    ]);

    // The value lives in the page's memory only: a reload, or leaving and coming back, never shows it.
    await page.reload();
    await page.getByRole('textbox', { name: 'Token name' }).waitFor();
    expect(await page.getByTestId('created-token-value').count()).toBe(0);
    expect(await page.content()).not.toContain(value);
    await t.expectClean();
  }, 120_000);

  it('closes the value dialog only by its button, then Back does not bring the value back', async () => {
    t = await startDashboardTest({ fixture: FIXTURE });
    const { page } = t;
    await t.signIn();
    await page.goto(`${t.dashboard}/tokens/new?template=read-billing-info`);
    await page.getByRole('button', { name: 'Create Token' }).click();
    const value = await createdValue(page);
    await page.getByRole('button', { name: 'I have copied it' }).click();
    await page.getByRole('heading', { level: 1, name: 'API Tokens' }).waitFor();
    await page.goBack();
    await page.waitForTimeout(300);
    expect(await page.content()).not.toContain(value);
    await page.goForward();
    await page.getByRole('heading', { level: 1, name: 'API Tokens' }).waitFor();
    expect(await page.content()).not.toContain(value);
    await t.expectClean();
  });

  it('builds a custom token: allow and deny policies, an IP filter checked as typed, TTL days at 00:00 UTC', async () => {
    t = await startDashboardTest({ fixture: FIXTURE });
    const { page, uf } = t;
    await t.signIn();
    await page.goto(`${t.dashboard}/tokens/new`);
    await page.getByRole('button', { name: 'Get started: Create Custom Token' }).click();
    const create = page.getByRole('button', { name: 'Create Token' });
    const reason = page.locator('#token-form-reason');
    await page.getByRole('textbox', { name: 'Token name' }).fill('CI deploy');
    expect(await create.isDisabled()).toBe(true);
    expect(await text(reason)).toContain('Choose at least one permission.');

    const first = policyGroup(page, 1);
    await pickPermission(page, first, 0, 'DNS', 'Edit');
    expect(await create.isDisabled()).toBe(false);
    await first.getByRole('button', { name: 'Add resource' }).click();
    expect(await text(first.getByRole('combobox', { name: 'Include or exclude' }).nth(1))).toBe('Exclude');
    await choose(
      page,
      first.getByRole('combobox', { name: 'Resource', exact: true }).nth(1),
      'Specific zone',
    );
    await first.getByLabel('Zone ID').fill(ZONE);

    await page.getByRole('button', { name: 'Add policy' }).click();
    const second = policyGroup(page, 2);
    await choose(page, second.getByRole('combobox', { name: 'Resource type' }), 'Account');
    await pickPermission(page, second, 0, 'Billing', 'Read');
    await second.getByRole('button', { name: 'Add permission' }).click();
    await pickPermission(page, second, 1, 'Account Settings', 'Read');
    await choose(page, second.getByRole('combobox', { name: 'Resource', exact: true }), 'Specific account');
    await choose(page, second.getByRole('combobox', { name: 'Account', exact: true }), `Acme Corp (${ACME})`);

    const addIp = page.getByRole('button', { name: 'Add IP filter' });
    await addIp.click();
    await page
      .getByRole('group', { name: 'IP filter 1' })
      .getByLabel('IP address or CIDR range')
      .fill('10.0.0.0/8');
    await addIp.click();
    const notIn = page.getByRole('group', { name: 'IP filter 2' });
    await choose(page, notIn.getByRole('combobox', { name: 'Operator' }), 'Is not in');
    await notIn.getByLabel('IP address or CIDR range').fill('10.1.0.0/16');
    // A CIDR is checked as it is typed: the error sits at the field and Create waits.
    await addIp.click();
    const bad = page.getByRole('group', { name: 'IP filter 3' }).getByLabel('IP address or CIDR range');
    await bad.pressSequentially('10.0.0.300');
    expect(await bad.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await bad.getAttribute('aria-describedby')) ?? '';
    const described = await Promise.all(
      describedBy.split(' ').map((id) => text(page.locator(`[id="${id}"]`))),
    );
    expect(described.join(' ')).toContain('"10.0.0.300" is not an IPv4 or IPv6 address');
    expect(await create.isDisabled()).toBe(true);
    expect(await text(reason)).toContain('IP filter 3: "10.0.0.300" is not an IPv4 or IPv6 address');
    await page.getByRole('button', { name: 'Remove IP filter 3' }).click();
    expect(await create.isDisabled()).toBe(false);

    await page.getByLabel('Start date').fill('2030-01-10');
    await page.getByLabel('End date').fill('2030-01-01');
    expect(await page.getByLabel('End date').getAttribute('aria-invalid')).toBe('true');
    expect(await create.isDisabled()).toBe(true);
    await page.getByLabel('End date').fill('2030-06-30');
    await accessible(page);

    await page.getByRole('button', { name: 'Continue to summary' }).click();
    expect(await summaryLines(page).allTextContents()).toEqual([
      `DNS: Edit on all zones, except zone ${ZONE}`,
      `Billing: Read and Account Settings: Read on account Acme Corp (${ACME})`,
    ]);
    expect(await text(page.getByTestId('summary-ip'))).toBe('from 10.0.0.0/8 but not 10.1.0.0/16');
    expect(await text(page.getByTestId('summary-ttl'))).toBe(
      'valid from 2030-01-10 00:00:00 UTC until 2030-06-30 00:00:00 UTC',
    );
    // Back to the form and again: nothing is lost.
    await page.getByRole('button', { name: 'Edit token' }).click();
    await expect(page.getByRole('textbox', { name: 'Token name' }).inputValue()).resolves.toBe('CI deploy');
    await page.getByRole('button', { name: 'Continue to summary' }).click();
    await create.click();
    await createdValue(page);

    const cf = officialSdk(uf);
    const tokens = [];
    for await (const token of cf.user.tokens.list()) tokens.push(token);
    const made = tokens.find((token) => token.name === 'CI deploy');
    expect(
      made?.policies?.map(({ effect, permission_groups, resources }) => ({
        effect,
        groups: permission_groups.map((g) => g.id),
        resources,
      })),
    ).toEqual([
      { effect: 'allow', groups: [GROUPS.dnsWrite], resources: { 'com.cloudflare.api.account.zone.*': '*' } },
      {
        effect: 'deny',
        groups: [GROUPS.dnsWrite],
        resources: { [`com.cloudflare.api.account.zone.${ZONE}`]: '*' },
      },
      {
        effect: 'allow',
        groups: [GROUPS.billingRead, GROUPS.accountSettingsRead],
        resources: { [`com.cloudflare.api.account.${ACME}`]: '*' },
      },
    ]);
    expect(made?.condition).toEqual({ request_ip: { in: ['10.0.0.0/8'], not_in: ['10.1.0.0/16'] } });
    expect(made?.not_before).toBe('2030-01-10T00:00:00Z');
    expect(made?.expires_on).toBe('2030-06-30T00:00:00Z');
    await t.expectClean();
  }, 120_000);

  it('prefills the form from a Cloudflare template link, and reports a key it does not know', async () => {
    t = await startDashboardTest({ fixture: FIXTURE });
    const { page } = t;
    await t.signIn();
    await page.goto(
      `${t.dashboard}/tokens/new?permissionGroupKeys=[{"key":"dns","type":"edit"}]&name=CI&accountId=*&zoneId=all`,
    );
    await expect(page.getByRole('textbox', { name: 'Token name' }).inputValue()).resolves.toBe('CI');
    await page.getByRole('button', { name: 'Continue to summary' }).click();
    expect(await summaryLines(page).allTextContents()).toEqual(['DNS: Edit on all zones']);

    const keys = JSON.stringify([
      { key: 'account_settings', type: 'read' },
      { key: 'zone', type: 'read' },
      { key: 'workers_r2', type: 'edit' },
      { key: 'cache_purge', type: 'purge' },
      { key: 'teleport', type: 'edit' },
      { key: 'billing', type: 'run' },
    ]);
    await page.goto(
      `${t.dashboard}/tokens/new?permissionGroupKeys=${encodeURIComponent(keys)}&name=Link&accountId=${GLOBEX}&zoneId=all`,
    );
    await expect(page.getByRole('textbox', { name: 'Token name' }).inputValue()).resolves.toBe('Link');
    const problems = page.getByText('Not everything asked for could be filled in').locator('..');
    expect(await text(problems)).toContain('Unknown permission key "teleport": not added');
    expect(await text(problems)).toContain('"billing" has no "run" access');
    await accessible(page);
    await page.getByRole('button', { name: 'Continue to summary' }).click();
    expect(await summaryLines(page).allTextContents()).toEqual([
      `Account Settings: Read and Workers R2 Storage: Edit on account Globex (${GLOBEX})`,
      `Zone: Read and Cache: Purge on all zones of account Globex (${GLOBEX})`,
    ]);
    await t.expectClean();
  });

  it('shows a server refusal at the field it names', async () => {
    t = await startDashboardTest({ fixture: FIXTURE });
    const { page } = t;
    await t.signIn();
    await page.goto(`${t.dashboard}/tokens/new?template=read-billing-info`);
    await page.getByLabel('End date').fill('2001-01-01');
    await page.getByRole('button', { name: 'Create Token' }).click();
    const end = page.getByLabel('End date');
    await expect.poll(() => end.getAttribute('aria-invalid')).toBe('true');
    expect(await isFocused(end)).toBe(true);
    const describedBy = (await end.getAttribute('aria-describedby')) ?? '';
    expect(await text(page.locator(`[id="${describedBy.split(' ').at(-1)}"]`))).toBe(
      'The server refused it: must be in the future',
    );
    await t.expectClean();
  });

  it('creates a custom token with the keyboard alone, and the value dialog ignores Escape', async () => {
    t = await startDashboardTest({ fixture: FIXTURE });
    const { page, uf } = t;
    await t.signIn();
    await page.goto(`${t.dashboard}/tokens/new`);
    await tabTo(page, page.getByRole('button', { name: 'Get started: Create Custom Token' }));
    await page.keyboard.press('Enter');
    const name = page.getByRole('textbox', { name: 'Token name' });
    await name.waitFor();
    await tabTo(page, name);
    await page.keyboard.type('keyboard token');
    const policy = policyGroup(page, 1);
    const scope = policy.getByRole('combobox', { name: 'Resource type' });
    await tabTo(page, scope);
    await page.keyboard.press('Enter');
    const account = page.getByRole('option', { name: 'Account', exact: true });
    await account.waitFor();
    // The list opens on the current choice (Zone); Account is above it.
    for (let presses = 0; presses < 5 && !(await isFocused(account)); presses++)
      await page.keyboard.press('ArrowUp');
    expect(await isFocused(account)).toBe(true);
    await page.keyboard.press('Enter');
    await expect.poll(() => text(scope)).toBe('Account');
    const picker = policy.getByRole('combobox', { name: 'Permission group' });
    await tabTo(page, picker);
    await page.keyboard.type('Billing');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await expect.poll(() => picker.inputValue()).toBe('Billing');
    expect(await text(policy.getByRole('combobox', { name: 'Access' }))).toBe('Read');
    const summary = page.getByRole('button', { name: 'Continue to summary' });
    await tabTo(page, summary);
    await page.keyboard.press('Enter');
    await summaryLines(page).first().waitFor();
    expect(await summaryLines(page).allTextContents()).toEqual(['Billing: Read on all accounts']);
    expect(await isFocused(page.getByRole('heading', { name: 'Summary' }))).toBe(true);
    await tabTo(page, page.getByRole('button', { name: 'Create Token' }));
    await page.keyboard.press('Enter');
    const value = await createdValue(page);
    await page.keyboard.press('Escape');
    expect(await page.getByRole('alertdialog').isVisible()).toBe(true);
    await tabTo(page, page.getByRole('button', { name: 'I have copied it' }), 20);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'API Tokens' }).waitFor();
    expect((await officialSdk(uf, value).user.tokens.verify()).status).toBe('active');
    await t.expectClean();
  });

  it('keeps Create disabled, with the reason, for a credential without API Tokens Write', async () => {
    t = await startDashboardTest({ fixture: FIXTURE });
    const { page, uf } = t;
    const me = await officialSdk(uf).user.get();
    const reader = await createToken(officialSdk(uf), 'token reader', {
      groups: [GROUPS.apiTokensRead, GROUPS.userDetailsRead],
      resource: `com.cloudflare.api.user.${me.id}`,
    });
    await t.signIn(reader.value);
    await page.goto(`${t.dashboard}/tokens/new?template=read-billing-info`);
    const create = page.getByRole('button', { name: 'Create Token' });
    await create.waitFor();
    expect(await create.isDisabled()).toBe(true);
    expect(await text(page.locator('#token-form-reason'))).toContain(
      'Creating tokens is not allowed for this credential',
    );
    await t.expectClean();
  });

  it('explains that a credential without API Tokens Read cannot read the permission group catalogue', async () => {
    t = await startDashboardTest({ fixture: FIXTURE });
    const { page, uf } = t;
    const me = await officialSdk(uf).user.get();
    const narrow = await createToken(officialSdk(uf), 'user details only', {
      groups: [GROUPS.userDetailsRead],
      resource: `com.cloudflare.api.user.${me.id}`,
    });
    await t.signIn(narrow.value);
    await page.goto(`${t.dashboard}/tokens/new?template=custom`);
    const alert = page.getByRole('alert').filter({ hasText: 'cannot read the permission group catalogue' });
    await alert.waitFor();
    expect(await text(alert)).toContain('API Tokens Read');
    await accessible(page);
    await t.expectClean();
  });
});

describe('Token detail / Edit', () => {
  it('opens a token with every value, and a save changes exactly what was changed', async () => {
    t = await startDashboardTest({ fixture: FIXTURE });
    const { page, uf } = t;
    const cf = officialSdk(uf);
    const me = await cf.user.get();
    const nestedZones = {
      [`com.cloudflare.api.account.zone.${ZONE}`]: '*',
      [`com.cloudflare.api.account.zone.${OTHER_ZONE}`]: '*',
    };
    const created = await cf.user.tokens.create({
      name: 'everything set',
      policies: [
        {
          effect: 'allow',
          permission_groups: [{ id: GROUPS.dnsWrite }, { id: GROUPS.zoneRead }],
          resources: { 'com.cloudflare.api.account.zone.*': '*' },
        },
        {
          effect: 'deny',
          permission_groups: [{ id: GROUPS.dnsWrite }, { id: GROUPS.zoneRead }],
          resources: { [`com.cloudflare.api.account.zone.${ZONE}`]: '*' },
        },
        {
          effect: 'allow',
          permission_groups: [{ id: GROUPS.dnsRead }],
          resources: { [`com.cloudflare.api.account.${ACME}`]: { 'com.cloudflare.api.account.zone.*': '*' } },
        },
        {
          effect: 'allow',
          permission_groups: [{ id: GROUPS.billingRead }],
          resources: { [`com.cloudflare.api.account.${GLOBEX}`]: '*' },
        },
        {
          effect: 'allow',
          permission_groups: [{ id: GROUPS.userDetailsRead }],
          resources: { [`com.cloudflare.api.user.${me.id}`]: '*' },
        },
        {
          effect: 'allow',
          permission_groups: [{ id: GROUPS.accountSettingsRead }],
          // Zones of one account listed one by one: a shape the form cannot express.
          resources: { [`com.cloudflare.api.account.${ACME}`]: nestedZones },
        },
      ],
      condition: { request_ip: { in: ['10.0.0.0/8', '2001:db8::/32'], not_in: ['10.1.0.0/16'] } },
      not_before: '2030-01-01T05:20:00Z',
      expires_on: '2031-01-01T00:00:00Z',
    });
    const tokenId = created.id;
    if (!tokenId) throw new Error('the SDK returned a token without an id');
    await cf.user.tokens.update(tokenId, {
      name: created.name,
      policies: created.policies,
      condition: created.condition,
      not_before: created.not_before,
      expires_on: created.expires_on,
      status: 'disabled',
    } as Parameters<typeof cf.user.tokens.update>[1]);
    const before = await cf.user.tokens.get(tokenId);

    await t.signIn();
    await page.goto(`${t.dashboard}/tokens/${tokenId}`);
    const name = page.getByRole('textbox', { name: 'Token name' });
    await expect(name.inputValue()).resolves.toBe('everything set');
    const zonePolicy = policyGroup(page, 1);
    const pickers = zonePolicy.getByRole('combobox', { name: 'Permission group' });
    expect(await Promise.all([pickers.nth(0).inputValue(), pickers.nth(1).inputValue()])).toEqual([
      'DNS',
      'Zone',
    ]);
    const levels = zonePolicy.getByRole('combobox', { name: 'Access' });
    expect(await levels.allTextContents()).toEqual(['Edit', 'Read']);
    expect(await zonePolicy.getByRole('combobox', { name: 'Include or exclude' }).allTextContents()).toEqual([
      'Include',
      'Exclude',
    ]);
    await expect(zonePolicy.getByLabel('Zone ID').inputValue()).resolves.toBe(ZONE);
    const nested = policyGroup(page, 2);
    expect(await text(nested.getByRole('combobox', { name: 'Resource', exact: true }))).toBe(
      'All zones from an account',
    );
    expect(await text(nested.getByRole('combobox', { name: 'Account', exact: true }))).toBe(
      `Acme Corp (${ACME})`,
    );
    expect(await text(policyGroup(page, 3).getByRole('combobox', { name: 'Account', exact: true }))).toBe(
      `Globex (${GLOBEX})`,
    );
    expect(await text(policyGroup(page, 4).getByRole('combobox', { name: 'Resource', exact: true }))).toBe(
      'You (admin@example.com)',
    );
    const kept = policyGroup(page, 5);
    expect(await text(kept)).toContain('This resource cannot be edited here; it is saved exactly as it is.');
    expect(await text(page.getByText('Parts of this token are kept as they are').locator('..'))).toContain(
      '1 resource',
    );
    const cidrs = page.getByLabel('IP address or CIDR range');
    expect(await Promise.all([0, 1, 2].map((i) => cidrs.nth(i).inputValue()))).toEqual([
      '10.0.0.0/8',
      '2001:db8::/32',
      '10.1.0.0/16',
    ]);
    expect(await page.getByRole('combobox', { name: 'Operator' }).allTextContents()).toEqual([
      'Is in',
      'Is in',
      'Is not in',
    ]);
    await expect(page.getByLabel('Start date').inputValue()).resolves.toBe('2030-01-01');
    await expect(page.getByLabel('End date').inputValue()).resolves.toBe('2031-01-01');
    expect(await text(page.getByText(/^Now 2030-01-01 05:20:00 UTC/))).toContain(
      'kept unless you choose another day',
    );
    expect(await page.getByRole('radio', { name: 'Disabled' }).isChecked()).toBe(true);
    await accessible(page);

    // One change: the end date. Everything else goes back exactly as it was, policy ids included.
    await page.getByLabel('End date').fill('2031-06-01');
    await page.getByRole('button', { name: 'Continue to summary' }).click();
    expect(await page.getByRole('list', { name: 'Changes' }).getByRole('listitem').allTextContents()).toEqual(
      [
        'TTL: valid from 2030-01-01 05:20:00 UTC until 2031-01-01 00:00:00 UTC → valid from 2030-01-01 05:20:00 UTC until 2031-06-01 00:00:00 UTC',
      ],
    );
    await accessible(page);
    await page.getByRole('button', { name: 'Save' }).click();
    const saved = page.getByRole('list', { name: 'Saved changes' });
    await saved.waitFor();
    expect(await saved.getByRole('listitem').count()).toBe(1);
    const after = await cf.user.tokens.get(tokenId);
    expect(after.expires_on).toBe('2031-06-01T00:00:00Z');
    expect(stable({ ...after, expires_on: before.expires_on })).toEqual(stable(before));

    // A permission change replaces only the policy it touches.
    await choose(page, policyGroup(page, 2).getByRole('combobox', { name: 'Access' }), 'Edit');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(() => text(page.getByRole('list', { name: 'Saved changes' })))
      .toContain('Permission added: Zone · DNS: Edit');
    const changed = await cf.user.tokens.get(tokenId);
    const nestedBefore = before.policies?.[2];
    expect(changed.policies?.[2]).toEqual({
      ...nestedBefore,
      permission_groups: [{ id: GROUPS.dnsWrite, name: 'DNS Write' }],
    });
    expect(changed.policies?.filter((_, i) => i !== 2)).toEqual(before.policies?.filter((_, i) => i !== 2));
    await t.expectClean();
  }, 120_000);
});
