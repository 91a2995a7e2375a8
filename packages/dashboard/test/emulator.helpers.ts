import { mkdirSync } from 'node:fs';
import Cloudflare from 'cloudflare';
import type { Page } from 'playwright-core';
import { type DashboardTest, type DashboardTestOptions, startDashboardTest } from './helpers/dashboard.js';

/**
 * Unlocks the emulator with the admin key through an Emulator page's own form (the sign-in page sends
 * a signed-in user on to the tokens screen, so its form is out of reach then).
 */
export async function unlockOnPage(t: DashboardTest): Promise<void> {
  await openEmulatorPage(t, '', 'Emulator');
  await t.page.getByLabel('Admin key').fill(t.uf.adminKey);
  await t.page.getByRole('button', { name: 'Unlock emulator' }).click();
  await t.page.getByRole('button', { name: 'Lock emulator' }).waitFor();
}

/** A server, a browser signed in with the bootstrap token, and the emulator unlocked. */
export async function startEmulatorTest(options: DashboardTestOptions = {}): Promise<DashboardTest> {
  const t = await startDashboardTest(options);
  try {
    await t.signIn();
    await unlockOnPage(t);
  } catch (error) {
    await t.close();
    throw error;
  }
  return t;
}

/** Opens an Emulator page and waits for its `<h1>`. */
export async function openEmulatorPage(t: DashboardTest, path: string, title: string): Promise<Page> {
  await t.page.goto(`${t.dashboard}/emulator${path}`);
  await t.page.getByRole('heading', { level: 1, name: title }).waitFor();
  return t.page;
}

/** The official SDK with the bootstrap token (or another), no retries: a failure shows at once. */
export function sdk(t: DashboardTest, apiToken = t.uf.token, baseURL = t.uf.baseURL): Cloudflare {
  return new Cloudflare({ apiToken, baseURL, maxRetries: 0 });
}

const USER_DETAILS_READ = '8acbe5bb0d54464ab867149d7f7cf8ac';

/** A token of the bootstrap user allowing only User Details Read: refused on /user/tokens. */
export async function narrowToken(t: DashboardTest, name = 'narrow'): Promise<{ id: string; value: string }> {
  const cf = sdk(t);
  const user = await cf.user.get();
  const token = await cf.user.tokens.create({
    name,
    policies: [
      {
        effect: 'allow',
        permission_groups: [{ id: USER_DETAILS_READ }],
        resources: { [`com.cloudflare.api.user.${(user as { id: string }).id}`]: '*' },
      },
    ],
  });
  return { id: token.id as string, value: token.value as string };
}

export const SHOTS_DIR = '/tmp/uf/shots';

/** Screenshots of the page at 1280 and 390 px, light and dark, under /tmp/uf/shots. */
export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS_DIR, { recursive: true });
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 800 });
    // The shell scrolls inside <main>: grow the window to the content so one shot shows all of it.
    const height = await page.evaluate(() => document.querySelector('main')?.scrollHeight ?? 0);
    await page.setViewportSize({ width, height: Math.max(width === 390 ? 844 : 800, height + 80) });
    for (const mode of ['light', 'dark'] as const) {
      await page.evaluate((theme) => {
        document.documentElement.dataset.mode = theme;
        document.documentElement.style.colorScheme = theme;
      }, mode);
      await page.waitForTimeout(150);
      await page.screenshot({ path: `${SHOTS_DIR}/emulator-${name}-${width}-${mode}.png`, fullPage: true });
    }
  }
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.evaluate(() => {
    document.documentElement.dataset.mode = 'light';
    document.documentElement.style.colorScheme = 'light';
  });
}
