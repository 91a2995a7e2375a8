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

describe('faults page', () => {
  it('adds a fault from the form, which the SDK then meets, and deletes it', async () => {
    t = await startEmulatorTest();
    const page = await openEmulatorPage(t, '/faults', 'Faults');
    await page.getByText('No faults').waitFor();
    await expectAccessible(page);

    await page.getByRole('combobox', { name: 'Method' }).click();
    await page.getByRole('option', { name: 'GET' }).click();
    await page.getByLabel('Path pattern').fill('/user/tokens/verify');
    await page.getByRole('combobox', { name: 'Answer' }).click();
    await page.getByRole('option', { name: '503 Service Unavailable' }).click();
    await page.getByLabel('Retry-After (seconds)').fill('7');
    await page.getByLabel('Times').fill('1');
    await page.getByRole('button', { name: 'Add fault' }).click();
    const row = page.getByRole('row', { name: /\/user\/tokens\/verify/ });
    await row.waitFor();
    const [fault] = await t.uf.admin.faults.list();
    expect(fault).toMatchObject({
      method: 'GET',
      path: '/user/tokens/verify',
      status: 503,
      retry_after: 7,
      times: 1,
      fired: 0,
    });
    await expectAccessible(page);

    const error = await sdk(t)
      .user.tokens.verify()
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 503 });
    expect((error as { headers: Headers }).headers.get('retry-after')).toBe('7');
    // Spent after its one time: the next call goes through.
    await sdk(t).user.tokens.verify();
    await page.reload();
    await row.getByText('Spent').waitFor();

    await row.getByRole('button', { name: /^Delete fault/ }).click();
    await page.getByText('No faults').waitFor();
    expect(await t.uf.admin.faults.list()).toEqual([]);
    await t.expectClean();
  });

  it('checks each field as the API would, and adds a delay-only fault from the keyboard', async () => {
    t = await startEmulatorTest();
    const page = await openEmulatorPage(t, '/faults', 'Faults');
    await page.getByLabel('Path pattern').fill('user');
    await page.getByLabel('Probability').fill('2');
    await page.getByRole('button', { name: 'Add fault' }).click();
    await page.getByText('A path starting with /').waitFor();
    expect(await page.getByLabel('Path pattern').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel('Probability').getAttribute('aria-invalid')).toBe('true');
    expect(await t.uf.admin.faults.list()).toEqual([]);

    await page.getByLabel('Probability').fill('');
    await page.getByLabel('Path pattern').fill('/user');
    await page.getByRole('combobox', { name: 'Answer' }).click();
    await page.getByRole('option', { name: 'No error: delay only' }).click();
    await page.getByText('A delay-only fault needs a delay above 0.').waitFor({ state: 'detached' });
    await tabTo(page, page.getByLabel('Delay (ms)'));
    await page.keyboard.type('250');
    await page.keyboard.press('Enter');
    await page.getByRole('row', { name: /delay 250 ms/ }).waitFor();
    expect(await t.uf.admin.faults.list()).toEqual([
      expect.objectContaining({ path: '/user', delay_ms: 250 }),
    ]);
    expect((await t.uf.admin.faults.list())[0]).not.toHaveProperty('status');
    const started = Date.now();
    await sdk(t).user.get();
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);

    await page.getByRole('button', { name: 'Remove all' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove all' }).click();
    await page.getByText('No faults').waitFor();
    expect(await t.uf.admin.faults.list()).toEqual([]);
    await t.expectClean();
  });
});

describe('explain page', () => {
  it('shows a narrow token denied on a route, with each policy’s verdict, and allowed on another', async () => {
    t = await startEmulatorTest();
    const narrow = await narrowToken(t);
    const page = await openEmulatorPage(t, '/explain', 'Explain');
    await expectAccessible(page);

    await page.getByRole('button', { name: 'Explain', exact: true }).click();
    expect(await page.getByLabel('Token value').getAttribute('aria-invalid')).toBe('true');

    await page.getByLabel('Token value').fill(narrow.value);
    await page.getByLabel('Path', { exact: true }).fill('/client/v4/user/tokens');
    await page.getByRole('button', { name: 'Explain', exact: true }).click();
    const verdict = page.getByRole('region', { name: 'Verdict' });
    await verdict.getByText('Denied', { exact: true }).waitFor();
    const expected = await t.uf.admin.explain({
      token: narrow.value,
      method: 'GET',
      path: '/client/v4/user/tokens',
    });
    expect(expected.allowed).toBe(false);
    await verdict.getByText('Permission missing').waitFor();
    const text = (await verdict.textContent()) ?? '';
    expect(text).toContain(expected.denial?.message);
    expect(text).toContain(narrow.id);
    for (const group of expected.denial?.required?.permission_groups ?? [])
      expect(text).toContain(group.name);
    for (const policy of expected.denial?.policies ?? []) {
      const row = verdict.getByRole('row').filter({ hasText: policy.id });
      expect(await row.textContent()).toContain(policy.why);
      expect(await row.textContent()).toContain(policy.matched ? 'Yes' : 'No');
    }
    await expectAccessible(page);

    await page.getByLabel('Path', { exact: true }).fill('/client/v4/user');
    await page.keyboard.press('Enter');
    await verdict.getByText('Allowed', { exact: true }).waitFor();
    await t.expectClean();
  });

  it('shows the API’s error for a path that is no route', async () => {
    t = await startEmulatorTest();
    const page = await openEmulatorPage(t, '/explain', 'Explain');
    await page.getByLabel('Token value').fill(t.uf.token);
    await page.getByLabel('Path', { exact: true }).fill('/client/v4/nowhere');
    await page.getByRole('button', { name: 'Explain', exact: true }).click();
    await page.getByText('Could not explain this request').waitFor();
    await page.getByText(/\(code \d+\)/).waitFor();
    await t.expectClean();
  });
});
